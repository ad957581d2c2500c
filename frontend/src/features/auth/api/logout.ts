import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, session } from "@/lib/api";
import { useAuthStore } from "@/stores/auth";
import { announceSignOut } from "../lib/cross-tab";

/** Sign out: the server ends the refresh family; this tab and the others forget the token. */
export async function logout(): Promise<void> {
  try {
    await api.POST("/api/auth/logout", { credentials: "same-origin" });
  } finally {
    session.clear();
  }
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      queryClient.clear();
      announceSignOut();
      useAuthStore.getState().setPhase("signed-out", "You have signed out.");
    },
  });
}
