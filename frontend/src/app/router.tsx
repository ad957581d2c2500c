import { createBrowserRouter } from "react-router";
import { DashboardPage } from "@/features/jobs";
import { AppShell } from "./app-shell";
import { NotFoundPage } from "./not-found";

// The dashboard loads with the app; the other pages load on first visit (smaller first load).
export const router = createBrowserRouter([
  {
    element: <AppShell />,
    children: [
      { index: true, element: <DashboardPage /> },
      { path: "library", lazy: async () => ({ Component: (await import("@/features/library")).LibraryPage }) },
      { path: "watch/:id", lazy: async () => ({ Component: (await import("@/features/player")).PlayerPage }) },
      { path: "feeds", lazy: async () => ({ Component: (await import("@/features/feeds")).FeedsPage }) },
      { path: "settings", lazy: async () => ({ Component: (await import("@/features/settings")).SettingsPage }) },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
