// What a user does with s3lync desktop, end to end: the real built renderer in Chromium, the
// preload's bridge, and the real services against the real S3 server and real folders.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { listAll } from '../../src/main/sync/s3';
import { test, expect, dropPaths, type S3Target } from '../harness/fixtures';
import { startHarness } from '../harness/server';
import { SCREENSHOTS } from '../harness/fixtures';
import { BRIDGE_BUNDLE } from '../harness/global-setup';

async function remoteTree(s3: S3Target, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const o of await listAll(s3.client, s3.bucket, prefix)) {
    const r = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: o.key }));
    out[o.key.slice(prefix.length)] = await r.Body!.transformToString();
  }
  return out;
}

async function writeFiles(root: string, files: Record<string, string>) {
  for (const [rel, body] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), body);
  }
}

/** Adds a connection profile through Settings, as a user would. */
async function addProfile(page: Page, s3: S3Target, opts: { name?: string; secret?: string } = {}) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('button', { name: 'Add profile', exact: true }).click();
  const form = dialog.getByTestId('profile-form');
  await form.getByLabel('Name', { exact: true }).fill(opts.name ?? 'Test server');
  await form.getByText('Access key', { exact: true }).click();
  await form.getByLabel('Access key ID').fill(s3.accessKeyId);
  await form.getByLabel('Secret access key').fill(opts.secret ?? s3.secretAccessKey);
  await form.getByLabel('Endpoint URL (optional)').fill(s3.endpoint);
  await form.getByLabel('Region (optional)').fill('us-east-1');
  const pathStyle = form.getByLabel(/path-style/i);
  if (!(await pathStyle.isChecked())) await pathStyle.check();
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByTestId('profile-row').filter({ hasText: opts.name ?? 'Test server' })).toBeVisible();
  return dialog;
}

async function closeDialog(page: Page) {
  await page.keyboard.press('Escape');
}

