// electron-builder.yml: valid against electron-builder's own schema, the installers we promise
// (AppImage, deb, dmg, nsis), every icon it names exists and is well formed, the app files are
// only the build output, and the tray icons the shell looks for ship as extraResources.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import Ajv from 'ajv';
import { minimatch } from 'minimatch';
import { overallStates, trayIconFor } from '../../src/main/shell/tray-menu';

// js-yaml ships no types; electron-builder itself parses its YAML config with it.
const yaml = createRequire(__filename)('js-yaml') as { load(text: string): unknown };

const root = path.join(__dirname, '..', '..');
const at = (...p: string[]) => path.join(root, ...p);

type Target = string | { target: string };
interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources?: string };
  files: string[];
  asar: boolean;
  extraResources: Array<{ from: string; to: string; filter: string[] }>;
  extraMetadata?: { homepage?: string };
  linux: { target: Target[]; category: string; icon: string; maintainer?: string };
  mac: { target: Target | Target[]; category: string; icon: string };
  win: { target: Target | Target[]; icon: string };
  nsis?: { installerIcon?: string; uninstallerIcon?: string };
}

const config = yaml.load(fs.readFileSync(at('electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(fs.readFileSync(at('package.json'), 'utf8')) as { main: string; author?: unknown; homepage?: string };

const targetsOf = (t: Target | Target[]) => (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? x : x.target));

function pngSize(file: string): [number, number] {
  const b = fs.readFileSync(file);
  expect(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is a PNG`).toBe(true);
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own JSON schema", () => {
    const schema = JSON.parse(fs.readFileSync(at('node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check catches a mistake', () => {
    const schema = JSON.parse(fs.readFileSync(at('node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ ...config, linux: { ...config.linux, categroy: 'Utility' } })).toBe(false);
    expect(validate({ ...config, asar: 'yes' })).toBe(false);
  });

  it('names the app and writes to release/', () => {
    expect(config.appId).toBe('dev.s3lync.desktop');
    expect(config.productName).toBe('s3lync');
    expect(config.directories.output).toBe('release');
    expect(config.asar).toBe(true);
  });

  it('builds AppImage + deb, dmg and nsis', () => {
    expect(targetsOf(config.linux.target)).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(targetsOf(config.mac.target)).toContain('dmg');
    expect(targetsOf(config.win.target)).toContain('nsis');
    expect(config.linux.category).toBe('Utility');
    expect(config.mac.category).toBe('public.app-category.utilities');
  });

  it('packs only the build output and package.json, whose main is the built entry', () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/**', 'package.json']));
    const included = (p: string) => {
      let inc = false;
      for (const pattern of config.files) {
        if (pattern.startsWith('!')) {
          if (minimatch(p, pattern.slice(1), { dot: true })) inc = false;
        } else if (minimatch(p, pattern, { dot: true })) inc = true;
      }
      return inc;
    };
    expect(included('out/main/index.js')).toBe(true);
    expect(included('out/preload/index.js')).toBe(true);
    expect(included('out/renderer/index.html')).toBe(true);
    expect(included('package.json')).toBe(true);
    for (const p of ['src/main/index.ts', 'test/shell/main.test.ts', 'e2e/electron/app.spec.ts', 'scripts/make-icons.mjs', 'dist/cli/s3lync.js', 'out/main/index.js.map', 'assets/icon.png']) {
      expect(included(p), p).toBe(false);
    }
    expect(pkg.main).toBe('out/main/index.js');
  });

  it('every icon it names exists and is well formed', () => {
    // mac: an .icns with PNG images up to 1024 px.
    const icns = fs.readFileSync(at(config.mac.icon));
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let o = 8; o < icns.length; o += icns.readUInt32BE(o + 4)) types.push(icns.subarray(o, o + 4).toString('ascii'));
    expect(types).toEqual(expect.arrayContaining(['ic07', 'ic08', 'ic09', 'ic10']));

    // Windows: an .ico with a 256 px image (the NSIS installer and the exe use it).
    for (const ico of [config.win.icon, config.nsis?.installerIcon, config.nsis?.uninstallerIcon].filter(Boolean) as string[]) {
      const b = fs.readFileSync(at(ico));
      expect(b.readUInt16LE(0)).toBe(0);
      expect(b.readUInt16LE(2)).toBe(1);
      const count = b.readUInt16LE(4);
      const sizes = Array.from({ length: count }, (_, i) => b.readUInt8(6 + i * 16) || 256);
      expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 256]));
      for (let i = 0; i < count; i++) {
        const len = b.readUInt32LE(6 + i * 16 + 8);
        const off = b.readUInt32LE(6 + i * 16 + 12);
        expect(off + len).toBeLessThanOrEqual(b.length);
        expect(b.subarray(off + 1, off + 4).toString('ascii')).toBe('PNG');
      }
    }

    // Linux: a folder of NxN.png files, each really N×N.
    const dir = at(config.linux.icon);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.png'));
    expect(files).toEqual(expect.arrayContaining(['16x16.png', '32x32.png', '48x48.png', '128x128.png', '256x256.png', '512x512.png']));
    for (const f of files) {
      const n = Number(/^(\d+)x\1\.png$/.exec(f)![1]);
      expect(pngSize(path.join(dir, f))).toEqual([n, n]);
    }

    // The window icon the shell uses.
    expect(pngSize(at('assets', 'icon.png'))).toEqual([512, 512]);
  });

  it('ships every tray icon the shell asks for (and its @2x) as extraResources under assets/', () => {
    const res = config.extraResources.find((r) => r.to === 'assets');
    expect(res).toBeDefined();
    expect(res!.from).toBe('assets');
    const shipped = (rel: string) => fs.existsSync(at('assets', rel)) && res!.filter.some((f) => minimatch(rel, f));
    for (const state of overallStates) {
      for (const platform of ['linux', 'darwin', 'win32'] as const) {
        const file = trayIconFor(state, platform);
        expect(shipped(`tray/${file}`), file).toBe(true);
        expect(shipped(`tray/${file.replace(/\.png$/, '@2x.png')}`), file).toBe(true);
      }
    }
    expect(shipped('icon.png')).toBe(true);
  });

  it('gives the deb a homepage and a maintainer with an e-mail', () => {
    expect(pkg.homepage ?? config.extraMetadata?.homepage).toMatch(/^https:\/\//);
    const author = typeof pkg.author === 'object' && pkg.author ? (pkg.author as { name?: string; email?: string }) : null;
    const maintainer = config.linux.maintainer ?? (author?.email ? `${author.name} <${author.email}>` : undefined);
    expect(maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
  });
});
