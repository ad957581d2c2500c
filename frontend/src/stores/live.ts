import { create } from "zustand";
import type { StreamStatus } from "@/lib/event-stream";

/** Whether live updates are flowing (shown as a small indicator in the header). */
export const useLiveStore = create<{ status: StreamStatus; set: (s: StreamStatus) => void }>()((set) => ({
  status: "closed",
  set: (status) => set({ status }),
}));
