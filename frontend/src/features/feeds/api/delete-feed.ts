import { useMutation, useQueryClient } from "@tanstack/react-query";
import { requestJson } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export function deleteFeed(id: string) {
  return requestJson<null>("DELETE", `/api/feeds/${encodeURIComponent(id)}`);
}

export function useDeleteFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteFeed,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.feeds.all }),
  });
}
