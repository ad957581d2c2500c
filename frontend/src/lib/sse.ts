/**
 * A small, spec-following parser for `text/event-stream` (WHATWG HTML §9.2.6).
 *
 * Fed text chunks as they arrive (chunks may split lines anywhere, even between CR and LF),
 * it returns the events completed by that chunk. Invariants the reconnect logic relies on:
 * - an event is returned only once its terminating blank line has arrived, so a connection
 *   cut mid-event never yields a half event;
 * - `lastEventId` changes only when an event is dispatched (as browsers do), so resuming with
 *   it never skips an event that was not delivered.
 */

export interface SseEvent {
  /** The `event:` field, "message" when absent. */
  type: string;
  data: string;
  /** The last event id in force when this event was dispatched ("" if none yet). */
  id: string;
}

export class SseParser {
  lastEventId = "";
  /** The server's `retry:` in ms, when it sent one. */
  retry: number | null = null;

  private buffer = "";
  private data: string[] = [];
  private eventType = "";
  private idBuffer: string | null = null;
  private sawCr = false;
  private started = false;

  /** Parse a chunk; returns the events it completed, in order. */
  push(chunk: string): SseEvent[] {
    if (!this.started) {
      if (!chunk) return [];
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.sawCr && chunk.startsWith("\n")) chunk = chunk.slice(1); // CRLF split across chunks
    this.sawCr = false;
    const out: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c !== "\n" && c !== "\r") continue;
      const line = this.buffer + chunk.slice(start, i);
      this.buffer = "";
      if (c === "\r") {
        if (i + 1 < chunk.length) {
          if (chunk[i + 1] === "\n") i++;
        } else {
          this.sawCr = true;
        }
      }
      start = i + 1;
      const event = this.line(line);
      if (event) out.push(event);
    }
    this.buffer += chunk.slice(start);
    return out;
  }

  /** Forget any partial event (the connection it came from is gone); keep lastEventId. */
  reset(): void {
    this.buffer = "";
    this.data = [];
    this.eventType = "";
    this.idBuffer = null;
    this.sawCr = false;
    this.started = false;
  }

  private line(line: string): SseEvent | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null; // comment (keepalive)
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.eventType = value;
        break;
      case "id":
        if (!value.includes("\0")) this.idBuffer = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
    return null;
  }

  private dispatch(): SseEvent | null {
    if (this.idBuffer !== null) this.lastEventId = this.idBuffer;
    this.idBuffer = null;
    const type = this.eventType || "message";
    this.eventType = "";
    if (this.data.length === 0) return null;
    const data = this.data.join("\n");
    this.data = [];
    return { type, data, id: this.lastEventId };
  }
}
