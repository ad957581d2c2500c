import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export const setupStatusQueryOptions = queryOptions({
  queryKey: queryKeys.setup(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/setup", { signal })),
  staleTime: Infinity,
});

export function useSetupStatus() {
  return useQuery(setupStatusQueryOptions);
}
