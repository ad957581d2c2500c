import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export function itemQueryOptions(id: string) {
  return queryOptions({
    queryKey: queryKeys.library.item(id),
    queryFn: ({ signal }) => unwrap(api.GET("/api/library/{item_id}", { params: { path: { item_id: id } }, signal })),
    // Its stream/download links are signed for hours; refetching rarely keeps them valid.
    staleTime: 10 * 60_000,
  });
}

export function useItem(id: string) {
  return useQuery(itemQueryOptions(id));
}
