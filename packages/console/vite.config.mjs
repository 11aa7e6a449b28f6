// The console is a static bundle served by the platform under /console/. Vite resolves
// @highrise/sdk through its package exports to the built dist/index.js: the SDK's own browser path.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // No inline <script> or data: module preload polyfill: the page's CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