/** Drop a folder, pick the prefix in the bucket browser, create the pair. */
async function pairByDrop(page: Page, folder: string, s3: S3Target, prefix: string, direction: 'Push — upload' | 'Pull — download' | 'Two-way' = 'Push — upload', shot?: (n: string) => Promise<void>) {
  await dropPaths(page, [folder]);
  const dialog = page.getByRole('dialog', { name: 'New pair' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Local folder')).toHaveValue(folder);
  await dialog.getByRole('button', { name: 'Browse…' }).click();
  const browser = dialog.getByTestId('bucket-browser');
  await browser.getByText(s3.bucket, { exact: true }).click();
  if (shot) await shot('05-bucket-browser');
  await browser.getByRole('button', { name: 'Use this prefix' }).click();
  // The prefix itself is typed after the bucket: a new folder on S3.
  const location = dialog.getByRole('textbox', { name: 'S3 location' });
  await location.fill(`s3://${s3.bucket}/${prefix}`);
  await dialog.getByText(direction, { exact: false }).first().click();
  if (shot) await shot('04-new-pair');
  await dialog.getByRole('button', { name: 'Create pair' }).click();
  await expect(dialog).toBeHidden();
  const card = page.getByTestId('pair-card').filter({ hasText: path.basename(folder) });
  await expect(card).toBeVisible();
  return card;
}

test.describe('s3lync desktop', () => {
  test('empty state → drop a folder → choose a prefix → pair → sync → files in S3; edit → pending → sync', async ({ app: page, s3, tmp, shot }) => {
    await expect(page.getByTestId('empty-state')).toBeVisible();
    await shot('01-empty-state');
    const settings = await addProfile(page, s3);
    await shot('02-settings-profiles');
    await settings.getByRole('button', { name: 'Test connection' }).click();
    await expect(settings.getByTestId('test-result')).toHaveAttribute('data-ok', 'true');
    await expect(settings.getByTestId('test-result')).toContainText(/Connected/);
    await shot('03-settings-test-connection');
    await closeDialog(page);

    const folder = await tmp();
    await writeFiles(folder, { 'report.txt': 'quarterly numbers', 'photos/cat.jpg': 'meow' });
    const card = await pairByDrop(page, folder, s3, 'docs/', 'Push — upload', shot);
    await card.getByRole('button', { name: 'Sync now' }).click();
    await expect(card.getByTestId('state-badge')).toHaveAttribute('data-status', 'in-sync');
    expect(await remoteTree(s3, 'docs/')).toEqual({ 'report.txt': 'quarterly numbers', 'photos/cat.jpg': 'meow' });
    await shot('06-pairs-in-sync');

    // Edit a file: the pair shows it pending in the diff view, and syncing it sends exactly that.
    await fs.writeFile(path.join(folder, 'report.txt'), 'QUARTERLY NUMBERS, revised');
    await card.getByRole('button', { name: 'Preview changes' }).click();
    const diff = page.getByRole('dialog', { name: /Changes for/ });
    await expect(diff.getByTestId('op-row')).toHaveCount(1);
    await expect(diff.getByTestId('op-row')).toContainText('report.txt');
    await expect(diff.getByTestId('op-row')).toContainText(/changed|differs|size/);
    await expect(card.getByTestId('pending-counts')).toContainText('1');
    await shot('07-diff-view');
    await diff.getByRole('button', { name: 'Sync now' }).click();
    await expect(card.getByTestId('state-badge')).toHaveAttribute('data-status', 'in-sync');
    expect((await remoteTree(s3, 'docs/'))['report.txt']).toBe('QUARTERLY NUMBERS, revised');

    await page.getByRole('button', { name: /^Activity/ }).click();
    await expect(page.getByTestId('activity-entry').first()).toBeVisible();
    await shot('08-activity');
  });

  test('force sync shows the preview with deletions highlighted; confirming deletes the remote extras', async ({ app: page, s3, tmp, shot }) => {
    await addProfile(page, s3);
    await closeDialog(page);
    const folder = await tmp();
    await writeFiles(folder, { 'keep.txt': 'keep me' });
    for (const [k, v] of Object.entries({ 'mirror/keep.txt': 'keep me', 'mirror/stale-1.txt': 'old', 'mirror/stale-2.txt': 'older' })) {
      await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: k, Body: v }));
    }
    const card = await pairByDrop(page, folder, s3, 'mirror/');
    await card.getByRole('button', { name: 'Force sync…' }).click();
    const dialog = page.getByRole('dialog', { name: /Force sync/ });
    await dialog.getByRole('button', { name: /Make S3 match this folder/ }).click();
    await expect(dialog.getByTestId('delete-warning')).toBeVisible();
    await expect(dialog.getByTestId('op-row').filter({ hasText: 'stale-1.txt' })).toHaveAttribute('data-kind', 'delete-remote');
    const confirm = dialog.getByTestId('force-confirm');
    await expect(confirm).toContainText('delete 2');
    await shot('09-force-preview');
    await confirm.click();
    await expect(dialog).toBeHidden();
    await expect(card.getByTestId('state-badge')).toHaveAttribute('data-status', 'in-sync');
    expect(await remoteTree(s3, 'mirror/')).toEqual({ 'keep.txt': 'keep me' });
  });

  test('wrong credentials give a clear error, in the profile test and on the pair', async ({ app: page, s3, tmp, shot }) => {
    const settings = await addProfile(page, s3, { name: 'Typo', secret: 'not-the-secret' });
    await settings.getByRole('button', { name: 'Test connection' }).click();
    await expect(settings.getByTestId('test-result')).toHaveAttribute('data-ok', 'false');
    await expect(settings.getByTestId('test-result')).toContainText(/secret key|credentials/);
    await closeDialog(page);
    const folder = await tmp();
    await writeFiles(folder, { 'a.txt': 'a' });
    await dropPaths(page, [folder]);
    const dialog = page.getByRole('dialog', { name: 'New pair' });
    // The bucket browser says why it cannot list, in words.
    await dialog.getByRole('button', { name: 'Browse…' }).click();
    await expect(dialog.getByTestId('bucket-browser')).toContainText(/secret key|credentials/);
    await dialog.getByRole('textbox', { name: 'S3 location' }).fill(`s3://${s3.bucket}/denied/`);
    await dialog.getByRole('button', { name: 'Create pair' }).click();
    await expect(dialog).toBeHidden();
    const card = page.getByTestId('pair-card').filter({ hasText: path.basename(folder) });
    await card.getByRole('button', { name: 'Sync now' }).click();
    await expect(card.getByTestId('state-badge')).toHaveAttribute('data-status', 'error');
    await expect(card.getByTestId('pair-error')).toContainText(/secret key|credentials/);
    await expect(card.getByTestId('pair-error')).not.toContainText(/\bat .*\.js/);
    await shot('10-error');
  });

  test('dropping a file or several folders gives a clear message', async ({ app: page, tmp }) => {
    const folder = await tmp();
    await writeFiles(folder, { 'file.txt': 'x' });
    await dropPaths(page, [path.join(folder, 'file.txt')]);
    await expect(page.getByTestId('toast')).toContainText("files can't be paired on their own");
    await dropPaths(page, [folder, await tmp()]);
    await expect(page.getByTestId('toast').last()).toContainText('Drop one folder at a time.');
    await expect(page.getByRole('dialog', { name: 'New pair' })).toHaveCount(0);
  });

  test('cancel a running sync', async ({ app: page, s3, tmp, shot }) => {
    await addProfile(page, s3);
    const general = page.getByRole('dialog', { name: 'Settings' });
    await general.getByRole('tab', { name: 'General' }).click();
    await general.getByLabel('Files transferred at once').fill('1');
    await general.getByRole('button', { name: 'Save', exact: true }).click();
    await closeDialog(page);
    const folder = await tmp();
    await writeFiles(folder, Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`many/f${i}.txt`, `file ${i}`])));
    const card = await pairByDrop(page, folder, s3, 'cancel/');
    await card.getByRole('button', { name: 'Sync now' }).click();
    await expect(card.getByRole('progressbar')).toBeVisible();
    await shot('11-syncing-progress');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expect(card.getByTestId('state-badge')).not.toHaveAttribute('data-status', 'syncing');
    const uploaded = Object.keys(await remoteTree(s3, 'cancel/')).length;
    expect(uploaded).toBeLessThan(400);
    await page.getByRole('button', { name: /^Activity/ }).click();
    await expect(page.getByTestId('activity-entry').filter({ hasText: /cancelled/i }).first()).toBeVisible();
  });

  test('dark theme', async ({ app: page, s3, tmp, shot }) => {
    const settings = await addProfile(page, s3);
    await settings.getByRole('tab', { name: 'General' }).click();
    await settings.getByText('Dark', { exact: true }).click();
    await settings.getByRole('button', { name: 'Save', exact: true }).click();
    await closeDialog(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(page.locator('html')).toHaveAttribute('data-scheme', 'dark');
    // The page background really is the dark palette.
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(17, 19, 22)');
    const folder = await tmp();
    await writeFiles(folder, { 'a.txt': 'a', 'b.txt': 'b' });
    const card = await pairByDrop(page, folder, s3, 'dark/', 'Two-way');
    await card.getByRole('button', { name: 'Sync now' }).click();
    await expect(card.getByTestId('state-badge')).toHaveAttribute('data-status', 'in-sync');
    await shot('12-dark-theme');
  });

  test('"Match system" follows the system colour scheme, live', async ({ app: page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'system');
    await expect(page.locator('html')).toHaveAttribute('data-scheme', 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.locator('html')).toHaveAttribute('data-scheme', 'light');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe('rgb(17, 19, 22)');
  });
});

