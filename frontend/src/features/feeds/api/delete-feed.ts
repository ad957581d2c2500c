import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export function deleteFeed(id: string) {
  return unwrap(api.DELETE("/api/feeds/{feed_id}", { params: { path: { feed_id: id } } }));
}

export function useDeleteFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteFeed,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.feeds.all }),
  });
}
