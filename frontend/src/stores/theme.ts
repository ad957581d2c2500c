import { useEffect, useSyncExternalStore } from "react";
import { create } from "zustand";
import { persist } from "zustand/middleware";

export type ThemePreference = "system" | "light" | "dark";

interface ThemeState {
  theme: ThemePreference;
  setTheme: (theme: ThemePreference) => void;
}

/** The theme preference, persisted in localStorage ("mf-theme"; index.html reads it before paint). */
export const useThemeStore = create<ThemeState>()(
  persist((set) => ({ theme: "system", setTheme: (theme) => set({ theme }) }), { name: "mf-theme" }),
);

const query = "(prefers-color-scheme: dark)";

function subscribeSystem(callback: () => void): () => void {
  const mql = window.matchMedia(query);
  mql.addEventListener("change", callback);
  return () => mql.removeEventListener("change", callback);
}

function systemIsDark(): boolean {
  return window.matchMedia(query).matches;
}

/** "light" or "dark": the preference, with "system" resolved (and followed live). */
export function useResolvedTheme(): "light" | "dark" {
  const theme = useThemeStore((s) => s.theme);
  const dark = useSyncExternalStore(subscribeSystem, systemIsDark, () => false);
  return theme === "system" ? (dark ? "dark" : "light") : theme;
}

/** Keeps <html class="dark"> in step with the resolved theme. */
export function useApplyTheme(): void {
  const resolved = useResolvedTheme();
  useEffect(() => {
    document.documentElement.classList.toggle("dark", resolved === "dark");
  }, [resolved]);
}
