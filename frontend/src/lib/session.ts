/**
 * The signed-in session: a short-lived access token kept in memory only, renewed through the
 * httpOnly refresh cookie (POST /api/auth/refresh) before it expires, so the user never sees
 * a session end while the refresh cookie lives.
 *
 * Invariants:
 * - at most one refresh is in flight per tab (callers share its promise), and tabs take turns
 *   through a Web Lock: the gateway rotates the refresh cookie on every use and treats a
 *   rotated cookie coming back as theft (it ends every session of that family), so two
 *   concurrent refreshes with the same cookie would sign the user out;
 * - a refresh is scheduled `leadMs` before expiry; `ensureFresh()` covers timers that slept
 *   (a suspended laptop) by refreshing before a request when the token is (nearly) stale;
 * - a refresh answered 401 ends the session (`onExpired`); a network failure keeps the token
 *   and tries again a little later.
 */

export interface TokenResponse {
  access_token: string;
  expires_in: number;
}

export interface SessionState {
  token: string | null;
  expiresAt: number | null; // epoch ms
}

export interface SessionOptions {
  refreshUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** Cross-tab mutual exclusion (navigator.locks.request); runs `fn` directly when absent. */
  lock?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  onChange?: (state: SessionState) => void;
  /** The session is over (refresh refused): show the sign-in screen. */
  onExpired?: () => void;
  /** Refresh this long before expiry (default: 60 s, or a quarter of a short lifetime). */
  leadMs?: number;
  retryMs?: number;
}

/** When to refresh a token that lives `ttlMs` from `issuedAt`: `lead` before the end, not before half-life. */
export function refreshAt(issuedAt: number, ttlMs: number, leadMs = 60_000): number {
  const lead = Math.min(leadMs, ttlMs / 4);
  return issuedAt + Math.max(ttlMs / 2, ttlMs - lead);
}

export class Session {
  private state: SessionState = { token: null, expiresAt: null };
  private inflight: Promise<boolean> | null = null;
  private timer: unknown = null;
  private readonly o: Required<Omit<SessionOptions, "onChange" | "onExpired" | "lock" | "leadMs">> &
    Pick<SessionOptions, "onChange" | "onExpired" | "lock" | "leadMs">;

  constructor(options: SessionOptions = {}) {
    this.o = {
      refreshUrl: "/api/auth/refresh",
      fetch: (...args) => fetch(...args),
      now: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as number),
      retryMs: 15_000,
      ...options,
    };
  }

  get token(): string | null {
    return this.state.token;
  }

  get expiresAt(): number | null {
    return this.state.expiresAt;
  }

  /** Keep a token from /api/auth/login or /api/auth/refresh and schedule its renewal. */
  accept(body: TokenResponse): void {
    const now = this.o.now();
    const ttl = Math.max(1, body.expires_in) * 1000;
    this.set({ token: body.access_token, expiresAt: now + ttl });
    this.scheduleAt(refreshAt(now, ttl, this.o.leadMs));
  }

  /** Forget the token (sign out, or the session expired). */
  clear(): void {
    this.cancelTimer();
    this.set({ token: null, expiresAt: null });
  }

  /** True when the token is missing or expires within `marginMs`. */
  isStale(marginMs = 10_000): boolean {
    return !this.state.token || this.state.expiresAt === null || this.o.now() >= this.state.expiresAt - marginMs;
  }

  /** Refresh first when the token is (nearly) stale; resolves false when there is no session. */
  async ensureFresh(): Promise<boolean> {
    if (!this.isStale()) return true;
    return this.refresh();
  }

  /** Trade the refresh cookie for a new token; concurrent callers share one request. */
  refresh(): Promise<boolean> {
    if (!this.inflight) {
      const run = () => this.doRefresh();
      this.inflight = (this.o.lock ? this.o.lock("mf-session-refresh", run) : run()).finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private async doRefresh(): Promise<boolean> {
    let response: Response;
    try {
      response = await this.o.fetch(this.o.refreshUrl, { method: "POST", credentials: "same-origin" });
    } catch {
      // Offline or the server restarting: keep what we have and try again soon.
      if (this.state.token) this.scheduleAt(this.o.now() + this.o.retryMs);
      return Boolean(this.state.token) && !this.isStale(0);
    }
    if (response.ok) {
      this.accept((await response.json()) as TokenResponse);
      return true;
    }
    if (response.status === 401 || response.status === 403) {
      const had = this.state.token !== null;
      this.clear();
      if (had) this.o.onExpired?.();
      return false;
    }
    if (this.state.token) this.scheduleAt(this.o.now() + this.o.retryMs);
    return false;
  }

  private set(state: SessionState): void {
    this.state = state;
    this.o.onChange?.(state);
  }

  private scheduleAt(when: number): void {
    this.cancelTimer();
    const delay = Math.max(0, when - this.o.now());
    this.timer = this.o.setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, delay);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.o.clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Paths that must not trigger refresh-and-retry (they are the session machinery itself). */
const NO_RETRY = ["/api/auth/login", "/api/auth/refresh", "/api/auth/logout", "/api/setup"];

/**
 * A fetch that adds `Authorization: Bearer`, refreshes a stale token first, and on a 401
 * refreshes once and retries the request once with the new token.
 */
export function createAuthFetch(session: Session, base: typeof fetch = (...a) => fetch(...a)) {
  return async function authFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const path = new URL(request.url, "http://x").pathname;
    const sessionPath = NO_RETRY.includes(path);
    if (!sessionPath) await session.ensureFresh();
    const retry = sessionPath ? null : request.clone();
    const response = await base(withToken(request, session.token));
    if (response.status !== 401 || !retry) return response;
    if (!(await session.refresh())) return response;
    return base(withToken(retry, session.token));
  };
}

function withToken(request: Request, token: string | null): Request {
  if (!token) return request;
  const headers = new Headers(request.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(request, { headers });
}
