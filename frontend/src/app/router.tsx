import { createBrowserRouter } from "react-router";
import { DashboardPage } from "@/features/jobs";
import { FeedsPage } from "@/features/feeds";
import { LibraryPage } from "@/features/library";
import { PlayerPage } from "@/features/player";
import { SettingsPage } from "@/features/settings";
import { AppShell } from "./app-shell";
import { NotFoundPage } from "./not-found";

export const router = createBrowserRouter([
  {
    element: <AppShell />,
    children: [
      { index: true, element: <DashboardPage /> },
      { path: "library", element: <LibraryPage /> },
      { path: "watch/:id", element: <PlayerPage /> },
      { path: "feeds", element: <FeedsPage /> },
      { path: "settings", element: <SettingsPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
