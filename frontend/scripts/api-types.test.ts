/**
 * The committed API types match the gateway's OpenAPI (same check as `npm run check:api`).
 * Needs the Python workspace (uv); skipped where it is missing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const hasUv = spawnSync("uv", ["--version"]).status === 0;

describe("generated API types", () => {
  it.skipIf(!hasUv)("are up to date with the gateway's OpenAPI", () => {
    let out = "";
    try {
      out = execFileSync("node", [resolve(__dirname, "gen-api.mjs"), "--check"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      const err = e as { stderr?: string; stdout?: string };
      expect.fail(`${err.stderr ?? ""}${err.stdout ?? ""}`);
    }
    expect(out).toMatch(/match/);
  }, 120_000);
});
