import { queryOptions, useQuery } from "@tanstack/react-query";
import { requestJson } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import { type FeedItem, itemsOf } from "./types";

export function feedItemsQueryOptions(feedId: string) {
  return queryOptions({
    queryKey: queryKeys.feeds.items(feedId),
    queryFn: async () =>
      itemsOf(await requestJson<FeedItem[] | { items: FeedItem[] }>("GET", `/api/feeds/${encodeURIComponent(feedId)}/items`)),
  });
}

export function useFeedItems(feedId: string, enabled: boolean) {
  return useQuery({ ...feedItemsQueryOptions(feedId), enabled });
}
