/** API errors in plain words: the gateway answers `{"detail": "..."}`; never show a stack. */

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

const STATUS_WORDS: Record<number, string> = {
  400: "The request was not accepted.",
  401: "Your session has ended; sign in again.",
  403: "You are not allowed to do this.",
  404: "Not found.",
  409: "That conflicts with the current state; refresh and try again.",
  413: "That is too large for the server.",
  422: "Some of the input is not valid.",
  429: "Too many attempts; wait a minute and try again.",
  500: "The server had a problem; try again in a moment.",
  502: "A MediaFetcher service is not answering; try again in a moment.",
  503: "A MediaFetcher service is not available right now; try again in a moment.",
  504: "A MediaFetcher service took too long to answer; try again.",
};

/** The `detail` of an error body when it is a readable string (FastAPI's shape). */
export function detailOf(body: unknown): string | null {
  if (body && typeof body === "object" && "detail" in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === "string" && detail.trim()) return detail.trim();
    if (Array.isArray(detail) && detail.length) {
      const msgs = detail
        .map((d) => (d && typeof d === "object" && "msg" in d ? String((d as { msg: unknown }).msg) : ""))
        .filter(Boolean);
      if (msgs.length) return msgs.join("; ");
    }
  }
  return null;
}

/** An ApiError from a status and whatever body came back (JSON or not). */
export function apiError(status: number, body: unknown): ApiError {
  const detail = detailOf(body);
  const words = detail ?? STATUS_WORDS[status] ?? `The server answered with an error (${status}).`;
  return new ApiError(status, capitalize(words));
}

/** Plain words for anything thrown: ApiError's detail, a network failure, or a generic line. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "Cannot reach the MediaFetcher server. Check your connection.";
  if (error instanceof Error && error.name === "AbortError") return "The request was cancelled.";
  return "Something went wrong. Try again.";
}

function capitalize(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}
