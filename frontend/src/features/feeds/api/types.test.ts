import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/errors";
import { feedsUnavailable } from "./get-feeds";
import { describeInterval, itemsOf } from "./types";

describe("feeds API shapes", () => {
  it("accepts a bare list or {items}", () => {
    expect(itemsOf([{ id: 1 }])).toEqual([{ id: 1 }]);
    expect(itemsOf({ items: [{ id: 2 }], total: 1 } as { items: { id: number }[] })).toEqual([{ id: 2 }]);
    expect(itemsOf(null)).toEqual([]);
  });
  it("describes poll intervals", () => {
    expect(describeInterval(3600)).toBe("hourly");
    expect(describeInterval(900)).toBe("every 15 min");
    expect(describeInterval(21600)).toBe("every 6 h");
    expect(describeInterval(86400)).toBe("daily");
    expect(describeInterval(172800)).toBe("every 2 days");
    expect(describeInterval(null)).toBe("");
  });
  it("treats 404/405 as 'no feeds API on this server', not as an error", () => {
    expect(feedsUnavailable(new ApiError(404, "no such API route"))).toBe(true);
    expect(feedsUnavailable(new ApiError(405, "method not allowed"))).toBe(true);
    expect(feedsUnavailable(new ApiError(500, "internal error"))).toBe(false);
    expect(feedsUnavailable(new TypeError("offline"))).toBe(false);
  });
});
