/**
 * Player keyboard shortcuts, as on the big video sites:
 * space/k play-pause, j/l ±10 s, ←/→ ±5 s, f fullscreen, m mute.
 * Pure: decides the action for a key event; the page applies it.
 */
export type PlayerAction =
  | { type: "toggle" }
  | { type: "seek"; by: number }
  | { type: "fullscreen" }
  | { type: "mute" };

export const SHORTCUTS: { keys: string[]; label: string }[] = [
  { keys: ["Space", "K"], label: "Play / pause" },
  { keys: ["J", "L"], label: "Back / forward 10 s" },
  { keys: ["←", "→"], label: "Back / forward 5 s" },
  { keys: ["F"], label: "Full screen" },
  { keys: ["M"], label: "Mute" },
];

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** Tag name of the focused element (upper case, as in DOM), and whether it is editable. */
  targetTag?: string;
  targetEditable?: boolean;
}

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);
const ACTIVATES_ON_SPACE = new Set(["BUTTON", "A", "SUMMARY"]);

export function actionForKey(e: KeyLike): PlayerAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.targetEditable || (e.targetTag && TYPING.has(e.targetTag))) return null;
  switch (e.key) {
    case " ":
    case "Spacebar":
      return e.targetTag && ACTIVATES_ON_SPACE.has(e.targetTag) ? null : { type: "toggle" };
    case "k":
    case "K":
      return { type: "toggle" };
    case "j":
    case "J":
      return { type: "seek", by: -10 };
    case "l":
    case "L":
      return { type: "seek", by: 10 };
    case "ArrowLeft":
      return { type: "seek", by: -5 };
    case "ArrowRight":
      return { type: "seek", by: 5 };
    case "f":
    case "F":
      return { type: "fullscreen" };
    case "m":
    case "M":
      return { type: "mute" };
    default:
      return null;
  }
}

/** The new playback position after seeking `by` seconds, kept inside the media. */
export function seekTarget(current: number, by: number, duration: number): number {
  const end = Number.isFinite(duration) && duration > 0 ? duration : Infinity;
  return Math.min(Math.max(0, current + by), end);
}
