import { queryOptions, useQuery } from "@tanstack/react-query";
import { requestJson } from "@/lib/api";
import { ApiError } from "@/lib/errors";
import { queryKeys } from "@/lib/query-keys";
import { type Feed, itemsOf } from "./types";

export const feedsQueryOptions = queryOptions({
  queryKey: queryKeys.feeds.list(),
  queryFn: async () => itemsOf(await requestJson<Feed[] | { items: Feed[] }>("GET", "/api/feeds")),
});

export function useFeeds() {
  return useQuery(feedsQueryOptions);
}

/** The server has no feeds API (an older gateway): it answers 404 or 405 for the route. */
export function feedsUnavailable(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405);
}
