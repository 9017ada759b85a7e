// Runs electron-builder for real with the project's electron-builder.yml (Linux "dir" target,
// the unpacked app) against a stand-in Electron distribution (no Electron binary can be
// downloaded here), and checks what the installers would contain: the app.asar with only the
// build output, package.json and production dependencies, and the icons as extraResources.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overallStates, trayIconFor } from '../../src/main/shell/tray-menu';

// @electron/asar comes with electron-builder; it is the library that writes app.asar.
const asar = createRequire(__filename)('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  extractFile(archive: string, file: string): Buffer;
};

const root = path.join(__dirname, '..', '..');
const electronVersion = (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
let tmp: string;
let unpacked: string;
let files: string[];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3lync-package-'));
  const project = path.join(tmp, 'project');
  fs.mkdirSync(project);
  for (const f of ['package.json', 'electron-builder.yml']) fs.copyFileSync(path.join(root, f), path.join(project, f));
  fs.cpSync(path.join(root, 'assets'), path.join(project, 'assets'), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  // The build output (its content does not matter here) and things that must stay out.
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    fs.writeFileSync(path.join(project, rel), text);
  };
  write('out/main/index.js', '// main\n');
  write('out/main/index.js.map', '{}');
  write('out/preload/index.js', '// preload\n');
  write('out/renderer/index.html', '<!doctype html>\n');
  write('out/renderer/assets/index-abc.js', '// renderer\n');
  write('src/main/index.ts', '// source\n');
  write('test/x.test.ts', '// test\n');
  // A stand-in Electron distribution: electron-builder copies it and renames the binary.
  const dist = path.join(tmp, 'electron-dist');
  fs.mkdirSync(path.join(dist, 'resources'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'electron'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dist, 'version'), electronVersion);

  await promisify(execFile)(
    process.execPath,
    [
      path.join(root, 'node_modules', 'electron-builder', 'cli.js'),
      '--linux',
      'dir',
      '--projectDir',
      project,
      `-c.electronDist=${dist}`,
      `-c.electronVersion=${electronVersion}`,
    ],
    { cwd: project, env: { ...process.env, CI: 'true' }, maxBuffer: 32 * 1024 * 1024, timeout: 240_000 },
  );
  unpacked = path.join(project, 'release', 'linux-unpacked');
  files = asar.listPackage(path.join(unpacked, 'resources', 'app.asar'), { isPack: false }).map((f) => f.split(path.sep).join('/'));
}, 300_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('electron-builder --linux dir', () => {
  it('names the executable s3lync and writes app.asar', () => {
    expect(fs.existsSync(path.join(unpacked, 's3lync'))).toBe(true);
    expect(fs.existsSync(path.join(unpacked, 'resources', 'app.asar'))).toBe(true);
  });

  it('packs the build output and package.json, not sources, tests, maps or dev dependencies', () => {
    for (const f of ['/package.json', '/out/main/index.js', '/out/preload/index.js', '/out/renderer/index.html', '/out/renderer/assets/index-abc.js']) {
      expect(files, f).toContain(f);
    }
    const top = new Set(files.map((f) => f.split('/')[1]));
    expect([...top].sort()).toEqual(['node_modules', 'out', 'package.json']);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const manifest = JSON.parse(asar.extractFile(path.join(unpacked, 'resources', 'app.asar'), 'package.json').toString()) as { main: string };
    expect(manifest.main).toBe('out/main/index.js');
  });

  it('includes the production dependencies and leaves the dev dependencies out', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies)) expect(files, dep).toContain(`/node_modules/${dep}/package.json`);
    for (const dep of ['electron', 'electron-builder', 'vitest', 'vite', 'typescript', 'react', '@playwright/test']) {
      expect(files.some((f) => f.startsWith(`/node_modules/${dep}/`)), dep).toBe(false);
    }
  });

  it('puts the tray and window icons in resources/assets, where the packaged shell looks', () => {
    const res = path.join(unpacked, 'resources', 'assets');
    expect(fs.existsSync(path.join(res, 'icon.png'))).toBe(true);
    for (const state of overallStates) {
      for (const platform of ['linux', 'darwin'] as const) {
        const f = trayIconFor(state, platform);
        expect(fs.existsSync(path.join(res, 'tray', f)), f).toBe(true);
        expect(fs.existsSync(path.join(res, 'tray', f.replace('.png', '@2x.png'))), f).toBe(true);
      }
    }
    expect(fs.readdirSync(path.join(res, 'tray')).filter((f) => !f.endsWith('.png'))).toEqual([]);
  });
});
