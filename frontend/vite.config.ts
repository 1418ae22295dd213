/// <reference types="vitest/config" />
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { graphqlDocuments } from './vite-graphql-documents';

// The Go server in development; `npm run dev` proxies API paths to it so the
// session cookie stays same-origin, exactly as in production.
const devAPI = process.env.CLIPCUT_DEV_API ?? 'http://127.0.0.1:8080';

// Vite empties dist/ before each build, but `//go:embed all:dist` in
// frontend/embed.go needs the folder (and its committed placeholder) to exist.
function keepDistPlaceholder(): Plugin {
  let outDir = 'dist';
  return {
    name: 'clipcut-keep-dist-placeholder',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await writeFile(path.join(outDir, '.gitkeep'), '');
    },
  };
}

export default defineConfig({
  plugins: [graphqlDocuments({ generated: path.resolve(import.meta.dirname, 'src/gql/graphql.ts') }), react(), keepDistPlaceholder()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // Every browser we support has native modulepreload; the polyfill is
    // the only script Vite would otherwise add, and the CSP forbids inline ones.
    modulePreload: { polyfill: false },
    // The server reads .vite/manifest.json to name the player's hls.js
    // chunk in the watch and embed pages' HTML (server/spa.go playerHints),
    // so it downloads while the app boots.
    manifest: true,
    // The one large chunk is GraphiQL's editor, loaded only by its page.
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // GraphiQL is a page of its own (served at GET /graphql), so its
      // large bundle never weighs on the app; so is the embed page
      // (/embed/<id>), which needs the player but none of the app.
      input: { main: 'index.html', graphiql: 'graphiql.html', embed: 'embed.html' },
    },
  },
  server: {
    proxy: {
      '/graphql': { target: devAPI, ws: true, changeOrigin: false },
      '/uploads': devAPI,
      '/upload': devAPI,
      '/media': devAPI,
      '/api': devAPI,
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    // Deadlines only stop a test that hangs; they are not what a test checks.
    // A busy 2-core machine (other builds, an ffmpeg encode) runs a test
    // several times slower than an idle one, so they are generous.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
