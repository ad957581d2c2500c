// Builds the extension into a folder a browser loads unpacked:
//   node build.mjs                    -> dist/          (Chromium; fixed id from keys/)
//   node build.mjs --target firefox   -> dist-firefox/  (background.scripts, gecko id)
//   node build.mjs --no-key           -> dist/ without "key" (for a store upload)
// Everything is bundled locally by esbuild: no remote code, no eval, default CSP.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { ICON_SIZES, iconPng } from "./scripts/icons.mjs";

const ROOT = dirname(fileURLToPath(import.meta.url));
const ENTRIES = ["background", "popup", "options"];
const STATIC = ["popup.html", "options.html", "ui.css"];
export const GECKO_ID = "mediafetcher@extension.invalid";

/** The public key (base64 DER) that fixes the Chromium extension id of unpacked builds. */
export function publicKey() {
  return readFileSync(join(ROOT, "keys", "extension-key.pub.b64"), "utf8").trim();
}

/** Chromium's extension id for a public key: sha256 of the DER, first 32 hex digits,
 * each digit 0-f written as a letter a-p. */
export function extensionId(keyB64 = publicKey()) {
  const hex = createHash("sha256").update(Buffer.from(keyB64, "base64")).digest("hex");
  return [...hex.slice(0, 32)].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join("");
}

/** @param {{ target?: "chrome" | "firefox", key?: boolean }} [options] */
export function manifestFor({ target = "chrome", key = true } = {}) {
  const manifest = JSON.parse(readFileSync(join(ROOT, "static", "manifest.json"), "utf8"));
  manifest.version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
  if (target === "firefox") {
    // Firefox runs MV3 backgrounds as event pages; it also ignores Chrome's minimum.
    manifest.background = { scripts: ["background.js"] };
    delete manifest.minimum_chrome_version;
    manifest.browser_specific_settings = { gecko: { id: GECKO_ID, strict_min_version: "128.0" } };
  } else if (key) {
    manifest.key = publicKey();
  }
  return manifest;
}

/** @param {{ target?: "chrome" | "firefox", key?: boolean, outdir?: string }} [options] */
export async function build({ target = "chrome", key = true, outdir } = {}) {
  const out = resolve(outdir ?? join(ROOT, target === "firefox" ? "dist-firefox" : "dist"));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, "icons"), { recursive: true });
  await esbuild.build({
    entryPoints: Object.fromEntries(ENTRIES.map((n) => [n, join(ROOT, "src", `${n}.ts`)])),
    outdir: out,
    bundle: true,
    format: "iife",
    target: ["chrome120", "firefox128"],
    legalComments: "none",
    logLevel: "warning",
  });
  for (const name of STATIC) cpSync(join(ROOT, "static", name), join(out, name));
  for (const size of ICON_SIZES) writeFileSync(join(out, "icons", `icon-${size}.png`), iconPng(size));
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifestFor({ target, key }), null, 2) + "\n");
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const target = args.includes("--target") ? args[args.indexOf("--target") + 1] : "chrome";
  const out = await build({ target, key: !args.includes("--no-key") });
  const id = target === "firefox" ? "none fixed (Firefox gives each install its own moz-extension:// UUID)"
    : args.includes("--no-key") ? "none fixed (no key: the browser derives one)" : extensionId();
  console.log(`built ${out}\nextension id: ${id}`);
}
