// Starts the real S3 server (Swift + s3api, scripts/s3-server.sh) unless the tests were pointed
// at another S3 with S3LYNC_TEST_ENDPOINT. A server that does not start fails the run: the
// integration tests are never skipped. Afterwards it cleans up what the run left: the temp
// folders (all under one root), and the server with its data when this run started it (a run
// leaves hundreds of MB of test objects; a server that was already running is left alone).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';

export interface S3TestEnv {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3TestEnv;
    /** Every temp folder of the run is made under this one (removed at the end). */
    tmpRoot: string;
  }
}

export default function setup(project: TestProject): () => void {
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 's3lync-tests-'));
  fs.chmodSync(tmpRoot, 0o755); // some tests run the CLI as an unprivileged user inside it
  project.provide('tmpRoot', tmpRoot);
  let endpoint = process.env.S3LYNC_TEST_ENDPOINT;
  const script = path.join(__dirname, '..', 'scripts', 's3-server.sh');
  let startedHere = false;
  if (!endpoint) {
    startedHere = spawnSync('bash', [script, 'status'], { stdio: 'ignore' }).status !== 0;
    const out = execFileSync('bash', [script, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const m = /endpoint=(\S+)/.exec(out);
    if (!m) throw new Error(`scripts/s3-server.sh start printed no endpoint:\n${out}`);
    endpoint = m[1];
  }
  project.provide('s3', {
    endpoint,
    accessKeyId: process.env.S3LYNC_TEST_ACCESS_KEY_ID ?? (process.env.S3LYNC_TEST_ENDPOINT ? process.env.AWS_ACCESS_KEY_ID ?? '' : 'test:tester'),
    secretAccessKey: process.env.S3LYNC_TEST_SECRET_ACCESS_KEY ?? (process.env.S3LYNC_TEST_ENDPOINT ? process.env.AWS_SECRET_ACCESS_KEY ?? '' : 'testing'),
    region: process.env.S3LYNC_TEST_REGION ?? 'us-east-1',
  });
  return () => {
    fs.rmSync(tmpRoot, { recursive: true, force: true });
    if (startedHere && process.env.S3LYNC_TEST_KEEP_SERVER !== '1') spawnSync('bash', [script, 'clean'], { stdio: 'inherit' });
  };
}
