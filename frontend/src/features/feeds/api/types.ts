/**
 * The feeds API (DESIGN §8: GET|POST /api/feeds, DELETE /api/feeds/{id},
 * GET /api/feeds/{id}/items, POST /api/feeds/{id}/poll) is not in the gateway's OpenAPI yet,
 * so these shapes cannot be generated. They are the minimum the page reads, every field
 * beyond id/url optional; replace them with the generated types (Schemas["FeedOut"], …)
 * when the gateway publishes the feeds routes.
 */
export interface Feed {
  id: string;
  url: string;
  title?: string | null;
  kind?: string | null;
  auto_download?: boolean;
  last_error?: string | null;
  last_polled_at?: string | null;
  created_at?: string | null;
  item_count?: number | null;
}

export interface FeedItem {
  id: string;
  url: string;
  title?: string | null;
  published_at?: string | null;
  discovered_at?: string | null;
  job_id?: string | null;
  status?: string | null;
}

export interface NewFeed {
  url: string;
  auto_download: boolean;
}

/** List endpoints may answer a bare array or {items, total}: accept both. */
export function itemsOf<T>(body: T[] | { items?: T[] } | null | undefined): T[] {
  if (Array.isArray(body)) return body;
  return body?.items ?? [];
}
