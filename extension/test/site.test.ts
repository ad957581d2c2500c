import { describe, expect, it } from "vitest";
import { registrableDomain, siteOf } from "../src/site";

describe("siteOf: which cookies 'this site' means", () => {
  it.each([
    ["https://www.youtube.com/watch?v=x", "youtube.com"],
    ["https://music.youtube.com/", "youtube.com"],
    ["https://youtube.com", "youtube.com"],
    ["https://a.b.example.co.uk/x", "example.co.uk"],
    ["https://news.bbc.co.uk/", "bbc.co.uk"],
    ["https://someone.github.io/page", "someone.github.io"], // a private suffix, as the vault counts it
    ["https://WWW.Example.COM./x", "example.com"],
    ["http://localhost:8080/", "localhost"],
    ["http://nas/videos", "nas"],
  ])("%s -> %s", (url, site) => {
    const choice = siteOf(url)!;
    expect(choice.site).toBe(site);
    expect(choice.cookieDomain).toBe(site);
    expect(choice.origins).toEqual([`*://*.${site}/*`]);
  });

  it("treats an IPv4 address as its own site, any port", () => {
    expect(siteOf("http://127.0.0.1:43210/set-cookie")).toEqual({
      site: "127.0.0.1", cookieDomain: "127.0.0.1", origins: ["*://127.0.0.1/*"],
    });
  });

  it("treats an IPv6 address as its own site (brackets only in the pattern)", () => {
    expect(siteOf("http://[::1]:8080/")).toEqual({
      site: "::1", cookieDomain: "::1", origins: ["*://[::1]/*"],
    });
  });

  it.each(["chrome://extensions", "file:///tmp/a.mp4", "about:blank", "", "not a url",
    "chrome-extension://abc/popup.html", "view-source:https://example.com"])("refuses %s", (url) => {
    expect(siteOf(url)).toBeNull();
  });

  it("never asks for more than one site", () => {
    for (const url of ["https://x.y.z.example.org/", "http://127.0.0.1/", "https://a.co.jp/"]) {
      const { origins } = siteOf(url)!;
      expect(origins).toHaveLength(1);
      expect(origins[0]).not.toMatch(/^\*:\/\/\*\/|<all_urls>/);
    }
  });

  it("registrableDomain is the site or null", () => {
    expect(registrableDomain("https://m.vimeo.com/1")).toBe("vimeo.com");
    expect(registrableDomain("ftp://example.com/")).toBeNull();
  });
});
