import { afterEach, describe, expect, it, vi } from "vitest";

describe("cross-tab sign-out", () => {
  afterEach(() => vi.resetModules());

  it("tells other tabs, not this one", async () => {
    const thisTab = await import("./cross-tab");
    vi.resetModules();
    const otherTab = await import("./cross-tab"); // a fresh module: another tab's channel
    const here = vi.fn();
    const there = vi.fn();
    const offHere = thisTab.onSignOutElsewhere(here);
    const offThere = otherTab.onSignOutElsewhere(there);
    thisTab.announceSignOut();
    await new Promise((r) => setTimeout(r, 20));
    expect(there).toHaveBeenCalledOnce();
    expect(here).not.toHaveBeenCalled();
    offHere();
    offThere();
  });
});
