import { describe, expect, it } from "vitest";
import { describeFailure, type Failure, FailureError, toFailure } from "../src/errors";

const http = (action: "submit" | "cookies" | "pair" | "test" | "poll", status: number, detail: string): Failure =>
  ({ kind: "http", action, status, detail, server: "http://mf.lan:8080" });

describe("describeFailure: server errors in plain words", () => {
  it("a revoked token says revoked and how to fix it", () => {
    const text = describeFailure(http("submit", 401, "extension token is invalid or was revoked"));
    expect(text).toMatch(/revoked/);
    expect(text).toMatch(/pair again/i);
    expect(text).toContain("extension token is invalid or was revoked");
    expect(describeFailure(http("cookies", 401, "extension token is invalid or was revoked"))).toMatch(/revoked/);
  });

  it("a missing scope names what the token may not do", () => {
    expect(describeFailure(http("cookies", 403, "this token lacks the 'cookies' scope")))
      .toMatch(/not allowed to send cookies/);
    expect(describeFailure(http("submit", 403, "this token lacks the 'submit' scope")))
      .toMatch(/not allowed to submit downloads/);
  });

  it("a refused URL carries the server's reason", () => {
    const text = describeFailure(http("submit", 422, "this URL cannot be fetched: cannot resolve x.invalid"));
    expect(text).toBe("The server refused this URL: this URL cannot be fetched: cannot resolve x.invalid.");
  });

  it("refused cookies and too many cookies carry the reason", () => {
    expect(describeFailure(http("cookies", 422, "invalid cookie upload: cookies[0].domain: must be a host name")))
      .toMatch(/^The server refused these cookies: invalid cookie upload/);
    expect(describeFailure(http("cookies", 413, "too many cookies"))).toMatch(/^Too many cookies at once/);
  });

  it("a wrong pairing code says so", () => {
    expect(describeFailure(http("pair", 400, "this pairing code is wrong, expired or used; make a new one in Settings")))
      .toMatch(/^The pairing code was not accepted: this pairing code is wrong/);
  });

  it("rate limits, server failures and strangers", () => {
    expect(describeFailure(http("pair", 429, "too many attempts; wait a minute"))).toMatch(/Wait a minute/);
    expect(describeFailure(http("cookies", 503, "the vault service is not reachable; try again shortly")))
      .toMatch(/server had a problem \(503: the vault service is not reachable/);
    expect(describeFailure(http("test", 404, "Not Found"))).toMatch(/does not look like a MediaFetcher server/);
    expect(describeFailure(http("submit", 409, "conflict"))).toBe("The server answered 409: conflict.");
  });

  it("local problems", () => {
    expect(describeFailure({ kind: "not-paired" })).toMatch(/^Not paired/);
    expect(describeFailure({ kind: "no-server" })).toMatch(/No server is set/);
    expect(describeFailure({ kind: "unreachable", server: "http://mf.lan" })).toMatch(/^Cannot reach the server at http:\/\/mf.lan/);
    expect(describeFailure({ kind: "timeout", server: "http://mf.lan" })).toMatch(/did not answer in time/);
    expect(describeFailure({ kind: "not-web-page", url: "chrome://settings" })).toMatch(/only http and https/);
    expect(describeFailure({ kind: "permission-denied", site: "example.com" })).toMatch(/Access to example.com was not granted/);
    expect(describeFailure({ kind: "no-cookies", site: "example.com" })).toMatch(/no cookies for example.com/);
  });

  it("CORS names the exact setting and this extension's origin", () => {
    const text = describeFailure({ kind: "cors", server: "http://mf.lan", origin: "chrome-extension://abcdef" });
    expect(text).toContain("MF_EXTENSION_ORIGINS=chrome-extension://abcdef");
    expect(text).toMatch(/restart the gateway/);
  });

  it("toFailure keeps ours and wraps the rest", () => {
    expect(toFailure(new FailureError({ kind: "not-paired" }))).toEqual({ kind: "not-paired" });
    expect(toFailure(new Error("boom"))).toEqual({ kind: "unexpected", message: "boom" });
    expect(describeFailure(toFailure("odd"))).toMatch(/odd/);
  });
});
