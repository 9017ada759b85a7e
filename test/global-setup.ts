// Starts the real S3 server (Swift + s3api, scripts/s3-server.sh) unless the tests were pointed
// at another S3 with S3LYNC_TEST_ENDPOINT. A server that does not start fails the run: the
// integration tests are never skipped.
import { execFileSync } from 'node:child_process';
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
  }
}

export default function setup(project: TestProject): void {
  let endpoint = process.env.S3LYNC_TEST_ENDPOINT;
  if (!endpoint) {
    const script = path.join(__dirname, '..', 'scripts', 's3-server.sh');
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
}
