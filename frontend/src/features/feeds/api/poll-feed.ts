import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

/** Check a feed now (instead of waiting for its interval). */
export function pollFeed(id: string) {
  return unwrap(api.POST("/api/feeds/{feed_id}/poll", { params: { path: { feed_id: id } } }));
}

export function usePollFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: pollFeed,
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.feeds.all }),
  });
}
