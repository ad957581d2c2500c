import { describe, expect, it } from "vitest";
import type { LibraryPage } from "@/lib/api";
import { nextOffset } from "./get-library";

const page = (n: number, total: number): LibraryPage => ({ items: Array.from({ length: n }, (_, i) => ({ id: String(i) }) as LibraryPage["items"][number]), total });

describe("library pagination", () => {
  it("asks for the next offset until every item is loaded", () => {
    expect(nextOffset([page(48, 100)])).toBe(48);
    expect(nextOffset([page(48, 100), page(48, 100)])).toBe(96);
    expect(nextOffset([page(48, 100), page(48, 100), page(4, 100)])).toBeUndefined();
    expect(nextOffset([page(0, 0)])).toBeUndefined();
  });
  it("stops on an empty page even if the total grew stale (items deleted meanwhile)", () => {
    expect(nextOffset([page(48, 60), page(0, 60)])).toBeUndefined();
  });
});
