"""The web app in headless Chromium against the real stack (every service, production runtime).

The main flow: first-run setup, sign out and in again, submit a locally served video, watch
its progress go to done live (no reload), find it in the library, play it and seek in the
player, delete it with the confirm dialog, and see it gone from the library and from disk.
Screenshots of each main page at 1280 px and 375 px go to artifacts/screenshots/.

Chromium is Debian's (/usr/bin/chromium); no browser is ever downloaded. The SPA must be
built (frontend/dist); the `web_dist` fixture builds it (npm ci first if needed) when it is
missing or older than its sources, and fails with the command to run when npm is missing.
"""
from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 812}
USER, PASSWORD = "admin", "correct horse"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


def _newest_source() -> float:
    paths = [p for d in ("src", "public") for p in (FRONTEND / d).rglob("*") if p.is_file()]
    paths += [FRONTEND / n for n in ("index.html", "vite.config.ts", "package.json")]
    return max(p.stat().st_mtime for p in paths if p.exists())


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """frontend/dist, built now (npm ci first if needed) when missing or older than its sources."""
    index = DIST / "index.html"
    stale = not index.exists() or index.stat().st_mtime < _newest_source()
    if stale:
        if shutil.which("npm"):
            if not (FRONTEND / "node_modules").is_dir():
                subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True,
                               stdout=subprocess.DEVNULL)
            subprocess.run(["npm", "run", "build"], cwd=FRONTEND, check=True,
                           stdout=subprocess.DEVNULL)
        elif not index.exists():
            pytest.fail("the web app is not built: run `cd frontend && npm ci && npm run build`")
    return DIST


@pytest_asyncio.fixture
async def browser() -> Browser:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            await b.close()


@pytest_asyncio.fixture
async def page(browser: Browser) -> Page:
    context = await browser.new_context(viewport=DESKTOP)
    p = await context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    yield p
    await context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


