import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, session, unwrap } from "@/lib/api";
import { useAuthStore } from "@/stores/auth";

export interface LoginInput {
  username: string;
  password: string;
}

/** Sign in: the access token stays in memory, the refresh token arrives as an httpOnly cookie. */
export async function login(input: LoginInput): Promise<void> {
  const token = await unwrap(api.POST("/api/auth/login", { body: input, credentials: "same-origin" }));
  session.accept(token);
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    meta: { silent: true },
    onSuccess: () => {
      queryClient.clear(); // nothing from a previous user survives
      useAuthStore.getState().setPhase("signed-in");
    },
  });
}
