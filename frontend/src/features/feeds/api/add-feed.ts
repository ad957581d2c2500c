import { useMutation, useQueryClient } from "@tanstack/react-query";
import { requestJson } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import type { Feed, NewFeed } from "./types";

export function addFeed(input: NewFeed) {
  return requestJson<Feed>("POST", "/api/feeds", input);
}

export function useAddFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: addFeed,
    meta: { silent: true },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.feeds.all }),
  });
}
