import type { QueryClient } from "@tanstack/react-query";
import { session } from "@/lib/api";
import { useAuthStore } from "@/stores/auth";
import { setupStatusQueryOptions } from "../api/get-setup-status";

/**
 * On start: a server with no user shows first-run setup; otherwise try the refresh cookie,
 * so a returning user lands signed in without typing anything.
 */
export async function bootstrapSession(queryClient: QueryClient): Promise<void> {
  const { setPhase } = useAuthStore.getState();
  try {
    const status = await queryClient.fetchQuery(setupStatusQueryOptions);
    if (status.needs_setup) {
      setPhase("setup");
      return;
    }
  } catch {
    // The setup check failed (server restarting?): the sign-in screen will say more on submit.
  }
  setPhase((await session.refresh()) ? "signed-in" : "signed-out");
}
