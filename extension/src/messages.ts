/** What the popup and the service worker say to each other (runtime.sendMessage). */
import type { JobOut } from "./api";
import type { Failure } from "./errors";

export type Message =
  | { type: "submit"; url: string }
  | { type: "export-cookies"; request: string; pageUrl: string; tabId?: number }
  | { type: "cancel-export"; request: string }
  | { type: "seen" };

export type SubmitResult = { ok: true; job: JobOut } | { ok: false; failure: Failure };
export type ExportReply = { ok: true; text: string } | { ok: false; failure: Failure };
