import { describe, expect, it } from "vitest";
import { LIBRARY_PAGE_SIZE, normalizeLibraryParams, queryKeys } from "./query-keys";

describe("query keys", () => {
  it("normalises library parameters so equal queries share a cache entry", () => {
    expect(queryKeys.library.list({})).toEqual(queryKeys.library.list({ q: "  ", sort: "newest" }));
    expect(queryKeys.library.list({ q: " cats " })).toEqual(["library", "list", { q: "cats", sort: "newest", limit: LIBRARY_PAGE_SIZE }]);
    expect(queryKeys.library.list({ sort: "title" })).not.toEqual(queryKeys.library.list({}));
    expect(normalizeLibraryParams({ offset: -5 }).offset).toBe(0);
  });

  it("nests every key under its family, so one invalidation covers it", () => {
    const startsWith = (key: readonly unknown[], prefix: readonly unknown[]) => prefix.every((p, i) => key[i] === p);
    expect(startsWith(queryKeys.library.list({ q: "x" }), queryKeys.library.all)).toBe(true);
    expect(startsWith(queryKeys.library.item("id1"), queryKeys.library.all)).toBe(true);
    expect(startsWith(queryKeys.jobs.list(), queryKeys.jobs.all)).toBe(true);
    expect(startsWith(queryKeys.feeds.items("f"), queryKeys.feeds.all)).toBe(true);
    expect(startsWith(queryKeys.library.lists(), queryKeys.library.all)).toBe(true);
  });

  it("keeps distinct resources apart", () => {
    const keys = [queryKeys.me(), queryKeys.setup(), queryKeys.settings.tokens(), queryKeys.settings.cookies(), queryKeys.settings.users()];
    expect(new Set(keys.map((k) => JSON.stringify(k))).size).toBe(keys.length);
  });
});
