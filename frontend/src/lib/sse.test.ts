import { describe, expect, it } from "vitest";
import { SseParser } from "./sse";

function parseAll(chunks: string[]) {
  const p = new SseParser();
  const events = chunks.flatMap((c) => p.push(c));
  return { events, parser: p };
}

describe("SseParser", () => {
  it("parses id, event and data, as the gateway sends them", () => {
    const { events, parser } = parseAll([
      'retry: 3000\n\nid: 1-0\nevent: job\ndata: {"id":"a"}\n\n: keepalive\n\nid: 2-0\nevent: progress\ndata: {"p":1}\n\n',
    ]);
    expect(events).toEqual([
      { type: "job", data: '{"id":"a"}', id: "1-0" },
      { type: "progress", data: '{"p":1}', id: "2-0" },
    ]);
    expect(parser.retry).toBe(3000);
    expect(parser.lastEventId).toBe("2-0");
  });

  it("joins multi-line data with newlines and defaults the type to message", () => {
    const { events } = parseAll(["data: one\ndata: two\ndata\n\n"]);
    expect(events).toEqual([{ type: "message", data: "one\ntwo\n", id: "" }]);
  });

  it("gives the same events however the stream is split, CRLF and CR included", () => {
    const text = "id: 7\r\nevent: job\r\ndata: x\r\n\r\nid: 8\revent: library\rdata: y\r\rdata:z\n\n";
    const whole = parseAll([text]).events;
    expect(whole).toEqual([
      { type: "job", data: "x", id: "7" },
      { type: "library", data: "y", id: "8" },
      { type: "message", data: "z", id: "8" },
    ]);
    for (let i = 0; i <= text.length; i++) {
      expect(parseAll([text.slice(0, i), text.slice(i)]).events).toEqual(whole);
    }
    expect(parseAll(text.split("")).events).toEqual(whole);
  });

  it("never yields an event before its blank line (a cut connection loses no half event)", () => {
    const p = new SseParser();
    expect(p.push("id: 1\nevent: job\ndata: {}\n\nid: 2\nevent: job\ndata: {")).toHaveLength(1);
    expect(p.lastEventId).toBe("1");
    p.reset(); // the connection dropped
    expect(p.lastEventId).toBe("1");
    expect(p.push("id: 3\ndata: fresh\n\n")).toEqual([{ type: "message", data: "fresh", id: "3" }]);
  });

  it("updates the last id on an id-only block, ignores ids with NUL and bad retry values", () => {
    const p = new SseParser();
    expect(p.push("id: 5\n\n")).toEqual([]);
    expect(p.lastEventId).toBe("5");
    p.push("id: a\0b\ndata: d\n\n");
    expect(p.lastEventId).toBe("5");
    p.push("retry: soon\n\n");
    expect(p.retry).toBeNull();
  });

  it("strips one leading space only, a BOM, and ignores unknown fields and comments", () => {
    const { events } = parseAll(["\ufeffdata:  two spaces\nfoo: bar\n:comment\n\n"]);
    expect(events).toEqual([{ type: "message", data: " two spaces", id: "" }]);
  });
});
