import { describe, expect, it } from "vitest";
import {
  clampPercent,
  formatBytes,
  formatCountdown,
  formatDuration,
  formatEta,
  formatRelative,
  formatResolution,
  formatSpeed,
  siteOf,
} from "./format";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1 KB"],
    [1536, "1.5 KB"],
    [10 * 1024 * 1024, "10 MB"],
    [123.4 * 1024 ** 3, "123 GB"],
    [2.25 * 1024 ** 4, "2.3 TB"],
  ])("%d → %s", (n, s) => expect(formatBytes(n)).toBe(s));
  it("shows a dash for unknown", () => {
    expect(formatBytes(null)).toBe("—");
    expect(formatBytes(undefined)).toBe("—");
    expect(formatBytes(Number.NaN)).toBe("—");
    expect(formatBytes(-1)).toBe("—");
  });
});

describe("formatSpeed", () => {
  it("is bytes per second", () => {
    expect(formatSpeed(2.5 * 1024 * 1024)).toBe("2.5 MB/s");
    expect(formatSpeed(0)).toBe("—");
    expect(formatSpeed(null)).toBe("—");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0:00"],
    [5.9, "0:05"],
    [65, "1:05"],
    [3599, "59:59"],
    [3600, "1:00:00"],
    [3723, "1:02:03"],
  ])("%d s → %s", (n, s) => expect(formatDuration(n)).toBe(s));
  it("is empty for unknown", () => {
    expect(formatDuration(null)).toBe("");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("");
  });
});

describe("formatEta", () => {
  it.each([
    [0, "0 s left"],
    [44.6, "45 s left"],
    [90, "2 min left"],
    [3600, "1 h left"],
    [3900, "1 h 5 min left"],
  ])("%d s → %s", (n, s) => expect(formatEta(n)).toBe(s));
  it("is empty when unknown", () => expect(formatEta(null)).toBe(""));
});

describe("small helpers", () => {
  it("clamps percentages", () => {
    expect(clampPercent(140)).toBe(100);
    expect(clampPercent(-3)).toBe(0);
    expect(clampPercent(null)).toBeNull();
  });
  it("names the site of a URL", () => {
    expect(siteOf("https://www.youtube.com/watch?v=x")).toBe("youtube.com");
    expect(siteOf("http://127.0.0.1:8000/files/a.mp4")).toBe("127.0.0.1");
    expect(siteOf("not a url")).toBe("not a url");
    expect(siteOf(null)).toBe("");
  });
  it("formats relative times", () => {
    const now = new Date("2025-01-10T12:00:00Z");
    expect(formatRelative("2025-01-10T11:59:40Z", now)).toBe("just now");
    expect(formatRelative("2025-01-10T11:55:00Z", now)).toBe("5 minutes ago");
    expect(formatRelative("2025-01-09T12:00:00Z", now)).toBe("yesterday");
    expect(formatRelative("2025-01-12T12:00:00Z", now)).toBe("in 2 days");
    expect(formatRelative(null, now)).toBe("never");
  });
  it("counts down in m:ss and shows resolutions", () => {
    expect(formatCountdown(600)).toBe("10:00");
    expect(formatCountdown(61.2)).toBe("1:02");
    expect(formatCountdown(-5)).toBe("0:00");
    expect(formatResolution(1920, 1080)).toBe("1920×1080");
    expect(formatResolution(null, 1080)).toBe("");
  });
});
