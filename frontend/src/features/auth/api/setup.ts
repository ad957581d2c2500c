import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import { useAuthStore } from "@/stores/auth";
import { login, type LoginInput } from "./login";

/** First run: create the administrator, then sign in as them. */
export async function setupFirstAdmin(input: LoginInput): Promise<void> {
  await unwrap(api.POST("/api/setup", { body: input }));
  await login(input);
}

export function useSetup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: setupFirstAdmin,
    meta: { silent: true },
    onSuccess: () => {
      queryClient.setQueryData(queryKeys.setup(), { needs_setup: false });
      useAuthStore.getState().setPhase("signed-in");
    },
  });
}
