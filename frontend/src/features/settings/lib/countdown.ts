/**
 * Countdowns against the server's clock: the pairing code expires at a server time, and
 * the browser's clock may be off. The response's Date header gives the server's "now", so
 * the local deadline is now + (expires_at − server now). Pure: unit-tested.
 */
export function localDeadline(expiresAt: string, serverDate: string | null, localNow: number): number {
  const expires = Date.parse(expiresAt);
  const server = serverDate ? Date.parse(serverDate) : NaN;
  if (!Number.isFinite(expires)) return localNow;
  if (!Number.isFinite(server)) return expires; // no Date header: trust the local clock
  return localNow + (expires - server);
}

/** Seconds left until `deadline` (never negative). */
export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}
