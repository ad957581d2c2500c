import { describe, expect, it } from "vitest";
import { actionForKey, seekTarget } from "./shortcuts";

describe("player shortcuts", () => {
  it("maps the usual keys", () => {
    expect(actionForKey({ key: " " })).toEqual({ type: "toggle" });
    expect(actionForKey({ key: "k" })).toEqual({ type: "toggle" });
    expect(actionForKey({ key: "j" })).toEqual({ type: "seek", by: -10 });
    expect(actionForKey({ key: "L" })).toEqual({ type: "seek", by: 10 });
    expect(actionForKey({ key: "ArrowLeft" })).toEqual({ type: "seek", by: -5 });
    expect(actionForKey({ key: "ArrowRight" })).toEqual({ type: "seek", by: 5 });
    expect(actionForKey({ key: "f" })).toEqual({ type: "fullscreen" });
    expect(actionForKey({ key: "m" })).toEqual({ type: "mute" });
    expect(actionForKey({ key: "x" })).toBeNull();
  });

  it("stays out of the way while typing, with modifiers, and of space on buttons", () => {
    expect(actionForKey({ key: "k", targetTag: "INPUT" })).toBeNull();
    expect(actionForKey({ key: "k", targetEditable: true })).toBeNull();
    expect(actionForKey({ key: "f", ctrlKey: true })).toBeNull();
    expect(actionForKey({ key: "l", metaKey: true })).toBeNull();
    expect(actionForKey({ key: " ", targetTag: "BUTTON" })).toBeNull();
    expect(actionForKey({ key: "k", targetTag: "BUTTON" })).toEqual({ type: "toggle" });
  });

  it("keeps seeks inside the media", () => {
    expect(seekTarget(3, -10, 60)).toBe(0);
    expect(seekTarget(55, 10, 60)).toBe(60);
    expect(seekTarget(20, 5, 60)).toBe(25);
    expect(seekTarget(20, 10, Number.NaN)).toBe(30);
  });
});
