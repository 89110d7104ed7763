// Builds the console to dist/ for `ferrokey serve` (served under /console/); `npm run dev`
// proxies the API to a running `ferrokey serve` ($FERROKEY_URL, default http://localhost:8787).
import { defineConfig } from 'vite';

const api = process.env.FERROKEY_URL ?? 'http://localhost:8787';

export default defineConfig({
  base: '/console/',
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: {
      '/admin': api,
      '/console/config.json': api,
    },
  },
});
