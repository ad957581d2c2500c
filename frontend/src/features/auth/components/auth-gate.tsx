import { useQueryClient } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import * as React from "react";
import { session } from "@/lib/api";
import { useAuthStore } from "@/stores/auth";
import { bootstrapSession } from "../lib/bootstrap";
import { onSignOutElsewhere } from "../lib/cross-tab";
import { SetupPage } from "./setup-page";
import { SignInPage } from "./sign-in-page";

/** Renders the app only for a signed-in user; otherwise setup, sign-in, or a splash while checking. */
export function AuthGate({ children }: { children: React.ReactNode }) {
  const phase = useAuthStore((s) => s.phase);
  const queryClient = useQueryClient();
  const started = React.useRef(false);

  React.useEffect(() => {
    if (started.current) return; // StrictMode runs effects twice: one refresh only
    started.current = true;
    void bootstrapSession(queryClient);
  }, [queryClient]);

  React.useEffect(
    () =>
      onSignOutElsewhere(() => {
        session.clear();
        queryClient.clear();
        useAuthStore.getState().setPhase("signed-out", "You signed out in another tab.");
      }),
    [queryClient],
  );

  if (phase === "starting") {
    return (
      <div className="grid min-h-dvh place-items-center" role="status" aria-label="Loading">
        <Loader2 className="size-7 animate-spin text-muted-foreground" />
      </div>
    );
  }
  if (phase === "setup") return <SetupPage />;
  if (phase === "signed-out") return <SignInPage />;
  return <>{children}</>;
}
