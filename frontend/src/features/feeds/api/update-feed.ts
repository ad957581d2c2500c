import { useMutation, useQueryClient } from "@tanstack/react-query";
import { requestJson } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import type { Feed } from "./types";

/**
 * Toggle auto-download. DESIGN §8 names no update route; this uses PATCH /api/feeds/{id}
 * {auto_download} (requested from the gateway). Optimistic, rolled back on error.
 */
export function updateFeed({ id, auto_download }: { id: string; auto_download: boolean }) {
  return requestJson<Feed>("PATCH", `/api/feeds/${encodeURIComponent(id)}`, { auto_download });
}

export function useUpdateFeed() {
  const queryClient = useQueryClient();
  const key = queryKeys.feeds.list();
  return useMutation({
    mutationFn: updateFeed,
    onMutate: async ({ id, auto_download }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<Feed[]>(key);
      queryClient.setQueryData<Feed[]>(key, (list) => list?.map((f) => (f.id === id ? { ...f, auto_download } : f)));
      return { before };
    },
    onError: (_e, _v, ctx) => queryClient.setQueryData(key, ctx?.before),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.feeds.all }),
  });
}
