// The electron-vite config builds what the shell and package.json expect: out/main/index.js
// (CJS, requiring only Electron, Node built-ins and production dependencies) and
// out/preload/index.js (one CJS file that runs in a sandboxed preload, where require() knows
// only 'electron'). Built here into a temporary folder with the project's own config.
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InlineConfig } from 'vite';
import { invokeChannels, wireInvoke } from '../../src/shared/ipc';

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };

type Resolved = { main: InlineConfig; preload: InlineConfig; renderer: InlineConfig };
let tmp: string;
let resolved: Resolved;

async function buildTarget(name: 'main' | 'preload'): Promise<string> {
  const { build } = await import('vite');
  const cfg = resolved[name];
  const outDir = path.join(tmp, name);
  await build({ ...cfg, configFile: false, logLevel: 'silent', build: { ...cfg.build, outDir, emptyOutDir: true } });
  const file = path.join(outDir, 'index.js');
  expect(fs.existsSync(file), `${name} builds to index.js`).toBe(true);
  return fs.readFileSync(file, 'utf8');
}

function requiresOf(code: string): string[] {
  return [...new Set([...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]))];
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3lync-bundles-'));
  const { resolveConfig } = await import('electron-vite');
  const r = await resolveConfig({ root, configFile: path.join(root, 'electron.vite.config.ts'), logLevel: 'silent' }, 'build', 'production');
  resolved = r.config as unknown as Resolved;
}, 60_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('electron.vite.config.ts', () => {
  it('writes main, preload and renderer where package.json and the shell look', () => {
    const outDir = (c: InlineConfig) => path.resolve(root, String(c.build?.outDir));
    expect(outDir(resolved.main)).toBe(path.join(root, 'out', 'main'));
    expect(outDir(resolved.preload)).toBe(path.join(root, 'out', 'preload'));
    expect(outDir(resolved.renderer)).toBe(path.join(root, 'out', 'renderer'));
    expect(path.join(root, pkg.main)).toBe(path.join(root, 'out', 'main', 'index.js'));
    expect(resolved.renderer.root).toBe(path.join(root, 'src', 'renderer'));
    const input = (resolved.renderer.build as { rolldownOptions?: { input?: unknown } }).rolldownOptions?.input;
    expect(input).toBe(path.join(root, 'src', 'renderer', 'index.html'));
    const plugins = (resolved.renderer.plugins ?? []).flat(3) as Array<{ name?: string }>;
    expect(plugins.some((p) => p?.name?.startsWith('vite:react'))).toBe(true);
  });

  it('main: one CJS file that requires only electron, Node built-ins and production dependencies', async () => {
    const code = await buildTarget('main');
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    const allowed = (id: string) =>
      id === 'electron' ||
      id.startsWith('node:') ||
      builtinModules.includes(id) ||
      Object.keys(pkg.dependencies).some((d) => id === d || id.startsWith(`${d}/`));
    const requires = requiresOf(code);
    expect(requires).toContain('electron');
    expect(requires.filter((id) => !allowed(id))).toEqual([]);
    // Our own code (shell, services, engine, shared) is bundled, not required at run time.
    expect(requires.filter((id) => id.startsWith('.'))).toEqual([]);
  }, 120_000);

  it('preload: one CJS file that runs in a sandbox knowing only require("electron")', async () => {
    const code = await buildTarget('preload');
    expect(requiresOf(code)).toEqual(['electron']);

    const exposed = new Map<string, unknown>();
    const invoked: Array<[string, unknown]> = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: async (wire: string, payload: unknown) => {
          invoked.push([wire, payload]);
          return { ok: true, value: 'pong' };
        },
        on: () => undefined,
        removeListener: () => undefined,
      },
      webUtils: { getPathForFile: () => '/dropped' },
    };
    const sandboxRequire = (id: string) => {
      if (id === 'electron') return electron;
      throw new Error(`module not found: ${id}`);
    };
    const context = vm.createContext({ console, process: { env: {} } });
    const wrapper = vm.runInContext(`(function (exports, require, module) {\n${code}\n})`, context, { filename: 'preload.js' }) as (
      e: object,
      r: (id: string) => unknown,
      m: { exports: object },
    ) => void;
    const module = { exports: {} };
    wrapper(module.exports, sandboxRequire, module);

    expect([...exposed.keys()]).toEqual(['s3lync']);
    const api = exposed.get('s3lync') as { invoke(c: string, r: unknown): Promise<unknown>; pathForFile(f: unknown): string };
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'pathForFile']);
    await expect(api.invoke(invokeChannels[0], {})).resolves.toBe('pong');
    expect(invoked).toEqual([[wireInvoke(invokeChannels[0]), {}]]);
    await expect(api.invoke('not-a-channel', {})).rejects.toThrow(/Unknown channel/);
    expect(api.pathForFile({})).toBe('/dropped');
  }, 120_000);
});
