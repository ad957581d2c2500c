import { describe, expect, it } from "vitest";
import { localDeadline, secondsLeft } from "./countdown";

describe("pairing countdown", () => {
  it("counts against the server's clock when the browser's is off", () => {
    const local = Date.parse("2025-01-01T12:00:00Z"); // the browser runs 3 minutes behind
    const deadline = localDeadline("2025-01-01T12:13:00Z", "Wed, 01 Jan 2025 12:03:00 GMT", local);
    expect(secondsLeft(deadline, local)).toBe(600);
  });
  it("trusts the local clock without a Date header, and never goes below zero", () => {
    const local = Date.parse("2025-01-01T12:00:00Z");
    expect(localDeadline("2025-01-01T12:10:00Z", null, local)).toBe(Date.parse("2025-01-01T12:10:00Z"));
    expect(secondsLeft(local - 5000, local)).toBe(0);
    expect(secondsLeft(local + 1200, local)).toBe(2);
  });
});

