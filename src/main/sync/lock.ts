// One sync of a folder at a time, across processes: a lock file in the data directory holding
// the owner's pid. A lock left by a dead process is taken over.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { SyncError } from './errors';
import { stableId } from './store';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireLock(dataDir: string, localRoot: string): Promise<() => Promise<void>> {
  const dir = path.join(dataDir, 'locks');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${stableId(path.resolve(localRoot))}.lock`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const h = await fs.open(file, 'wx');
      await h.writeFile(`${process.pid}\n${path.resolve(localRoot)}\n`);
      await h.close();
      return async () => {
        await fs.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await fs.readFile(file, 'utf8').catch(() => '')).split('\n')[0]);
      if (pid && pid !== process.pid && alive(pid)) {
        throw new SyncError(`Another s3lync process (pid ${pid}) is already syncing ${localRoot}. Wait for it to finish, then run again.`);
      }
      if (pid === process.pid) {
        throw new SyncError(`${localRoot} is already being synced by this process. Wait for that sync to finish.`);
      }
      await fs.rm(file, { force: true });
    }
  }
  throw new SyncError(`Could not lock ${localRoot} for syncing. Run again.`);
}
