/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The gateway serves dist/ at / with an SPA fallback, so assets are absolute from "/".
export default defineConfig({
  base: "/",
  plugins: [react(), tailwindcss()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: {
    // `npm run dev` against a running stack (`make run`): the API stays same-origin.
    proxy: { "/api": { target: process.env.MF_GATEWAY_URL ?? "http://127.0.0.1:8080", changeOrigin: false } },
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 900 },
  test: {
    environment: "node",
    include: ["src/**/*.test.{ts,tsx}", "scripts/**/*.test.{ts,mjs}"],
    restoreMocks: true,
    reporters: ["default", "./scripts/plain-summary-reporter.ts"],
  },
});
