import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export function deleteCookieJar(site: string) {
  return unwrap(api.DELETE("/api/cookies/{site}", { params: { path: { site } } }));
}

export function useDeleteCookieJar() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteCookieJar,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.settings.cookies() }),
  });
}
