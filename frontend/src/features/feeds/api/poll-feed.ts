import { useMutation, useQueryClient } from "@tanstack/react-query";
import { requestJson } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export function pollFeed(id: string) {
  return requestJson<unknown>("POST", `/api/feeds/${encodeURIComponent(id)}/poll`);
}

export function usePollFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: pollFeed,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.feeds.all }),
  });
}
