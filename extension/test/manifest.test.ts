/**
 * The built bundle, checked as a store reviewer would: Manifest V3 fields, the narrow
 * permission set, host access only at run time, no remote code, the default CSP.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, extensionId, GECKO_ID } from "../build.mjs";

const PERMISSIONS = ["activeTab", "alarms", "contextMenus", "cookies", "notifications", "scripting", "storage"];
const FIXED_ID = "gagcaicpgdikclnmgonnfnggffkanndd"; // the e2e tests and the README use it

let dir: string;
let chromeDir: string;
let firefoxDir: string;
const manifestOf = (d: string) => JSON.parse(readFileSync(join(d, "manifest.json"), "utf8"));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mf-ext-"));
  chromeDir = await build({ outdir: join(dir, "chrome") });
  firefoxDir = await build({ target: "firefox", outdir: join(dir, "firefox") });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([["chrome"], ["firefox"]])("%s manifest", (target) => {
  const out = () => (target === "chrome" ? chromeDir : firefoxDir);

  it("is Manifest V3 with a popup, options page and icons that exist", () => {
    const m = manifestOf(out());
    expect(m.manifest_version).toBe(3);
    expect(m.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(m.action.default_popup).toBe("popup.html");
    expect(m.options_ui.page).toBe("options.html");
    for (const file of [m.action.default_popup, m.options_ui.page, ...Object.values(m.icons) as string[]]) {
      expect(existsSync(join(out(), file)), file).toBe(true);
    }
    for (const size of ["16", "32", "48", "128"]) {
      const png = readFileSync(join(out(), m.icons[size]));
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(png.readUInt32BE(16)).toBe(Number(size)); // IHDR width
    }
  });

  it("asks for exactly the narrow permission set", () => {
    const m = manifestOf(out());
    expect([...m.permissions].sort()).toEqual(PERMISSIONS);
    expect(m.optional_permissions).toBeUndefined();
  });

  it("holds no host access up front: sites are granted at run time, one by one", () => {
    const m = manifestOf(out());
    expect(m.host_permissions ?? []).toEqual([]);
    expect(m.optional_host_permissions).toEqual(["*://*/*"]);
    expect(m.content_scripts).toBeUndefined(); // pages are only read on click (activeTab)
    expect(m.web_accessible_resources).toBeUndefined(); // nothing is exposed to web pages
    expect(m.externally_connectable).toBeUndefined(); // no web page can message it
  });

  it("keeps the default CSP and loads no remote code", () => {
    const m = manifestOf(out());
    expect(m.content_security_policy).toBeUndefined();
    expect(m.sandbox).toBeUndefined();
    const files = readdirSync(out()).filter((f) => /\.(js|html)$/.test(f));
    expect(files.sort()).toEqual(["background.js", "options.html", "options.js", "popup.html", "popup.js"]);
    for (const file of files) {
      const text = readFileSync(join(out(), file), "utf8");
      expect(text, file).not.toMatch(/\beval\s*\(|new Function\s*\(|importScripts\s*\(/);
      expect(text, file).not.toMatch(/https?:\/\/[^\s"'`<>]+\.m?js\b/); // a script from the web
      expect(text, file).not.toMatch(/\bimport\s*\(\s*["'`]https?:/);
      if (file.endsWith(".html")) {
        const scripts = [...text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
        for (const [, attrs, body] of scripts) {
          expect(body.trim(), `${file}: inline script`).toBe("");
          const src = /src="([^"]+)"/.exec(attrs)?.[1] ?? "";
          expect(src, `${file}: script src`).toMatch(/^[\w-]+\.js$/);
          expect(existsSync(join(out(), src))).toBe(true);
        }
        expect(text, `${file}: inline handler`).not.toMatch(/\son[a-z]+\s*=/i);
        expect(text).not.toMatch(/<(link|img|iframe)\b[^>]+(href|src)="https?:/i);
      }
    }
  });
});

describe("browser specifics", () => {
  it("chromium: a service worker and a fixed id from the public key", () => {
    const m = manifestOf(chromeDir);
    expect(m.background).toEqual({ service_worker: "background.js" });
    expect(existsSync(join(chromeDir, "background.js"))).toBe(true);
    expect(typeof m.key).toBe("string");
    expect(extensionId(m.key)).toBe(FIXED_ID);
    expect(m.browser_specific_settings).toBeUndefined();
  });

  it("firefox: an event page script, a gecko id, no chromium key", () => {
    const m = manifestOf(firefoxDir);
    expect(m.background).toEqual({ scripts: ["background.js"] });
    expect(m.browser_specific_settings.gecko.id).toBe(GECKO_ID);
    expect(m.key).toBeUndefined();
  });

  it("a store build can leave the key out", async () => {
    const out = await build({ key: false, outdir: join(dir, "nokey") });
    expect(manifestOf(out).key).toBeUndefined();
  });
});
