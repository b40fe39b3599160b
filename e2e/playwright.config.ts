import { defineConfig } from '@playwright/test';

/** Browser-mode end-to-end tests against the built app, in Debian's Chromium. */
export default defineConfig({
  testDir: '.',
  testMatch: /.*\.e2e\.ts$/,
  timeout: 180_000,
  workers: 1,
  retries: 0,
  outputDir: '../test-output/e2e/artifacts',
  // A click on an element that never becomes actionable fails within a minute, saying which.
  use: { actionTimeout: 60_000 },
  reporter: [['list']],
});
