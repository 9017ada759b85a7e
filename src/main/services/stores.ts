// The app's persistent records under its data directory: pairs (one file each, so a corrupt or
// missing file never loses the others), connection profiles (secrets encrypted with the shell's
// SecretBox, never returned to the renderer), settings and the activity log. Every write is
// atomic (temp file + rename) and every file carries a schema version.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ActivityEntry, Pair, ProfileKind, ProfileSummary, Settings } from '../../shared/model';
import { readJson, writeFileAtomic } from '../sync/store';
import { S3ObjectError } from '../sync/errors';
import type { SecretBox } from './types';

const SCHEMA = 1;

export function newId(): string {
  return randomBytes(8).toString('hex');
}

interface Versioned<T> {
  schemaVersion: number;
  value: T;
}

/** A folder of JSON records, one file per id. Unreadable files are set aside, not deleted. */
class RecordFolder<T extends { id: string }> {
  constructor(
    private readonly dir: string,
    private readonly valid: (v: unknown) => v is T,
  ) {}

  async loadAll(): Promise<{ records: T[]; problems: string[] }> {
    const records: T[] = [];
    const problems: string[] = [];
    let names: string[] = [];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return { records, problems };
    }
    for (const name of names.sort()) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(this.dir, name);
      const data = await readJson<Versioned<T>>(file);
      if (data && data.schemaVersion === SCHEMA && this.valid(data.value) && `${data.value.id}.json` === name) {
        records.push(data.value);
      } else {
        const aside = `${file}.unreadable-${Date.now()}`;
        await fs.rename(file, aside).catch(() => undefined);
        problems.push(`${name} could not be read and was set aside as ${path.basename(aside)}.`);
      }
    }
    return { records, problems };
  }

  async save(record: T): Promise<void> {
    await writeFileAtomic(path.join(this.dir, `${record.id}.json`), JSON.stringify({ schemaVersion: SCHEMA, value: record }, null, 2));
  }

  async remove(id: string): Promise<void> {
    await fs.rm(path.join(this.dir, `${id}.json`), { force: true });
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';

function isPair(v: unknown): v is Pair {
  const p = v as Pair;
  return (
    !!p &&
    isString(p.id) &&
    isString(p.localPath) &&
    isString(p.remote) &&
    (p.direction === 'push' || p.direction === 'pull') &&
    Array.isArray(p.exclude) &&
    p.exclude.every(isString) &&
    isString(p.profileId) &&
    typeof p.enabled === 'boolean' &&
    typeof p.createdAt === 'number'
  );
}

export class PairStore {
  private readonly folder: RecordFolder<Pair>;
  private pairs = new Map<string, Pair>();
  constructor(dataDir: string) {
    this.folder = new RecordFolder(path.join(dataDir, 'pairs'), isPair);
  }
  async load(): Promise<string[]> {
    const { records, problems } = await this.folder.loadAll();
    this.pairs = new Map(records.sort((a, b) => a.createdAt - b.createdAt).map((p) => [p.id, p]));
    return problems;
  }
  list(): Pair[] {
    return [...this.pairs.values()];
  }
  get(id: string): Pair | undefined {
    return this.pairs.get(id);
  }
  async put(pair: Pair): Promise<void> {
    await this.folder.save(pair);
    this.pairs.set(pair.id, pair);
  }
  async remove(id: string): Promise<void> {
    await this.folder.remove(id);
    this.pairs.delete(id);
  }
}

/** A profile as stored: the secret only as ciphertext from the SecretBox. */
export interface StoredProfile {
  id: string;
  name: string;
  kind: ProfileKind;
  awsProfile: string | null;
  accessKeyId: string | null;
  secretCipher: string | null;
  endpoint: string | null;
  region: string | null;
  pathStyle: boolean;
}

function isProfile(v: unknown): v is StoredProfile {
  const p = v as StoredProfile;
  return !!p && isString(p.id) && isString(p.name) && (p.kind === 'aws-profile' || p.kind === 'access-key') && typeof p.pathStyle === 'boolean';
}

export function maskKey(key: string | null): string | null {
  if (!key) return null;
  return key.length <= 8 ? `${key.slice(0, 2)}…` : `${key.slice(0, 4)}…${key.slice(-4)}`;
}

export function summarize(p: StoredProfile): ProfileSummary {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    awsProfile: p.kind === 'aws-profile' ? p.awsProfile : null,
    accessKeyHint: p.kind === 'access-key' ? maskKey(p.accessKeyId) : null,
    hasSecret: p.kind === 'access-key' && !!p.secretCipher,
    endpoint: p.endpoint,
    region: p.region,
    pathStyle: p.pathStyle,
  };
}

export interface ProfileInput {
  id?: string;
  name: string;
  kind: ProfileKind;
  awsProfile: string | null;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  endpoint: string | null;
  region: string | null;
  pathStyle: boolean;
}

export class ProfileStore {
  private readonly folder: RecordFolder<StoredProfile>;
  private profiles = new Map<string, StoredProfile>();
  constructor(
    dataDir: string,
    private readonly secrets: SecretBox,
  ) {
    this.folder = new RecordFolder(path.join(dataDir, 'profiles'), isProfile);
  }
  async load(): Promise<string[]> {
    const { records, problems } = await this.folder.loadAll();
    this.profiles = new Map(records.map((p) => [p.id, p]));
    return problems;
  }
  list(): ProfileSummary[] {
    return [...this.profiles.values()].map(summarize);
  }
  get(id: string): StoredProfile | undefined {
    return this.profiles.get(id);
  }
  /** The secret in clear, for building a client in main. Never leaves main. */
  secretOf(p: StoredProfile): string | null {
    return p.secretCipher ? this.secrets.decrypt(p.secretCipher) : null;
  }

