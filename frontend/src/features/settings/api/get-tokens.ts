import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export const tokensQueryOptions = queryOptions({
  queryKey: queryKeys.settings.tokens(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/tokens", { signal })),
});

/** `watch`: poll while a pairing code is shown, so the new extension appears by itself. */
export function useTokens(watch = false) {
  return useQuery({ ...tokensQueryOptions, refetchInterval: watch ? 3000 : false });
}
