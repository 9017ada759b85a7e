// The renderer e2e suite: the real built renderer (out/renderer, from `npm run build`) in Debian's
// Chromium, driven by Playwright, talking to the real services through the preload's bridge.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './app',
  globalSetup: './harness/global-setup.ts',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: '../test-results/e2e',
  use: {
    viewport: { width: 1100, height: 720 },
    launchOptions: {
      executablePath: process.env.S3LYNC_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'retain-on-failure',
  },
});
