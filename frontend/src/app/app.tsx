import { QueryClientProvider } from "@tanstack/react-query";
import * as React from "react";
import { RouterProvider } from "react-router";
import { Toaster } from "@/components/ui/sonner";
import { TooltipProvider } from "@/components/ui/tooltip";
import { AuthGate } from "@/features/auth";
import { makeQueryClient } from "@/lib/query-client";
import { useApplyTheme } from "@/stores/theme";
import { useLiveUpdates } from "./live-updates";
import { router } from "./router";

function SignedInApp() {
  useLiveUpdates();
  return <RouterProvider router={router} />;
}

export function App() {
  const [queryClient] = React.useState(makeQueryClient);
  useApplyTheme();
  return (
    <QueryClientProvider client={queryClient}>
      <TooltipProvider delayDuration={300}>
        <AuthGate>
          <SignedInApp />
        </AuthGate>
        <Toaster />
      </TooltipProvider>
    </QueryClientProvider>
  );
}
