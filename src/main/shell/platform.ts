// Small adapters from Electron to the services' interfaces: secrets over safeStorage, launch at
// login (an XDG autostart entry on Linux, where Electron's login items do not exist).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SafeStorage } from 'electron';
import type { SecretBox } from '../services/types';

/** Secrets encrypted with the OS keychain, stored as base64. */
export function safeStorageSecretBox(
  ss: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & {
    getSelectedStorageBackend?: SafeStorage['getSelectedStorageBackend'];
  },
  platform: NodeJS.Platform = process.platform,
): SecretBox {
  return {
    available() {
      if (!ss.isEncryptionAvailable()) return false;
      // On Linux without a keyring Electron falls back to a hard-coded key: that is not protection.
      if (platform === 'linux' && ss.getSelectedStorageBackend?.() === 'basic_text') return false;
      return true;
    },
    encrypt(plain) {
      return ss.encryptString(plain).toString('base64');
    },
    decrypt(cipher) {
      return ss.decryptString(Buffer.from(cipher, 'base64'));
    },
  };
}

/** The argument that tells the app it was started at login (start in the tray, no window). */
export const HIDDEN_ARG = '--hidden';

/** Quotes one argument for a .desktop Exec= line (Desktop Entry spec, "Exec key"). */
export function desktopExecArg(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg.replace(/%/g, '%%');
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
}

export function linuxAutostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=s3lync',
    'Comment=Keep folders in sync with S3',
    `Exec=${command.map(desktopExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function linuxAutostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(config, 'autostart', 's3lync.desktop');
}

/** Writes or removes the XDG autostart entry. */
export function setLinuxAutostart(enabled: boolean, command: readonly string[], file = linuxAutostartFile()): void {
  if (enabled) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, linuxAutostartEntry(command), { mode: 0o644 });
  } else {
    fs.rmSync(file, { force: true });
  }
}
