"""The browser extension, built and loaded unpacked in headless Chromium, against the real stack.

Main flow: set the server and pair in the options page (a pairing code made through the API as
the signed-in admin), open a locally served page that sets cookies and one with a <video>, press
both popup buttons, and check ON THE SERVER that the job exists (and finishes, which the
extension reports with a badge and a notification) and that the vault holds the cookies,
encrypted. Then revoke the token and see the popup say so. The context menu's submit path and a
refused URL go through the service worker's own function (a native menu cannot be clicked
headless). A second test runs a gateway that does not list the extension's origin in
MF_EXTENSION_ORIGINS and checks that "Test connection" says exactly what to set.

How the headless browser stands in for the user:
- The popup is the real one, opened on the media tab with the DevTools command
  `Extensions.triggerAction` (Chromium ≥ 136, with --enable-unsafe-extension-debugging), as a
  toolbar click would: the popup's "current tab" and the activeTab grant are real. Its buttons
  are pressed by `Runtime.evaluate(..., userGesture=True)` over that target's CDP session.
- Host access: the extension asks for the site at run time with permissions.request(). A headless
  browser cannot show or answer the prompt, so the test first grants 127.0.0.1 the way a user
  can in chrome://extensions (site access; `developerPrivate.addHostPermission`). The extension's
  own permissions.request() then resolves true without a prompt: its code path is unchanged.
- The extension id is fixed by the public key in extension/keys/, so the gateway can be started
  with MF_EXTENSION_ORIGINS=chrome-extension://<id> before the browser exists.
"""
from __future__ import annotations

import asyncio
import base64
import io
import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from mf_testkit.stack import full_stack
from playwright.async_api import BrowserContext, Page, Worker, async_playwright, expect

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
DIST = EXTENSION / "dist"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
EXT_ID = "gagcaicpgdikclnmgonnfnggffkanndd"  # from extension/keys/extension-key.pub.b64
ORIGIN = f"chrome-extension://{EXT_ID}"
MEDIA = "h264_aac_mp4_faststart.mp4"
PERMISSIONS = ["activeTab", "alarms", "contextMenus", "cookies", "notifications", "scripting", "storage"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


# --- building and launching -------------------------------------------------------------------

def _newest_source() -> float:
    paths = [p for d in ("src", "static", "scripts", "keys") for p in (EXTENSION / d).rglob("*") if p.is_file()]
    paths += [EXTENSION / n for n in ("build.mjs", "package.json", "package-lock.json")]
    return max(p.stat().st_mtime for p in paths if p.exists())


@pytest.fixture(scope="session")
def extension_dist() -> Path:
    """extension/dist, built now when missing or older than its sources (npm ci first if needed)."""
    manifest = DIST / "manifest.json"
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source():
        return DIST
    if not shutil.which("npm"):
        pytest.fail("the extension is not built and npm is missing: cd extension && npm ci && npm run build")
    if not (EXTENSION / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=EXTENSION, check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run(["npm", "run", "build"], cwd=EXTENSION, check=True, stdout=subprocess.DEVNULL)
    return DIST


@pytest_asyncio.fixture
async def browser(extension_dist: Path, tmp_path: Path):
    """A persistent Chromium profile with the extension loaded; yields (context, service worker)."""
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--enable-unsafe-extension-debugging",
            f"--disable-extensions-except={extension_dist}", f"--load-extension={extension_dist}"]
    async with async_playwright() as pw:
        ctx = await pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=args)
        try:
            worker = ctx.service_workers[0] if ctx.service_workers else \
                await ctx.wait_for_event("serviceworker", timeout=15_000)
            assert worker.url == f"{ORIGIN}/background.js", worker.url
            errors: list[str] = []
            ctx.on("weberror", lambda e: errors.append(str(e.error)))
            yield ctx, worker
            assert not errors, f"uncaught errors in extension or pages: {errors}"
        finally:
            await ctx.close()


async def grant_site_access(ctx: BrowserContext, pattern: str) -> None:
    """Record `pattern` as granted by the user, through the API the chrome://extensions page itself
    uses for its site-access settings (developerPrivate.addHostPermission). It grants nothing
    active by itself; the extension's own permissions.request() for that site then resolves true
    without a prompt, since Chromium does not ask again for hosts the user already granted."""
    page = await ctx.new_page()
    await page.goto(f"chrome://extensions/?id={EXT_ID}")
    await page.evaluate("([id, p]) => chrome.developerPrivate.addHostPermission(id, p)", [EXT_ID, pattern])
    await page.close()


# --- the real popup, driven over CDP -----------------------------------------------------------

