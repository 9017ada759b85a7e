// Exclude patterns: regular expressions matched against the path relative to the synced folder,
// `/`-separated (never the absolute path: seed defect 4). Excluded paths are invisible on both
// sides, so they are never transferred and never deleted.
import { S3ObjectError } from './errors';

export class Excluder {
  private readonly patterns: RegExp[];
  constructor(sources: readonly string[] = []) {
    this.patterns = sources.map((src) => {
      try {
        return new RegExp(src);
      } catch (err) {
        throw new S3ObjectError(`The exclude pattern "${src}" is not a valid regular expression: ${(err as Error).message}.`);
      }
    });
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /**
   * A file is excluded when a pattern matches its path, or the path of one of its folders with a
   * trailing `/` (so local folders pruned during the scan and remote keys agree).
   */
  excludes(rel: string): boolean {
    if (this.patterns.length === 0) return false;
    if (this.test(rel)) return true;
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
      if (this.test(rel.slice(0, i + 1))) return true;
    }
    return false;
  }

  /** A folder is skipped whole when a pattern matches its path with a trailing `/`. */
  excludesDir(rel: string): boolean {
    return this.patterns.length > 0 && this.test(`${rel}/`);
  }

  private test(s: string): boolean {
    return this.patterns.some((re) => re.test(s));
  }
}
