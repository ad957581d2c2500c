import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { ApiError } from "@/lib/errors";
import { queryKeys } from "@/lib/query-keys";
import { type Feed, itemsOf } from "./types";

export const feedsQueryOptions = queryOptions({
  queryKey: queryKeys.feeds.list(),
  queryFn: async ({ signal }) => itemsOf<Feed>(await unwrap(api.GET("/api/feeds", { signal }))),
});

export function useFeeds() {
  return useQuery({
    ...feedsQueryOptions,
    retry: (n, e) => !feedsUnavailable(e) && n < 2,
    // A new feed is checked at once, in the background: follow it until its first check.
    refetchInterval: (query) => (query.state.data?.some((f) => !f.last_polled_at) ? 2000 : false),
  });
}

/** The server has no feeds API (an older gateway): it answers 404 or 405 for the route. */
export function feedsUnavailable(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405);
}