class Popup:
    """The action popup of the extension, opened on a tab like a toolbar click."""

    def __init__(self, ctx: BrowserContext) -> None:
        self.ctx = ctx
        self.cdp: Any = None
        self.session = ""
        self.target = ""
        self._next = 0
        self._waiting: dict[int, asyncio.Future] = {}

    async def open_on(self, page: Page) -> Popup:
        await page.bring_to_front()
        self.cdp = await self.ctx.browser.new_browser_cdp_session()
        self.cdp.on("Target.receivedMessageFromTarget", self._received)
        # Tab targets are left out of getTargets unless asked for.
        targets = (await self.cdp.send("Target.getTargets", {"filter": [{"type": "tab"}]}))["targetInfos"]
        tabs = [t for t in targets if t["type"] == "tab" and t["url"] == page.url]
        assert len(tabs) == 1, (page.url, targets)
        before = {t["targetId"] for t in await self._popups()}
        await self.cdp.send("Extensions.triggerAction", {"id": EXT_ID, "targetId": tabs[0]["targetId"]})
        for _ in range(100):
            new = [t for t in await self._popups() if t["targetId"] not in before]
            if new:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the popup did not open")
        self.target = new[0]["targetId"]
        attached = await self.cdp.send("Target.attachToTarget", {"targetId": self.target, "flatten": False})
        self.session = attached["sessionId"]
        await self.wait_for("document.body?.dataset.ready === 'true'")  # it has looked at the tab
        return self

    async def _popups(self) -> list[dict]:
        return [t for t in (await self.cdp.send("Target.getTargets"))["targetInfos"]
                if t["url"] == f"{ORIGIN}/popup.html"]

    def _received(self, event: dict) -> None:
        message = json.loads(event["message"])
        future = self._waiting.pop(message.get("id", -1), None)
        if future and not future.done():
            future.set_result(message)

    async def send(self, method: str, params: dict) -> dict:
        """A CDP command to the popup's own target (through the browser session)."""
        self._next += 1
        future = asyncio.get_running_loop().create_future()
        self._waiting[self._next] = future
        await self.cdp.send("Target.sendMessageToTarget", {"sessionId": self.session, "message": json.dumps(
            {"id": self._next, "method": method, "params": params})})
        reply = await asyncio.wait_for(future, 15)
        if "error" in reply:
            raise AssertionError(f"popup: {method} failed: {reply['error']}")
        return reply["result"]

    async def evaluate(self, expression: str, *, gesture: bool = False) -> Any:
        result = await self.send("Runtime.evaluate", {
            "expression": expression, "userGesture": gesture, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"popup evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, *, timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"popup: timed out waiting for {expression}")
            await asyncio.sleep(0.2)

    async def click(self, element_id: str) -> None:
        """A click the browser counts as the user's (transient activation)."""
        await self.evaluate(f"document.getElementById({element_id!r}).click()", gesture=True)

    async def result(self, *, timeout: float = 60) -> tuple[str, str, dict]:
        """The outcome of the last button: (state, text, data attributes) once not busy."""
        await self.wait_for("['ok', 'error'].includes(document.getElementById('result').dataset.state)",
                            timeout=timeout)
        return tuple(await self.evaluate(
            "(() => { const r = document.getElementById('result');"
            " return [r.dataset.state, r.textContent, {...r.dataset}]; })()"))

    async def text(self, element_id: str) -> str:
        return await self.evaluate(f"document.getElementById({element_id!r}).textContent")

    async def screenshot(self, path: Path) -> None:
        shot = await self.send("Page.captureScreenshot", {"format": "png"})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    async def close(self) -> None:
        try:
            await self.evaluate("window.close()")
        except (TimeoutError, AssertionError):
            pass
        for _ in range(50):
            if not [t for t in await self._popups() if t["targetId"] == self.target]:
                break
            await asyncio.sleep(0.1)
        await self.cdp.detach()


# --- helpers ---------------------------------------------------------------------------------

async def until(predicate, *, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.3)


async def options_page(ctx: BrowserContext, server: str) -> Page:
    page = await ctx.new_page()
    await page.goto(f"{ORIGIN}/options.html")
    await page.get_by_label("Server address").fill(server)
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#server-status")).to_have_text("Saved.")
    await expect(page.locator("#origin-env")).to_have_text(f"MF_EXTENSION_ORIGINS={ORIGIN}")
    return page


async def storage(worker: Worker, key: str) -> Any:
    return (await worker.evaluate(f"chrome.storage.local.get({key!r})")).get(key)


# --- the main flow, step by step --------------------------------------------------------------

@dataclass
class Run:
    ctx: BrowserContext
    worker: Worker
    settings: Any
    stack: Any
    media: Any  # the media_server fixture
    api: httpx.AsyncClient  # the signed-in admin, standing in for the web app
    options: Page | None = None
    tab: Page | None = None
    pairing: dict = field(default_factory=dict)

    @property
    def media_url(self) -> str:
        return self.media.url(f"/files/{MEDIA}")


async def test_extension_pairs_downloads_sends_cookies_and_reports_revocation(
        settings, media_server, browser) -> None:
    ctx, worker = browser
    async with full_stack(settings, extension_origins=[ORIGIN]) as stack:
        token = await stack.admin_token()
        async with stack.client(token) as api:
            run = Run(ctx, worker, settings, stack, media_server, api)
            await pair(run)
            job_id = await download_and_send_cookies(run)
            await job_reported(run, job_id)
            await context_menu(run)
            await revoked_token(run)
            await unpaired(run)


async def pair(run: Run) -> None:
    """Options: the server, a connection test before pairing (CORS alone, no host access yet),
    then the pairing code typed the way people do."""
    run.options = options = await options_page(run.ctx, run.stack.url)
    await options.get_by_role("button", name="Test connection").click()
    await expect(options.locator("#test-status")).to_have_attribute("data-state", "ok")
    await expect(options.locator("#test-status")).to_contain_text("reachable and accepts this extension")
    code = (await run.api.post("/api/extension/pairing")).json()["code"]
    await options.get_by_label("Pairing code", exact=False).fill(code.lower().replace("-", " "))
    await options.get_by_role("button", name="Pair", exact=True).click()
    await expect(options.locator("#pair-status")).to_have_attribute("data-state", "ok")
    run.pairing = await storage(run.worker, "pairing")
    assert run.pairing["token"].startswith("mfx_") and run.pairing["server"] == run.stack.url
    assert run.pairing["token"] not in await options.content(), "the token is never shown"
    await expect(options.locator("#paired")).to_contain_text(f"token {run.pairing['prefix']}…")
    await options.get_by_role("button", name="Test connection").click()
    await expect(options.locator("#test-status")).to_contain_text("accepts this browser's token")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await options.screenshot(path=str(SHOTS / "extension-options.png"), full_page=True)


async def download_and_send_cookies(run: Run) -> str:
    """Both popup buttons on a 127.0.0.1 page with a <video>, after a page that set cookies."""
    run.tab = tab = await run.ctx.new_page()
    await tab.goto(run.media.url("/set-cookie"))
    await tab.goto(run.media.url(f"/page/{MEDIA}"))
    await grant_site_access(run.ctx, "*://127.0.0.1/*")
    perms = await run.worker.evaluate("chrome.permissions.getAll()")
    assert sorted(perms["permissions"]) == PERMISSIONS
    assert perms["origins"] == [], "no host access before the click"

    popup = await Popup(run.ctx).open_on(tab)
    # An unknown site's page with a real <video>: the video's URL is sent.
    assert await popup.wait_for("document.getElementById('target').dataset.url") == run.media_url
    assert "video found on this page" in await popup.text("target")
    assert "VPN" in await popup.text("network-note")
    await popup.click("download")
    state, text, data = await popup.result()
    assert state == "ok", text
    job = (await run.api.get(f"/api/jobs/{data['jobId']}")).json()
    assert job["url"] == run.media_url and job["origin"] == "extension", job

    await popup.click("cookies")
    state, text, _ = await popup.result()
    assert state == "ok", text
    assert "2 cookies for site 127.0.0.1 stored" in text
    await popup.screenshot(SHOTS / "extension-popup.png")
    await popup.close()
    perms = await run.worker.evaluate("chrome.permissions.getAll()")
    assert perms["origins"] == ["*://127.0.0.1/*"], "the click asked for this site, and only it"
    jars = (await run.api.get("/api/cookies")).json()
    assert [(j["site"], j["count"]) for j in jars] == [("127.0.0.1", 2)], jars
    await assert_vault_has_no_plaintext(run.settings, run.media.cookie_value)
    return job["id"]


async def job_reported(run: Run, job_id: str) -> None:
    """The job finishes on the server; the worker's poll makes a badge and a notification."""
    await until(lambda: _status(run.api, job_id, "done"), timeout=120, what="the job to finish")

    async def reported():
        await run.worker.evaluate("mediafetcher.pollJobs()")
        return [f for f in (await storage(run.worker, "recentFinished") or []) if f["id"] == job_id]
    (finished,) = await until(reported, timeout=30, what="the extension to report the job")
    assert finished["ok"] and finished["text"].startswith("Done: "), finished
    assert await storage(run.worker, "pendingJobs") == []
    assert await run.worker.evaluate("chrome.action.getBadgeText({})") == "1"
    shown = await run.worker.evaluate("chrome.notifications.getAll()")
    assert f"mf-job-{job_id}" in shown, shown


async def context_menu(run: Run) -> None:
    """The menu item's handler (a native menu cannot be clicked headless): a link, a refusal."""
    page = run.media.url(f"/page/{MEDIA}")
    sent = await run.worker.evaluate("info => mediafetcher.onMenuClick(info)",
                                     {"linkUrl": run.media_url, "pageUrl": page})
    assert sent["ok"], sent
    assert (await run.api.get(f"/api/jobs/{sent['job']['id']}")).json()["url"] == run.media_url
    refused = await run.worker.evaluate("info => mediafetcher.onMenuClick(info)",
                                        {"linkUrl": "http://user:secret@127.0.0.1/v.mp4", "pageUrl": page})
    assert not refused["ok"]
    assert refused["failure"]["status"] == 422 and "credentials" in refused["failure"]["detail"]


async def revoked_token(run: Run) -> None:
    """Revoked in the web app (the API as the admin): both buttons say so, in words."""
    tokens = (await run.api.get("/api/tokens")).json()
    (token,) = [t for t in tokens if t["prefix"] == run.pairing["prefix"]]
    assert (await run.api.delete(f"/api/tokens/{token['id']}")).status_code == 204
    popup = await Popup(run.ctx).open_on(run.tab)
    assert await popup.text("result") == ""
    await popup.click("download")
    state, text, _ = await popup.result()
    assert state == "error" and "revoked" in text and "pair again" in text, text
    await popup.click("cookies")
    state, text, _ = await popup.result()
    assert state == "error" and "revoked" in text, text
    await popup.screenshot(SHOTS / "extension-popup-revoked.png")
    await popup.close()
    assert (await run.api.get("/api/jobs")).json()["total"] == 2, "nothing queued with a revoked token"
    await run.options.bring_to_front()
    await run.options.get_by_role("button", name="Test connection").click()
    await expect(run.options.locator("#test-status")).to_contain_text("no longer accepts this browser's token")


async def unpaired(run: Run) -> None:
    """Unpair: the token is forgotten here, the user is told to revoke it, the popup says so."""
    await run.options.bring_to_front()
    await run.options.get_by_role("button", name="Unpair").click()
    await expect(run.options.locator("#test-status")).to_contain_text("Also revoke")
    assert await storage(run.worker, "pairing") is None
    popup = await Popup(run.ctx).open_on(run.tab)
    await popup.click("download")
    state, text, _ = await popup.result()
    assert state == "error" and text.startswith("Not paired"), text
    await popup.close()


async def test_extension_explains_cors_and_unreachable_servers(settings, browser) -> None:
    """A gateway without this extension in MF_EXTENSION_ORIGINS: the options page names the fix."""
    ctx, _ = browser
    async with full_stack(settings, only=("gateway",), extension_origins=[]) as stack:
        options = await options_page(ctx, stack.url)
        await options.get_by_role("button", name="Test connection").click()
        status = options.locator("#test-status")
        await expect(status).to_have_attribute("data-state", "error")
        await expect(status).to_contain_text("does not allow requests from this extension")
        await expect(status).to_contain_text(f"MF_EXTENSION_ORIGINS={ORIGIN}")
        # Pairing fails the same way, with the same advice, and stores nothing.
        await options.get_by_label("Pairing code", exact=False).fill("ABCD-EFGH")
        await options.get_by_role("button", name="Pair", exact=True).click()
        await expect(options.locator("#pair-status")).to_contain_text(f"MF_EXTENSION_ORIGINS={ORIGIN}")
    # The same address with nothing listening any more.
    await options.get_by_role("button", name="Test connection").click()
    await expect(status).to_contain_text(f"Cannot reach the server at {stack.url}")


# --- server-side checks ----------------------------------------------------------------------

async def _status(api: httpx.AsyncClient, job_id: str, want: str) -> bool:
    job = (await api.get(f"/api/jobs/{job_id}")).json()
    assert job["status"] not in ("failed", "cancelled"), job
    return job["status"] == want


async def assert_vault_has_no_plaintext(settings, cookie_value: str) -> None:
    """The vault's table, dumped whole: the cookie's value appears nowhere in it."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        out = io.BytesIO()
        await conn.copy_from_query(f'SELECT * FROM "{settings.db_schema_prefix}vault".cookie_jars',
                                   output=out)
    finally:
        await conn.close()
    dump = out.getvalue()
    assert dump.count(b"\n") == 1, "one jar row for 127.0.0.1"
    assert cookie_value.encode() not in dump
    assert b"mf_auth" not in dump and b"dark" not in dump
