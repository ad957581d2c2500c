/** Signing out in one tab signs out the others (BroadcastChannel; a no-op where missing). */
const CHANNEL = "mf-session";

export function announceSignOut(): void {
  if (typeof BroadcastChannel === "undefined") return;
  const ch = new BroadcastChannel(CHANNEL);
  ch.postMessage({ type: "signed-out" });
  ch.close();
}

export function onSignOutElsewhere(callback: () => void): () => void {
  if (typeof BroadcastChannel === "undefined") return () => undefined;
  const ch = new BroadcastChannel(CHANNEL);
  ch.onmessage = (e: MessageEvent) => {
    if (e.data?.type === "signed-out") callback();
  };
  return () => ch.close();
}
