import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export function revokeToken(id: string) {
  return unwrap(api.DELETE("/api/tokens/{token_id}", { params: { path: { token_id: id } } }));
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeToken,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.settings.tokens() }),
  });
}
