import { create } from "zustand";

/**
 * Client-side session state, in memory only (never localStorage): the access token and
 * where the app stands. The refresh token is an httpOnly cookie the page cannot read.
 */
export type AuthPhase = "starting" | "setup" | "signed-out" | "signed-in";

interface AuthState {
  phase: AuthPhase;
  token: string | null;
  expiresAt: number | null;
  /** Why the user is looking at the sign-in screen, when it is not the first visit. */
  notice: string | null;
  setPhase: (phase: AuthPhase, notice?: string | null) => void;
}

export const useAuthStore = create<AuthState>()((set) => ({
  phase: "starting",
  token: null,
  expiresAt: null,
  notice: null,
  setPhase: (phase, notice = null) => set({ phase, notice }),
}));
