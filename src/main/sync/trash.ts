// The trash: local files that a sync removes or replaces are moved here (under the data
// directory), never unlinked. Kept for 30 days, then pruned.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { stableId } from './store';

const KEEP_DAYS = 30;

export class Trash {
  readonly dir: string;
  constructor(dataDir: string, localRoot: string) {
    const day = new Date().toISOString().slice(0, 10);
    this.dir = path.join(dataDir, 'trash', day, `${path.basename(localRoot) || 'root'}-${stableId(path.resolve(localRoot)).slice(0, 8)}`);
  }

  private async target(rel: string): Promise<string> {
    let dest = path.join(this.dir, ...rel.split('/'));
    await fs.mkdir(path.dirname(dest), { recursive: true });
    for (let i = 1; ; i++) {
      try {
        await fs.lstat(dest);
      } catch {
        return dest;
      }
      const ext = path.extname(rel);
      dest = path.join(this.dir, ...`${rel.slice(0, rel.length - ext.length)} (${i})${ext}`.split('/'));
    }
  }

  /** Moves a file into the trash; returns where it went. */
  async move(abs: string, rel: string): Promise<string> {
    const dest = await this.target(rel);
    try {
      await fs.rename(abs, dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await fs.copyFile(abs, dest, fs.constants.COPYFILE_EXCL);
      await fs.unlink(abs);
    }
    return dest;
  }

  /** Keeps a copy of a file that is about to be replaced (a hard link when possible). */
  async keepCopy(abs: string, rel: string): Promise<string> {
    const dest = await this.target(rel);
    try {
      await fs.link(abs, dest);
    } catch {
      await fs.copyFile(abs, dest, fs.constants.COPYFILE_EXCL);
    }
    return dest;
  }

  /** Removes trash days older than KEEP_DAYS. */
  static async prune(dataDir: string, now = Date.now()): Promise<void> {
    const root = path.join(dataDir, 'trash');
    let days: string[];
    try {
      days = await fs.readdir(root);
    } catch {
      return;
    }
    for (const day of days) {
      const t = Date.parse(day);
      if (!Number.isNaN(t) && now - t > KEEP_DAYS * 86_400_000) {
        await fs.rm(path.join(root, day), { recursive: true, force: true });
      }
    }
  }
}
