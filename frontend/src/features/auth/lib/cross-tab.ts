/**
 * Signing out in one tab signs out the others (BroadcastChannel; a no-op where missing).
 * One channel object per tab for sending and receiving: a channel never hears its own
 * messages, so this tab is not told that "another tab" signed out.
 */
const CHANNEL = "mf-session";
let channel: BroadcastChannel | null = null;

function shared(): BroadcastChannel | null {
  if (typeof BroadcastChannel === "undefined") return null;
  channel ??= new BroadcastChannel(CHANNEL);
  return channel;
}

export function announceSignOut(): void {
  shared()?.postMessage({ type: "signed-out" });
}

export function onSignOutElsewhere(callback: () => void): () => void {
  const ch = shared();
  if (!ch) return () => undefined;
  const listener = (e: MessageEvent) => {
    if (e.data?.type === "signed-out") callback();
  };
  ch.addEventListener("message", listener);
  return () => ch.removeEventListener("message", listener);
}
