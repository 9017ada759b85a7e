// Playwright fixtures: a fresh user-data folder and harness per test, a page wired to it, a
// client for the real S3 server, and a screenshot helper (files under test-results/screenshots).
import { test as base, type Page } from '@playwright/test';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createS3Client } from '../../src/main/sync/s3';
import { startHarness, type Harness } from './server';
import { BRIDGE_BUNDLE } from './global-setup';

export const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-results', 'screenshots');

export interface S3Target {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  client: S3Client;
  bucket: string;
}

export const test = base.extend<{ harness: Harness; app: Page; s3: S3Target; tmp: () => Promise<string>; shot: (name: string) => Promise<void> }>({
  tmp: async ({}, use) => {
    const made: string[] = [];
    await use(async () => {
      const d = await fs.mkdtemp(path.join(os.tmpdir(), 'e2e-'));
      made.push(d);
      return d;
    });
  },
  harness: async ({ tmp }, use) => {
    const h = await startHarness(await tmp());
    await use(h);
    await h.close();
  },
  s3: async ({}, use) => {
    const endpoint = process.env.S3LYNC_TEST_ENDPOINT!;
    const accessKeyId = process.env.S3LYNC_TEST_ACCESS_KEY_ID ?? process.env.AWS_ACCESS_KEY_ID ?? '';
    const secretAccessKey = process.env.S3LYNC_TEST_SECRET_ACCESS_KEY ?? process.env.AWS_SECRET_ACCESS_KEY ?? '';
    const client = createS3Client({ endpoint, pathStyle: true, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } });
    const bucket = `e2e-${randomBytes(5).toString('hex')}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await use({ endpoint, accessKeyId, secretAccessKey, client, bucket });
    client.destroy();
  },
  app: async ({ page, harness }, use) => {
    const bundle = await fs.readFile(BRIDGE_BUNDLE, 'utf8');
    await page.addInitScript(`window.__s3lyncBridgeUrl = ${JSON.stringify(harness.wsUrl)};\n${bundle}`);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(harness.url);
    await use(page);
    if (errors.length) throw new Error(`The page threw: ${errors.join('\n')}`);
  },
  shot: async ({ page }, use) => {
    await fs.mkdir(SCREENSHOTS, { recursive: true });
    await use(async (name) => {
      await page.waitForTimeout(150);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
    });
  },
});

export { expect } from '@playwright/test';

/** Drops `paths` onto the window as a file manager would; the bridge resolves each File to its path. */
export async function dropPaths(page: Page, paths: string[]): Promise<void> {
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const p of list) {
      const file = new File([], p.split('/').pop() || p);
      window.__s3lyncDroppedPaths!.set(file, p);
      dt.items.add(file);
    }
    const target = document.elementFromPoint(window.innerWidth / 2, window.innerHeight / 2) ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, paths);
}
