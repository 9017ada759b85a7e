// Electron adapters: secrets over safeStorage, and launch-at-login on Linux (XDG autostart).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { desktopExecArg, linuxAutostartEntry, linuxAutostartFile, safeStorageSecretBox, setLinuxAutostart } from '../../src/main/shell/platform';
import { shellPaths } from '../../src/main/shell/paths';

function storage(backend = 'gnome_libsecret', available = true) {
  return {
    isEncryptionAvailable: vi.fn(() => available),
    getSelectedStorageBackend: vi.fn(() => backend as never),
    encryptString: vi.fn((s: string) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a))),
    decryptString: vi.fn((b: Buffer) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString()),
  };
}

describe('safeStorageSecretBox', () => {
  it('round-trips through safeStorage as base64 text', () => {
    const box = safeStorageSecretBox(storage(), 'linux');
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ünïcode';
    const cipher = box.encrypt(secret);
    expect(cipher).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(cipher).not.toContain('wJalr');
    expect(box.decrypt(cipher)).toBe(secret);
  });

  it('is unavailable without encryption, and on Linux with only the hard-coded basic_text key', () => {
    expect(safeStorageSecretBox(storage('gnome_libsecret', false), 'linux').available()).toBe(false);
    expect(safeStorageSecretBox(storage('basic_text'), 'linux').available()).toBe(false);
    expect(safeStorageSecretBox(storage('kwallet5'), 'linux').available()).toBe(true);
    expect(safeStorageSecretBox(storage('unknown'), 'darwin').available()).toBe(true);
  });
});

describe('Linux autostart', () => {
  it('quotes Exec arguments per the Desktop Entry spec', () => {
    expect(desktopExecArg('/opt/s3lync/s3lync')).toBe('/opt/s3lync/s3lync');
    expect(desktopExecArg('/home/me/Apps/s3lync 1.AppImage')).toBe('"/home/me/Apps/s3lync 1.AppImage"');
    expect(desktopExecArg('/x/$HOME/"q"/`c`/\\')).toBe('"/x/\\$HOME/\\"q\\"/\\`c\\`/\\\\"');
    expect(desktopExecArg('50%')).toBe('50%%');
  });

  it('writes and removes the entry', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3lync-autostart-'));
    try {
      const file = linuxAutostartFile({ XDG_CONFIG_HOME: dir });
      expect(file).toBe(path.join(dir, 'autostart', 's3lync.desktop'));
      setLinuxAutostart(true, ['/opt/My Apps/s3lync', '--hidden'], file);
      const text = fs.readFileSync(file, 'utf8');
      expect(text).toBe(linuxAutostartEntry(['/opt/My Apps/s3lync', '--hidden']));
      expect(text).toContain('[Desktop Entry]\nType=Application\nName=s3lync\n');
      expect(text).toContain('Exec="/opt/My Apps/s3lync" --hidden\n');
      setLinuxAutostart(false, [], file);
      expect(fs.existsSync(file)).toBe(false);
      setLinuxAutostart(false, [], file);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores a relative XDG_CONFIG_HOME', () => {
    expect(linuxAutostartFile({ XDG_CONFIG_HOME: 'rel' })).toBe(path.join(os.homedir(), '.config', 'autostart', 's3lync.desktop'));
  });
});

describe('shellPaths', () => {
  it('finds the bundles next to out/main and assets in the checkout or the resources folder', () => {
    expect(shellPaths({ mainDir: '/repo/out/main', isPackaged: false, resourcesPath: '/ignored' })).toEqual({
      preload: path.join('/repo/out/preload/index.js'),
      rendererHtml: path.join('/repo/out/renderer/index.html'),
      assetsDir: path.join('/repo/assets'),
      trayDir: path.join('/repo/assets/tray'),
      appIcon: path.join('/repo/assets/icon.png'),
    });
    expect(shellPaths({ mainDir: '/opt/s3lync/resources/app.asar/out/main', isPackaged: true, resourcesPath: '/opt/s3lync/resources' })).toMatchObject({
      preload: path.join('/opt/s3lync/resources/app.asar/out/preload/index.js'),
      trayDir: path.join('/opt/s3lync/resources/assets/tray'),
      appIcon: path.join('/opt/s3lync/resources/assets/icon.png'),
    });
  });
});
