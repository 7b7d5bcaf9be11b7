import { defineConfig } from "vitest/config";

// scripts/web.sh puts deployment.json and the contracts' metadata in public/pool/.
export default defineConfig({
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", port: 5173, strictPort: true },
  build: { target: "es2022", chunkSizeWarningLimit: 2000 },
  // Unit tests only; the browser test (e2e/) runs under node --test against a live node.
  test: { include: ["test/**/*.test.ts"] },
});
