import { queryOptions, useQuery } from "@tanstack/react-query";
import { useAuthStore } from "@/stores/auth";
import { api, unwrap } from "./api";
import { queryKeys } from "./query-keys";

/** The signed-in user (name, admin flag): shared by the shell, settings and auth screens. */
export const meQueryOptions = queryOptions({
  queryKey: queryKeys.me(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/auth/me", { signal })),
  staleTime: 5 * 60_000,
});

export function useCurrentUser() {
  const signedIn = useAuthStore((s) => s.phase === "signed-in");
  return useQuery({ ...meQueryOptions, enabled: signedIn });
}