  async save(given: ProfileInput): Promise<ProfileSummary> {
    let input = given;
    const existing = input.id ? this.profiles.get(input.id) : undefined;
    if (input.id && !existing) throw new S3ObjectError('That connection profile no longer exists.');
    const name = input.name.trim();
    if (!name) throw new S3ObjectError('Give the profile a name.');
    let secretCipher = existing?.secretCipher ?? null;
    if (input.kind === 'aws-profile') {
      if (!input.awsProfile?.trim()) throw new S3ObjectError('Choose the AWS profile to use (from ~/.aws/config).');
      secretCipher = null;
    } else {
      // Editing: an empty key ID (the renderer only ever sees a masked hint) keeps the stored one.
      if (!input.accessKeyId?.trim() && existing?.kind === 'access-key' && existing.accessKeyId) input = { ...input, accessKeyId: existing.accessKeyId };
      if (!input.accessKeyId?.trim()) throw new S3ObjectError('Enter the access key ID.');
      if (input.secretAccessKey) {
        if (!this.secrets.available()) {
          throw new S3ObjectError('This system offers no secure storage for secrets (no keyring), so the secret key cannot be saved safely. Use an AWS profile from ~/.aws instead.');
        }
        secretCipher = this.secrets.encrypt(input.secretAccessKey);
      }
      if (!secretCipher) throw new S3ObjectError('Enter the secret access key.');
    }
    const stored: StoredProfile = {
      id: existing?.id ?? newId(),
      name,
      kind: input.kind,
      awsProfile: input.kind === 'aws-profile' ? input.awsProfile!.trim() : null,
      accessKeyId: input.kind === 'access-key' ? input.accessKeyId!.trim() : null,
      secretCipher: input.kind === 'access-key' ? secretCipher : null,
      endpoint: input.endpoint?.trim() || null,
      region: input.region?.trim() || null,
      pathStyle: input.pathStyle,
    };
    await this.folder.save(stored);
    this.profiles.set(stored.id, stored);
    return summarize(stored);
  }

  async remove(id: string): Promise<void> {
    await this.folder.remove(id);
    this.profiles.delete(id);
  }
}

export const DEFAULT_SETTINGS: Settings = { concurrency: 16, launchAtLogin: false, theme: 'system', backgroundIntervalMinutes: 5 };

export class SettingsStore {
  private settings: Settings = { ...DEFAULT_SETTINGS };
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
  }
  async load(): Promise<void> {
    const data = await readJson<Versioned<Partial<Settings>>>(this.file);
    if (data?.schemaVersion === SCHEMA && data.value && typeof data.value === 'object') {
      const v = data.value;
      this.settings = {
        concurrency: Number.isInteger(v.concurrency) && v.concurrency! > 0 ? v.concurrency! : DEFAULT_SETTINGS.concurrency,
        launchAtLogin: typeof v.launchAtLogin === 'boolean' ? v.launchAtLogin : DEFAULT_SETTINGS.launchAtLogin,
        theme: v.theme === 'light' || v.theme === 'dark' || v.theme === 'system' ? v.theme : DEFAULT_SETTINGS.theme,
        backgroundIntervalMinutes: Number.isInteger(v.backgroundIntervalMinutes) && v.backgroundIntervalMinutes! >= 0 ? v.backgroundIntervalMinutes! : DEFAULT_SETTINGS.backgroundIntervalMinutes,
      };
    }
  }
  get(): Settings {
    return { ...this.settings };
  }
  async update(patch: Partial<Settings>): Promise<Settings> {
    this.settings = { ...this.settings, ...patch };
    await writeFileAtomic(this.file, JSON.stringify({ schemaVersion: SCHEMA, value: this.settings }, null, 2));
    return this.get();
  }
}

const ACTIVITY_KEEP = 500;

export class ActivityLog {
  private entries: ActivityEntry[] = [];
  private nextId = 1;
  private timer: NodeJS.Timeout | null = null;
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'activity.json');
  }
  async load(): Promise<void> {
    const data = await readJson<Versioned<ActivityEntry[]>>(this.file);
    if (data?.schemaVersion === SCHEMA && Array.isArray(data.value)) {
      this.entries = data.value.filter((e) => e && typeof e.message === 'string' && typeof e.at === 'number').slice(0, ACTIVITY_KEEP);
      this.nextId = Math.max(0, ...this.entries.map((e) => e.id)) + 1;
    }
  }
  list(): ActivityEntry[] {
    return [...this.entries];
  }
  add(level: ActivityEntry['level'], message: string, pairId: string | null = null): ActivityEntry {
    const entry: ActivityEntry = { id: this.nextId++, at: Date.now(), pairId, level, message };
    this.entries.unshift(entry);
    if (this.entries.length > ACTIVITY_KEEP) this.entries.length = ACTIVITY_KEEP;
    this.scheduleSave();
    return entry;
  }
  clear(): void {
    this.entries = [];
    this.scheduleSave();
  }
  private scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, 500);
    this.timer.unref?.();
  }
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await writeFileAtomic(this.file, JSON.stringify({ schemaVersion: SCHEMA, value: this.entries })).catch(() => undefined);
  }
}
