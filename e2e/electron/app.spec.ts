// The real app in Electron: launches, shows its one locked-down window with window.s3lync, and
// closing the window hides it to the tray instead of quitting. Runs only where an Electron
// binary exists (it cannot be downloaded on every machine); otherwise it is skipped with why.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';

const root = path.join(__dirname, '..', '..');

/**
 * The Electron binary, or null. Resolved the way node_modules/electron/index.js does, but
 * without requiring it: requiring it tries to download a missing binary.
 */
function electronBinary(): string | null {
  const pkgDir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkgDir, 'path.txt');
  const rel = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : null;
  const candidates: string[] = [];
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) candidates.push(path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel || 'electron'));
  if (rel) candidates.push(path.join(pkgDir, 'dist', rel));
  return candidates.find((c) => fs.existsSync(c)) ?? null;
}

const binary = electronBinary();
const SKIP_REASON = 'No Electron binary on this machine (cannot be downloaded here) — the renderer e2e suite covers the UI';
if (!binary) console.log(`e2e/electron: skipped: ${SKIP_REASON}`);

test.describe('s3lync in Electron', () => {
  test.skip(!binary, SKIP_REASON);

  let app: ElectronApplication;
  let page: Page;
  let userData: string;

  test.beforeAll(async () => {
    expect(fs.existsSync(path.join(root, 'out', 'main', 'index.js')), 'build the app first: npm run build:app').toBe(true);
    userData = fs.mkdtempSync(path.join(os.tmpdir(), 's3lync-electron-e2e-'));
    const env = { ...process.env, S3LYNC_USER_DATA: userData } as Record<string, string>;
    delete env.ELECTRON_RENDERER_URL;
    delete env.ELECTRON_RUN_AS_NODE;
    app = await electron.launch({ executablePath: binary!, args: [root], env, cwd: root });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterAll(async () => {
    await app?.close();
    if (userData) fs.rmSync(userData, { recursive: true, force: true });
  });

  test('opens one window titled s3lync', async () => {
    const windows = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => ({ title: w.getTitle(), visible: w.isVisible() })),
    );
    expect(windows).toHaveLength(1);
    expect(windows[0].title).toContain('s3lync');
    await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].isVisible())).toBe(true);
  });

  test('the page has window.s3lync with invoke, on and pathForFile only, and no Node', async () => {
    const shape = await page.evaluate(() => ({
      keys: Object.keys((window as unknown as { s3lync: object }).s3lync).sort(),
      frozen: Object.isFrozen((window as unknown as { s3lync: object }).s3lync),
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    expect(shape).toEqual({ keys: ['invoke', 'on', 'pathForFile'], frozen: true, require: 'undefined', process: 'undefined' });
  });

  test('IPC answers the window and validates payloads', async () => {
    const state = await page.evaluate(() =>
      (window as unknown as { s3lync: { invoke(c: string, r: unknown): Promise<{ pairs: unknown[] }> } }).s3lync.invoke('app:get-state', {}),
    );
    expect(Array.isArray(state.pairs)).toBe(true);
    const message = await page.evaluate(() =>
      (window as unknown as { s3lync: { invoke(c: string, r: unknown): Promise<unknown> } }).s3lync
        .invoke('pairs:remove', { id: '' })
        .then(() => 'resolved', (e: Error) => e.message),
    );
    expect(message).toMatch(/^Invalid request for pairs:remove/);
  });

  test('closing the window hides it to the tray; the app keeps running', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].close());
    await expect
      .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isVisible())))
      .toEqual([false]);
    expect(app.process().exitCode).toBeNull();
  });
});
