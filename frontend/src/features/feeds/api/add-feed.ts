import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import type { Feed, NewFeed } from "./types";

export async function addFeed(input: NewFeed): Promise<Feed> {
  return (await unwrap(api.POST("/api/feeds", { body: input }))) as unknown as Feed;
}

export function useAddFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: addFeed,
    meta: { silent: true }, // the form shows the reason inline
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.feeds.all }),
  });
}
