import { describe, expect, it } from "vitest";
import { normalizeServer } from "../src/config";
import { browserName } from "../src/platform";

describe("normalizeServer", () => {
  it.each([
    ["http://192.168.1.10:8080/", "http://192.168.1.10:8080"],
    ["  https://mf.example.org  ", "https://mf.example.org"],
    ["mf.lan:8080", "http://mf.lan:8080"],
    ["https://proxy.example/mediafetcher///", "https://proxy.example/mediafetcher"],
    ["HTTP://MF.LAN", "http://mf.lan"],
  ])("%s -> %s", (input, out) => expect(normalizeServer(input)).toBe(out));

  it.each(["", "   ", "ftp://mf.lan", "http://", "http://user:pw@mf.lan", "http://mf.lan/?x=1", "javascript:alert(1)"])(
    "refuses %j", (input) => expect(normalizeServer(input)).toBeNull());
});

describe("browserName", () => {
  it("names the token after the browser", () => {
    expect(browserName("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe("Firefox");
    expect(browserName("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36")).toBe("Chrome");
    expect(browserName("… Chrome/120.0 Safari/537.36 Edg/120.0")).toBe("Edge");
    expect(browserName("")).toBe("browser");
  });
});
