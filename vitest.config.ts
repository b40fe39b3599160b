import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@shared': resolve(import.meta.dirname, 'src-shared') } },
  test: {
    include: ['src-shared/**/*.spec.ts', 'src-main/**/*.spec.ts', 'src-renderer/**/*.spec.ts', 'test/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
