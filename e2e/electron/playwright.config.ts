// Playwright config for the Electron app suite (e2e/electron). Needs a built app
// (`npm run build:app`) and an Electron binary; on Linux without a display run it under
// xvfb-run. Without a binary the suite reports itself skipped.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: __dirname,
  testMatch: '*.spec.ts',
  timeout: 60_000,
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  outputDir: '../../test-results/electron',
});
