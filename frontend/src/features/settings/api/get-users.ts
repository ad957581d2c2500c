import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export const usersQueryOptions = queryOptions({
  queryKey: queryKeys.settings.users(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/users", { signal })),
});

export function useUsers(enabled: boolean) {
  return useQuery({ ...usersQueryOptions, enabled });
}