async def shoot(page: Page, name: str, *, widths=(DESKTOP, MOBILE)) -> None:
    """Screenshots at each width; at 375 px the page must not scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in widths:
        await page.set_viewport_size(size)
        await page.wait_for_timeout(250)  # layout settles, lazy images start
        await page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True)
        if size["width"] <= 400:
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} scrolls sideways at {size['width']} px ({overflow} px)"
    await page.set_viewport_size(DESKTOP)


async def sign_in(page: Page) -> None:
    await page.get_by_label("Username").fill(USER)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()


async def first_run_setup(page: Page, url: str) -> None:
    await page.goto(url)
    await expect(page.get_by_role("heading", name="Set up MediaFetcher", exact=True)).to_be_visible()
    await page.get_by_label("Username").fill(USER)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Repeat the password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account and sign in").click()
    await expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()


async def sign_out(page: Page) -> None:
    await page.get_by_role("button", name="Account menu").click()
    await page.get_by_role("menuitem", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Welcome back", exact=True)).to_be_visible()


WATCH_JOB = """() => {
  // Record every status and percentage the first job card shows, as the DOM changes.
  window.__mfSeen = [];
  window.__mfMarker = 'same page';
  const record = () => {
    const card = document.querySelector('[data-job-id]');
    if (!card) return;
    const pct = card.querySelector('[data-testid=job-percent]');
    const entry = card.dataset.status + ' ' + (pct ? pct.textContent : '');
    if (window.__mfSeen.at(-1) !== entry) window.__mfSeen.push(entry);
  };
  new MutationObserver(record).observe(document.body, {subtree: true, childList: true,
                                                       characterData: true, attributes: true});
  record();
}"""


async def media_files(root: Path) -> list[Path]:
    objects = root / "objects"
    return [p for p in objects.rglob("*") if p.is_file() and p.suffix == ".mp4"] if objects.exists() else []


async def until(predicate, *, timeout: float = 20, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def test_web_app_end_to_end(web_dist, stack, media_server, page: Page) -> None:
    # First run: the setup screen creates the administrator and signs in.
    await first_run_setup(page, stack.url)
    await expect(page).to_have_title("Dashboard · MediaFetcher")

    # Sign out, then sign in again (the sign-in screen is screenshotted on the way).
    await sign_out(page)
    await expect(page.get_by_text("You have signed out.")).to_be_visible()
    await shoot(page, "sign-in")
    await page.get_by_label("Username").fill(USER)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    await sign_in(page)

    # A reload keeps the session (the refresh cookie), without the sign-in screen.
    await page.reload()
    await expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    await expect(page.locator("[data-live=open]")).to_be_attached(timeout=10_000)
    await shoot(page, "dashboard-empty", widths=(DESKTOP,))

    # Submit a locally served video (rate-limited, so the download takes a few seconds and
    # its progress is visible) and watch it reach done, live, on the same page.
    await page.evaluate(WATCH_JOB)
    source = media_server.url("/slow/files/vp9_opus_webm.webm?bps=40000")
    box = page.get_by_label("Link to a video")
    await box.fill(source)
    await box.press("Enter")
    card = page.locator("[data-job-id]").first
    await expect(card).to_be_visible()
    try:  # an artifact, not an assertion (the recorded statuses are checked below)
        await card.locator("[data-testid=job-percent]", has_text="%").wait_for(timeout=15_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / "dashboard-progress-1280.png"))
    except PlaywrightTimeout:
        pass
    await expect(card).to_have_attribute("data-status", "done", timeout=120_000)
    seen = await page.evaluate("window.__mfSeen")
    assert await page.evaluate("window.__mfMarker") == "same page", "the page was reloaded"
    assert seen[0].split()[0] in ("queued", "downloading"), seen
    assert seen[-1].startswith("done"), seen
    assert any(s.startswith("downloading ") and s.endswith("%") for s in seen), \
        f"no live download percentage was shown: {seen}"
    await shoot(page, "dashboard")

    # The library shows it.
    await page.get_by_role("link", name="Library").first.click()
    await expect(page.get_by_role("heading", name="Library", exact=True)).to_be_visible()
    tile = page.locator("[data-item-id]")
    await expect(tile).to_have_count(1)
    await expect(tile).to_contain_text("vp9_opus_webm")
    await shoot(page, "library")
    await page.emulate_media(color_scheme="dark")  # the default theme follows the system
    await expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    await shoot(page, "library-dark", widths=(DESKTOP,))
    await page.emulate_media(color_scheme="light")
    item_id = await tile.get_attribute("data-item-id")
    search = page.get_by_label("Search the library")
    await search.fill("no such title")
    await expect(page.get_by_text("Nothing matches “no such title”")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"q=no\+such\+title"))
    await page.get_by_role("button", name="Clear the search").click()
    await expect(tile).to_have_count(1)
    [stored] = await until(lambda: media_files(stack.settings.media_root), what="the stored file")

    # The player: the <video> plays (currentTime advances) and seeks.
    await tile.get_by_role("link", name="Play vp9_opus_webm").click()
    await expect(page).to_have_url(f"{stack.url}/watch/{item_id}")
    video = page.get_by_test_id("player-video")
    await expect(video).to_have_attribute("playsinline", "")
    await expect(video).to_have_attribute("preload", "metadata")
    await page.wait_for_function(
        "() => document.querySelector('video').readyState >= 1", timeout=20_000)
    duration = await video.evaluate("v => v.duration")
    assert 2.5 <= duration <= 3.5, duration
    await shoot(page, "player")
    await video.evaluate("v => { v.muted = true; return v.play(); }")
    await page.wait_for_function("() => document.querySelector('video').currentTime > 0.4",
                                 timeout=15_000)
    await video.evaluate("v => v.pause()")
    await video.evaluate("v => new Promise(r => { v.addEventListener('seeked', r, {once: true});"
                         " v.currentTime = 2.0; })")
    assert 1.95 <= await video.evaluate("v => v.currentTime") <= 2.1
    await video.evaluate("v => v.play()")
    await page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v.currentTime > 2.2 || v.ended; }",
        timeout=10_000)
    # Keyboard: j seeks back 10 s (to the start), k pauses/plays.
    await video.evaluate("v => v.pause()")
    await page.locator("body").press("j")
    await page.wait_for_function("() => document.querySelector('video').currentTime < 0.5")
    # The download link is a signed URL that serves the original file.
    href = await page.get_by_role("link", name="Download original").get_attribute("href")
    resp = await page.request.get(stack.url + href)
    assert resp.ok and len(await resp.body()) == stored.stat().st_size

    # Feeds and settings render (feeds may not be served by this gateway yet).
    await page.get_by_role("link", name="Feeds").first.click()
    await expect(page.get_by_role("heading", name="Feeds", exact=True)).to_be_visible()
    await expect(page.get_by_text("Feeds are not available on this server yet")
                 .or_(page.get_by_role("button", name="Add feed"))).to_be_visible()
    await shoot(page, "feeds")
    await page.get_by_role("link", name="Settings").first.click()
    await page.get_by_role("button", name="Show a pairing code").click()
    await expect(page.get_by_test_id("pairing-code")).to_have_text(re.compile(r"^\S{4,20}$"))
    countdown = page.get_by_test_id("pairing-countdown")
    await expect(countdown).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
    await shoot(page, "settings")
    await expect(page.get_by_role("tab", name="Users")).to_be_visible()  # the admin sees users

    # The extension trades the code for a token: the page notices, lists it, and can revoke it.
    code = await page.get_by_test_id("pairing-code").inner_text()
    async with stack.client() as client:
        r = await client.post("/api/extension/token", json={"code": code, "name": "Test browser"})
        assert r.status_code == 201, r.text
    tokens = page.get_by_role("list", name="Extension tokens")
    await expect(tokens.get_by_role("listitem")).to_contain_text("Test browser", timeout=15_000)
    await expect(page.get_by_text("“Test browser” is paired.")).to_be_visible()
    await tokens.get_by_role("button", name="Revoke Test browser").click()
    await page.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
    await expect(page.get_by_text("No extension is paired yet.")).to_be_visible()

    # Delete from the library, through the confirm dialog.
    await page.get_by_role("link", name="Library").first.click()
    await tile.get_by_role("button", name="More actions for vp9_opus_webm").click()
    await page.get_by_role("menuitem", name="Delete…").click()
    dialog = page.get_by_role("alertdialog")
    await expect(dialog).to_contain_text("Delete this item?")
    await expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()  # focus moved in
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")  # focus is trapped: it cycles inside the dialog
    assert await dialog.evaluate("d => d.contains(document.activeElement)")
    await dialog.get_by_role("button", name="Delete").click()
    await expect(page.get_by_text("Your library is empty")).to_be_visible()
    await expect(page.locator("[data-item-id]")).to_have_count(0)
    await shoot(page, "library-empty", widths=(DESKTOP,))
    await until(lambda: _gone(stored), what=f"{stored} to be deleted from disk")
    assert await media_files(stack.settings.media_root) == []

    # And it stays gone after a reload (the server's answer, not just the cache).
    await page.reload()
    await expect(page.get_by_text("Your library is empty")).to_be_visible()


async def _gone(path: Path) -> bool:
    return not path.exists()


async def test_web_session_refreshes_before_expiry_and_after_401(web_dist, stack, page: Page) -> None:
    """The 15-minute access token is renewed in the background, and a 401 is retried once."""
    await stack.admin_token(USER, PASSWORD)  # the first user exists: no setup screen
    refreshes: list[int] = []
    page.on("response", lambda r: refreshes.append(r.status) if r.url.endswith("/api/auth/refresh") else None)
    jobs_calls = 0

    async def first_jobs_call_unauthorized(route):
        nonlocal jobs_calls
        jobs_calls += 1
        if jobs_calls == 1:
            await route.fulfill(status=401, json={"detail": "invalid or expired token"})
        else:
            await route.continue_()

    await page.route(re.compile(r"/api/jobs\?"), first_jobs_call_unauthorized)
    await page.clock.install()
    await page.goto(stack.url)
    await expect(page.get_by_role("heading", name="Welcome back", exact=True)).to_be_visible()
    assert refreshes == [401]  # the start-up attempt: no session cookie yet
    await sign_in(page)
    # The dashboard's first jobs request got a 401: the app refreshed and retried it.
    await expect(page.get_by_text("Nothing downloaded yet")).to_be_visible()
    assert jobs_calls >= 2 and refreshes[1:2] == [200], (jobs_calls, refreshes)

    # 14 min later (a minute before the token expires) it refreshes by itself.
    before = len(refreshes)
    await page.clock.fast_forward("14:05")
    await until(lambda: _async(len(refreshes) > before), what="the scheduled refresh")
    assert refreshes[before] == 200, refreshes
    await page.get_by_role("link", name="Library").first.click()
    await expect(page.get_by_role("heading", name="Library", exact=True)).to_be_visible()
    await expect(page.get_by_text("Your library is empty")).to_be_visible()

    # A second tab signs in from the (rotated) refresh cookie; signing out in one tab
    # signs out the other.
    other = await page.context.new_page()
    await other.goto(stack.url + "/settings")
    await expect(other.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    await sign_out(page)
    await expect(other.get_by_text("You signed out in another tab.")).to_be_visible()


async def test_web_failed_job_shows_reason_cancel_and_retry(web_dist, stack, media_server,
                                                            page: Page) -> None:
    await stack.admin_token(USER, PASSWORD)
    await page.goto(stack.url)
    await sign_in(page)
    box = page.get_by_label("Link to a video")

    # A link the browser can tell is wrong never reaches the server.
    await box.fill("ftp://example.com/video.mp4")
    await box.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("starts with http:// or https://")

    # A source that answers 404: the job fails and says why, in words.
    await box.fill(media_server.url("/status/404"))
    await box.press("Enter")
    failed = page.locator("[data-job-id][data-status=failed]")
    await expect(failed).to_have_count(1, timeout=60_000)
    reason = (await failed.get_by_test_id("job-error").inner_text()).strip()
    assert reason and "Traceback" not in reason, reason

    # Retry makes a new job for the same URL (it fails the same way).
    await failed.get_by_role("button", name=re.compile("^Retry")).click()
    await expect(page.locator("[data-job-id]")).to_have_count(2)
    await expect(page.locator("[data-job-id][data-status=failed]")).to_have_count(2, timeout=60_000)

    # A slow download can be cancelled while it runs, then retried.
    await box.fill(media_server.url("/slow/files/vp9_opus_webm.webm?bps=2000"))
    await box.press("Enter")
    running = page.locator("[data-job-id][data-status=downloading]")
    await expect(running).to_have_count(1, timeout=30_000)
    await running.get_by_role("button", name=re.compile("^Cancel")).click()
    cancelled = page.locator("[data-job-id][data-status=cancelled]")
    await expect(cancelled).to_have_count(1)
    await expect(cancelled).to_contain_text("cancelled by you")
    await cancelled.get_by_role("button", name=re.compile("^Retry")).click()
    await expect(page.locator("[data-job-id]")).to_have_count(4)
    await expect(page.locator("[data-job-id][data-status=downloading], [data-job-id][data-status=queued]")
                 ).to_have_count(1)
    await page.locator("[data-job-id][data-status=downloading], [data-job-id][data-status=queued]"
                       ).get_by_role("button", name=re.compile("^Cancel")).click()
    await expect(page.locator("[data-job-id][data-status=cancelled]")).to_have_count(2)


async def _async(value):
    return value


def _rss(base: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
        f"<pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate></item>" for guid, title, link in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Local test channel</title><link>{base}/</link><description>test</description>"
            f"{entries}</channel></rss>")


async def test_web_feeds_add_list_download_toggle_remove(web_dist, stack, http_server,
                                                         page: Page) -> None:
    await stack.admin_token(USER, PASSWORD)
    video = http_server.url("/files/h264_aac_mp4_faststart.mp4")
    http_server.route("/feed.xml", _rss(http_server.base_url, [("a1", "Test pattern", video)]),
                      content_type="application/rss+xml")
    await page.goto(stack.url + "/feeds")
    await sign_in_here(page)
    await expect(page.get_by_role("heading", name="Feeds", exact=True)).to_be_visible()
    if await page.get_by_text("Feeds are not available on this server yet").is_visible():
        pytest.fail("the gateway answers 404 for /api/feeds")
    await expect(page.get_by_text("No feeds yet")).to_be_visible()

    await page.get_by_label("Follow a channel, playlist or RSS/Atom feed").fill(
        http_server.url("/feed.xml"))
    await page.get_by_role("button", name="Add feed").click()
    card = page.locator("[data-feed-id]")
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text("Local test channel", timeout=30_000)  # the first check ran
    await card.get_by_role("button", name="Items").click()
    item = card.get_by_role("listitem").filter(has_text="Test pattern")
    await expect(item).to_be_visible(timeout=15_000)
    await shoot(page, "feeds-with-items")

    # Download an item: an ordinary job, visible on the dashboard until it is done.
    await item.get_by_role("button", name="Download Test pattern").click()
    await expect(page.get_by_text("Added to your downloads")).to_be_visible()
    await page.get_by_role("link", name="Dashboard").first.click()
    await expect(page.locator("[data-job-id]")).to_have_count(1)
    await expect(page.locator("[data-job-id]")).to_have_attribute("data-status", "done",
                                                                   timeout=120_000)

    # Auto-download: the switch is saved (still on after a reload).
    await page.get_by_role("link", name="Feeds").first.click()
    toggle = card.get_by_role("switch", name="Auto-download")
    await expect(toggle).to_have_attribute("aria-checked", "false")
    async with page.expect_response(lambda r: r.request.method == "PATCH") as patched:
        await toggle.click()
    assert (await patched.value).ok
    await page.reload()
    await expect(card.get_by_role("switch", name="Auto-download")).to_have_attribute(
        "aria-checked", "true")

    # Remove it, through the confirm dialog.
    await card.get_by_role("button", name="Remove").click()
    await page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    await expect(page.get_by_text("No feeds yet")).to_be_visible()


async def sign_in_here(page: Page) -> None:
    """Sign in on whatever page the app opened (it keeps the URL)."""
    await page.get_by_label("Username").fill(USER)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Account menu")).to_be_visible()
