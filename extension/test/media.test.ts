import { describe, expect, it } from "vitest";
import { chooseTarget, menuTarget } from "../src/media";

const page = (sources: string[], isMediaDocument = false) => ({ isMediaDocument, sources });

describe("chooseTarget: page URL or media URL", () => {
  it("known sites send the page, even with a video element", () => {
    const url = "https://www.youtube.com/watch?v=abc";
    expect(chooseTarget(url, page(["blob:https://www.youtube.com/1234"]))).toEqual({ url, reason: "known-site" });
    expect(chooseTarget("https://vimeo.com/1", page(["https://vod.example/1.mp4"])).reason).toBe("known-site");
  });

  it("a media file shown by the browser sends its own URL", () => {
    const url = "https://cdn.example/clip.mp4";
    expect(chooseTarget(url, page([url], true))).toEqual({ url, reason: "page-is-media" });
  });

  it("an ordinary page with a real video sends the video's URL", () => {
    const pageUrl = "http://127.0.0.1:5000/page/h264.mp4";
    const src = "http://127.0.0.1:5000/files/h264.mp4";
    expect(chooseTarget(pageUrl, page([src]))).toEqual({ url: src, reason: "media-on-page" });
  });

  it("skips blob:, data: and other non-http sources", () => {
    const pageUrl = "https://blog.example/post";
    expect(chooseTarget(pageUrl, page(["blob:https://blog.example/x", "data:video/mp4;base64,AAAA"])))
      .toEqual({ url: pageUrl, reason: "page" });
    expect(chooseTarget(pageUrl, page(["blob:x", "https://cdn.example/a.webm"])).url).toBe("https://cdn.example/a.webm");
  });

  it("no media, or a page that could not be read, sends the page", () => {
    expect(chooseTarget("https://example.org/a", page([]))).toEqual({ url: "https://example.org/a", reason: "page" });
    expect(chooseTarget("https://example.org/a", null).reason).toBe("page");
  });
});

describe("menuTarget: the context menu's URL", () => {
  it("a link wins", () => {
    expect(menuTarget({ linkUrl: "https://x.example/v", srcUrl: "https://x.example/a.mp4", pageUrl: "https://x.example/" }))
      .toBe("https://x.example/v");
  });

  it("a video's src on an unknown site, the page on a known one", () => {
    expect(menuTarget({ srcUrl: "https://cdn.example/a.mp4", pageUrl: "https://blog.example/" })).toBe("https://cdn.example/a.mp4");
    expect(menuTarget({ srcUrl: "blob:https://www.youtube.com/1", pageUrl: "https://www.youtube.com/watch?v=1" }))
      .toBe("https://www.youtube.com/watch?v=1");
  });

  it("otherwise the page", () => {
    expect(menuTarget({ pageUrl: "https://example.org/" })).toBe("https://example.org/");
  });
});
