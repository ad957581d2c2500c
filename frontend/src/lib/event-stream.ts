/**
 * Live events over `fetch` streaming (EventSource cannot send the Authorization header).
 *
 * Bookkeeping that makes resuming lossless:
 * - `lastEventId` is the id of the last event *delivered* to `onEvent`; every reconnect sends
 *   it as `Last-Event-ID`, and the gateway replays everything after it.
 * - A connection that drops mid-event discards the partial event (the parser never yields it),
 *   so it is replayed on resume instead of lost.
 * - A 401 asks `refresh()` for a new token once, then reconnects; a 422 (an id the server no
 *   longer knows) starts fresh and says so through `onOpen({ resumed: false })`, so the app
 *   can refetch whatever it may have missed.
 * - Reconnect delay: the server's `retry:` after a clean end, else exponential backoff with
 *   jitter, capped; reset after a connection delivers something.
 */
import { SseParser, type SseEvent } from "./sse";

export type StreamStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface EventStreamOptions {
  url: string;
  getToken: () => string | null;
  /** Get a fresh access token after a 401; false when the session is over. */
  refresh: () => Promise<boolean>;
  onEvent: (event: SseEvent) => void;
  /** Each successful (re)connection; `resumed` is false when events may have been missed. */
  onOpen?: (info: { resumed: boolean }) => void;
  onStatus?: (status: StreamStatus) => void;
  /** The session ended (refresh failed): the stream stops. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** Delay before reconnect attempt `attempt` (0-based): base·2^attempt, ±20 % jitter, capped. */
export function backoffDelay(attempt: number, { base = 1000, max = 30_000, random = Math.random } = {}): number {
  const raw = Math.min(max, base * 2 ** Math.min(attempt, 16));
  const jitter = raw * 0.2 * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(max, raw + jitter)));
}

export class EventStream {
  lastEventId = "";
  status: StreamStatus = "closed";

  private readonly opts: EventStreamOptions;
  private readonly parser = new SseParser();
  private controller: AbortController | null = null;
  private timer: unknown = null;
  private failures = 0;
  private stopped = true;

  constructor(opts: EventStreamOptions) {
    this.opts = opts;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    this.controller = null;
    if (this.timer !== null) (this.opts.clearTimeout ?? clearTimeout)(this.timer as number);
    this.timer = null;
    this.setStatus("closed");
  }

  /** Drop the current connection and reconnect now (e.g. the network came back). */
  reconnectNow(): void {
    if (this.stopped) return;
    this.controller?.abort();
    if (this.timer !== null) (this.opts.clearTimeout ?? clearTimeout)(this.timer as number);
    this.timer = null;
    this.failures = 0;
    void this.connect();
  }

  private setStatus(status: StreamStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.opts.onStatus?.(status);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setStatus(this.failures === 0 && !this.lastEventId ? "connecting" : "reconnecting");
    const controller = new AbortController();
    this.controller = controller;
    const doFetch = this.opts.fetch ?? fetch;
    let clean = false;
    try {
      const response = await this.open(doFetch, controller.signal, true);
      if (!response) return; // stopped, or the session is over
      clean = await this.read(response, controller);
    } catch {
      if (controller.signal.aborted) return; // stop() or reconnectNow() took over
    }
    if (this.controller === controller) this.controller = null;
    this.schedule(clean);
  }

  /** Fetch the stream; handles 401 (refresh once) and 422 (unknown id: start fresh). */
  private async open(doFetch: typeof fetch, signal: AbortSignal, mayRefresh: boolean): Promise<Response | null> {
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    const token = this.opts.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
    const response = await doFetch(this.opts.url, { headers, signal, cache: "no-store" });
    if (this.stopped || signal.aborted) return null;
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      if (mayRefresh && (await this.opts.refresh())) return this.open(doFetch, signal, false);
      this.stopped = true;
      this.setStatus("closed");
      this.opts.onUnauthorized?.();
      return null;
    }
    if (response.status === 422 && this.lastEventId) {
      await response.body?.cancel().catch(() => undefined);
      this.lastEventId = "";
      this.parser.lastEventId = "";
      return this.open(doFetch, signal, mayRefresh);
    }
    if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
    return response;
  }

  /** Read until the stream ends; true when it ended cleanly (the server closed it). */
  private async read(response: Response, controller: AbortController): Promise<boolean> {
    const resumed = Boolean(this.lastEventId);
    this.parser.reset();
    this.parser.lastEventId = this.lastEventId;
    this.setStatus("open");
    this.opts.onOpen?.({ resumed });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const events = this.parser.push(decoder.decode(value, { stream: true }));
        this.failures = 0; // the connection delivers: the next drop starts backoff afresh
        for (const event of events) {
          this.lastEventId = event.id;
          try {
            this.opts.onEvent(event);
          } catch {
            // a bad handler must not kill the stream
          }
        }
        if (controller.signal.aborted) return false;
      }
      return true;
    } finally {
      reader.releaseLock();
    }
  }

  private schedule(clean: boolean): void {
    if (this.stopped) return;
    this.setStatus("reconnecting");
    const delay = clean && this.parser.retry !== null && this.failures === 0
      ? this.parser.retry
      : backoffDelay(this.failures, { base: this.opts.baseDelayMs ?? 1000, max: this.opts.maxDelayMs ?? 30_000, random: this.opts.random });
    this.failures += 1;
    this.timer = (this.opts.setTimeout ?? setTimeout)(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }
}