test('with the window closed, a two-way pair syncs by itself both ways', async ({ browser, s3, tmp }) => {
  const harness = await startHarness(await tmp(), { background: true });
  try {
    const bundle = await fs.readFile(BRIDGE_BUNDLE, 'utf8');
    const page = await browser.newPage();
    await page.addInitScript(`window.__s3lyncBridgeUrl = ${JSON.stringify(harness.wsUrl)};\n${bundle}`);
    await page.goto(harness.url);
    await addProfile(page, s3);
    await closeDialog(page);
    const folder = await tmp();
    await writeFiles(folder, { 'start.txt': 'first' });
    await dropPaths(page, [folder]);
    const dialog = page.getByRole('dialog', { name: 'New pair' });
    await dialog.getByRole('textbox', { name: 'S3 location' }).fill(`s3://${s3.bucket}/bg/`);
    await dialog.getByText('Two-way', { exact: false }).first().click();
    await dialog.getByLabel(/Check S3 for changes every/).fill('5');
    await dialog.getByRole('button', { name: 'Create pair' }).click();
    await expect.poll(async () => (await remoteTree(s3, 'bg/'))['start.txt'], { timeout: 20_000 }).toBe('first');
    await page.close(); // the window is gone; the services keep going, as from the tray

    await fs.writeFile(path.join(folder, 'typed.txt'), 'edited with the window closed');
    await expect.poll(async () => (await remoteTree(s3, 'bg/'))['typed.txt'], { timeout: 20_000 }).toBe('edited with the window closed');
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'bg/from-elsewhere.txt', Body: 'remote change' }));
    await expect.poll(() => fs.readFile(path.join(folder, 'from-elsewhere.txt'), 'utf8').catch(() => ''), { timeout: 30_000 }).toBe('remote change');

    const again = await browser.newPage();
    await again.addInitScript(`window.__s3lyncBridgeUrl = ${JSON.stringify(harness.wsUrl)};\n${bundle}`);
    await again.goto(harness.url);
    await expect(again.getByTestId('state-badge').first()).toHaveAttribute('data-status', 'in-sync', { timeout: 20_000 });
    await fs.mkdir(SCREENSHOTS, { recursive: true });
    await again.screenshot({ path: path.join(SCREENSHOTS, '13-background-in-sync.png') });
  } finally {
    await harness.close();
  }
});
