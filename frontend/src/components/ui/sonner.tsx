import { Toaster as Sonner } from "sonner";
import { useResolvedTheme } from "@/stores/theme";

/** Toasts (sonner) styled with the app's tokens and following the theme. */
export function Toaster() {
  const theme = useResolvedTheme();
  return (
    <Sonner
      theme={theme}
      position="bottom-right"
      closeButton
      mobileOffset={{ bottom: "calc(76px + env(safe-area-inset-bottom))" }}
      toastOptions={{
        classNames: {
          toast: "!rounded-xl !border !border-border !bg-popover !text-popover-foreground !shadow-lg",
          description: "!text-muted-foreground",
        },
      }}
    />
  );
}
