/**
 * Feeds. Requests are typed by the generated schema (NewFeed, FeedChange); the gateway
 * declares the responses as plain objects (no response model yet), so the fields this page
 * reads are spelled out here, from feed-svc's tables. Replace them with the generated types
 * once the gateway gives the feeds routes response models.
 */
import type { Schemas } from "@/lib/api";

export interface Feed {
  id: string;
  url: string;
  title?: string | null;
  /** rss | youtube | ytdlp, known after the first successful poll. */
  kind?: string | null;
  interval_s?: number | null;
  auto_download?: boolean;
  backlog?: boolean;
  created_at?: string | null;
  last_polled_at?: string | null;
  next_poll_at?: string | null;
  last_ok_at?: string | null;
  last_error?: string | null;
  last_error_at?: string | null;
  consecutive_failures?: number | null;
  item_count?: number | null;
}

export interface FeedItem {
  item_id: string;
  url: string;
  title?: string | null;
  published_at?: string | null;
  first_seen_at?: string | null;
  /** The download auto-download started for it, if any. */
  job_id?: string | null;
}

export type NewFeed = Schemas["NewFeed"];
export type FeedChange = Schemas["FeedChange"];

/** List endpoints may answer a bare array or {items, total}: accept both. */
export function itemsOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === "object" && Array.isArray((body as { items?: unknown }).items)) {
    return (body as { items: T[] }).items;
  }
  return [];
}

/** "every hour", "every 30 min", "every 2 days". */
export function describeInterval(seconds: number | null | undefined): string {
  if (!seconds || seconds <= 0) return "";
  if (seconds % 86_400 === 0) return seconds === 86_400 ? "daily" : `every ${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? "hourly" : `every ${seconds / 3600} h`;
  return `every ${Math.round(seconds / 60)} min`;
}
