import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import type { Feed, FeedChange } from "./types";

/** Change a feed (PATCH /api/feeds/{id}); auto-download toggles optimistically, rolled back on error. */
export function updateFeed({ id, change }: { id: string; change: FeedChange }) {
  return unwrap(api.PATCH("/api/feeds/{feed_id}", { params: { path: { feed_id: id } }, body: change }));
}

export function useUpdateFeed() {
  const queryClient = useQueryClient();
  const key = queryKeys.feeds.list();
  return useMutation({
    mutationFn: updateFeed,
    onMutate: async ({ id, change }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<Feed[]>(key);
      queryClient.setQueryData<Feed[]>(key, (list) =>
        list?.map((f) => (f.id === id ? { ...f, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v != null)) } : f)),
      );
      return { before };
    },
    onError: (_e, _v, ctx) => queryClient.setQueryData(key, ctx?.before),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.feeds.all }),
  });
}
