import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

/** Download one feed item: an ordinary job for its URL (it then shows on the Dashboard). */
export function downloadFeedItem(url: string) {
  return unwrap(api.POST("/api/jobs", { body: { url } }));
}

export function useDownloadFeedItem() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: downloadFeedItem,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.feeds.all });
    },
  });
}
