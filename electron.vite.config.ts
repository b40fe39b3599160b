import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY_META } from './src-shared/security/csp';

const root = import.meta.dirname;
const shared = { '@shared': resolve(root, 'src-shared') };
/** The page's <meta> CSP comes from the same source as the headers main sends. */
const contentSecurityPolicy: Plugin = {
  name: 'workbench-content-security-policy',
  transformIndexHtml: (html) => html.replace('%CONTENT_SECURITY_POLICY%', CONTENT_SECURITY_POLICY_META),
};
const version = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version as string;

export default defineConfig({
  main: {
    resolve: { alias: shared },
    define: { __WORKBENCH_VERSION__: JSON.stringify(version) },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          // Electron's main process, browser mode's server, and the training and import processes.
          index: resolve(root, 'src-main/electron/main.ts'),
          serve: resolve(root, 'src-main/serve.ts'),
          trainer: resolve(root, 'src-main/training/trainerProcess.ts'),
          importer: resolve(root, 'src-main/data/importerProcess.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias: shared },
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { preload: resolve(root, 'src-main/electron/preload.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    resolve: { alias: shared },
    plugins: [svelte({ configFile: false }), contentSecurityPolicy],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});
