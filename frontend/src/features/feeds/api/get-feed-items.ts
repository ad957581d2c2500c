import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import { type FeedItem, itemsOf } from "./types";

export function feedItemsQueryOptions(feedId: string) {
  return queryOptions({
    queryKey: queryKeys.feeds.items(feedId),
    queryFn: async ({ signal }) =>
      itemsOf<FeedItem>(
        await unwrap(
          api.GET("/api/feeds/{feed_id}/items", { params: { path: { feed_id: feedId }, query: { limit: 50 } }, signal }),
        ),
      ),
  });
}

export function useFeedItems(feedId: string, enabled: boolean) {
  return useQuery({ ...feedItemsQueryOptions(feedId), enabled });
}
