import { describe, expect, it } from "vitest";
import { ApiError, apiError, detailOf, errorMessage } from "./errors";

describe("API errors in plain words", () => {
  it("uses the gateway's detail, capitalised", () => {
    const e = apiError(422, { detail: "this URL cannot be fetched: loopback address" });
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(422);
    expect(e.message).toBe("This URL cannot be fetched: loopback address");
  });
  it("reads FastAPI's list form of detail", () => {
    expect(detailOf({ detail: [{ msg: "field required" }, { msg: "too short" }] })).toBe("field required; too short");
  });
  it("falls back to words for the status, never a raw body", () => {
    expect(apiError(502, "<html>Bad Gateway</html>").message).toMatch(/service is not answering/);
    expect(apiError(418, null).message).toBe("The server answered with an error (418).");
  });
  it("explains network failures and unknown throws", () => {
    expect(errorMessage(new TypeError("Failed to fetch"))).toMatch(/Cannot reach/);
    expect(errorMessage(new Error("x\n  at foo (bar.js:1)"))).toBe("Something went wrong. Try again.");
  });
});
