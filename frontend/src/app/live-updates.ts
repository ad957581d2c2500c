/**
 * Wires the live event stream into the features' caches (the app layer may import features;
 * features never import each other):
 * - `job`      → the jobs list cache (setQueryData, newest wins);
 * - `progress` → merged into its job;
 * - `library`  → every library query invalidated (lists and the item).
 * After a connection that could not resume (first connect, or an id the server forgot),
 * jobs and library are refetched: whatever happened meanwhile is not lost.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { applyJobEvent, applyProgressEvent } from "@/features/jobs";
import { session } from "@/lib/api";
import { EventStream } from "@/lib/event-stream";
import { queryKeys } from "@/lib/query-keys";
import type { SseEvent } from "@/lib/sse";
import { useAuthStore } from "@/stores/auth";
import { useLiveStore } from "@/stores/live";

export function handleLiveEvent(queryClient: QueryClient, event: SseEvent): void {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    return;
  }
  if (!data || typeof data !== "object") return;
  switch (event.type) {
    case "job":
      applyJobEvent(queryClient, data as Parameters<typeof applyJobEvent>[1]);
      break;
    case "progress":
      applyProgressEvent(queryClient, data as Parameters<typeof applyProgressEvent>[1]);
      break;
    case "library":
      void queryClient.invalidateQueries({ queryKey: queryKeys.library.all });
      break;
    default:
      break; // unknown kinds are ignored (a newer server)
  }
}

export function useLiveUpdates(): void {
  const queryClient = useQueryClient();
  const signedIn = useAuthStore((s) => s.phase === "signed-in");

  React.useEffect(() => {
    if (!signedIn) return;
    let first = true;
    const stream = new EventStream({
      url: "/api/events",
      getToken: () => session.token,
      refresh: () => session.refresh(),
      onEvent: (event) => handleLiveEvent(queryClient, event),
      onOpen: ({ resumed }) => {
        if (!resumed && !first) {
          void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all });
          void queryClient.invalidateQueries({ queryKey: queryKeys.library.all });
        }
        if (first) void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all, refetchType: "active" });
        first = false;
      },
      onStatus: (status) => useLiveStore.getState().set(status),
    });
    stream.start();
    const online = () => stream.reconnectNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      stream.stop();
    };
  }, [signedIn, queryClient]);
}
