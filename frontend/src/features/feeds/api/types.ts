/** Feeds: every shape here is generated from the gateway's OpenAPI. */
import type { Schemas } from "@/lib/api";

export type Feed = Schemas["FeedOut"];
export type FeedItem = Schemas["FeedItemOut"];
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
