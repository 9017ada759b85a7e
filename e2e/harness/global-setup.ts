// Before the e2e suite: the real S3 server (unless S3LYNC_TEST_ENDPOINT is set), and the bridge
// bundle (the preload's bridge + a WebSocket transport) for injection into the page.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'vite';

export const BRIDGE_BUNDLE = path.join(__dirname, '..', '..', 'test-results', 'e2e-bridge', 'bridge.js');

export default async function globalSetup(): Promise<void> {
  if (!fs.existsSync(path.join(__dirname, '..', '..', 'out', 'renderer', 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` before the e2e suite.');
  }
  if (!process.env.S3LYNC_TEST_ENDPOINT) {
    const out = execFileSync('bash', [path.join(__dirname, '..', '..', 'scripts', 's3-server.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const m = /endpoint=(\S+)/.exec(out);
    if (!m) throw new Error(`scripts/s3-server.sh start printed no endpoint:\n${out}`);
    process.env.S3LYNC_TEST_ENDPOINT = m[1];
    process.env.S3LYNC_TEST_ACCESS_KEY_ID = 'test:tester';
    process.env.S3LYNC_TEST_SECRET_ACCESS_KEY = 'testing';
  }
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir: path.dirname(BRIDGE_BUNDLE),
      emptyOutDir: true,
      minify: false,
      lib: { entry: path.join(__dirname, 'bridge-entry.ts'), formats: ['iife'], name: 's3lyncBridge', fileName: () => 'bridge.js' },
    },
  });
}
