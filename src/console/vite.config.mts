/** Builds the console into dist/console; the service serves it at /console (no second server, no CDN). */
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    // One small bundle: the console is an internal tool, loaded once per session.
    chunkSizeWarningLimit: 600,
  },
});
