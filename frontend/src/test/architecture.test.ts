/** The layout rules of DESIGN §6 / bulletproof-react, checked on the source itself. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(__dirname, "..");
const FEATURES = join(SRC, "features");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

function imports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']/g)].map((m) => m[1]);
}

function featureOf(path: string): string | null {
  const rel = relative(FEATURES, path);
  return rel.startsWith("..") ? null : rel.split(sep)[0];
}

describe("architecture", () => {
  it("has the six feature areas, each with api/ operations", () => {
    const areas = readdirSync(FEATURES).sort();
    expect(areas).toEqual(["auth", "feeds", "jobs", "library", "player", "settings"]);
    for (const area of areas) expect(readdirSync(join(FEATURES, area, "api")).length).toBeGreaterThan(0);
  });

  it("features never import one another; shared code never imports a feature", () => {
    const offenders: string[] = [];
    for (const file of files(SRC)) {
      if (file.includes(`${sep}app${sep}`)) continue; // the app layer composes features
      const own = featureOf(file);
      for (const spec of imports(file)) {
        let target: string | null = null;
        if (spec.startsWith("@/features/")) target = spec.split("/")[2];
        else if (spec.startsWith(".")) target = featureOf(resolve(file, "..", spec));
        if (target && target !== own) offenders.push(`${relative(SRC, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("server state stays in TanStack Query: Zustand stores hold no fetched data", () => {
    for (const file of files(SRC).filter((f) => /stores?[\\/]/.test(f) && !f.endsWith(".test.ts"))) {
      const text = readFileSync(file, "utf8");
      expect(text, relative(SRC, file)).not.toMatch(/\bapi\.(GET|POST|DELETE)|requestJson|fetch\(/);
    }
  });
});
