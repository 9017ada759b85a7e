// The app's domain values as the renderer sees them: pairs, their live state, connection
// profiles (never with secrets), settings and the activity log. Plain data, no Node or Electron.
import type { Plan } from './plan';
import type { Progress } from './progress';

/** push: the folder is copied to S3; pull: S3 is copied to the folder; sync: both ways. */
export type PairDirection = 'push' | 'pull' | 'sync';

export interface Pair {
  id: string;
  /** Absolute path of the local folder. */
  localPath: string;
  /** s3://bucket/prefix/ */
  remote: string;
  direction: PairDirection;
  exclude: string[];
  profileId: string;
  /** false: paused by the user; no background syncs. */
  enabled: boolean;
  createdAt: number;
  /** Seconds between looks at S3 for remote changes (pull and sync pairs); default 60. */
  pollSeconds?: number;
}

export type PairStatus =
  | 'idle' // not synced yet in this session
  | 'in-sync'
  | 'pending' // the last plan found work to do
  | 'planning'
  | 'syncing'
  | 'paused'
  | 'error'
  | 'conflict';

export interface PendingCounts {
  upload: number;
  download: number;
  delete: number;
  conflicts: number;
}

export interface PairState {
  pairId: string;
  status: PairStatus;
  /** When the last successful sync finished (ms since epoch). */
  lastSyncAt: number | null;
  pending: PendingCounts | null;
  progress: Progress | null;
  /** A clear sentence when status is 'error'. */
  error: string | null;
  /** One line about the last run ("3 uploaded, 1 deleted"). */
  lastSummary: string | null;
  /** The deletion guard stopped a background sync: what it would delete, waiting for the user. */
  held: string | null;
  /** Conflict copies made recently (relative paths), until the user dismisses them. */
  conflicts: string[];
  /** Something the user should know about how the pair is watched (e.g. polling). */
  note: string | null;
}

/** The tray's overall state, from all pairs. */
export type OverallState = 'in-sync' | 'syncing' | 'paused' | 'error' | 'conflict';

export type ProfileKind = 'aws-profile' | 'access-key';

/** A connection profile as the renderer may see it: the secret never leaves main. */
export interface ProfileSummary {
  id: string;
  name: string;
  kind: ProfileKind;
  /** For 'aws-profile': the name in ~/.aws/config. */
  awsProfile: string | null;
  /** For 'access-key': the key id, partly masked (AKIA…WXYZ). */
  accessKeyHint: string | null;
  hasSecret: boolean;
  endpoint: string | null;
  region: string | null;
  pathStyle: boolean;
}

export interface Settings {
  /** Files transferred at once, per sync. */
  concurrency: number;
  launchAtLogin: boolean;
  theme: 'system' | 'light' | 'dark';
  /** Minutes between background syncs of enabled pairs (0: off). */
  backgroundIntervalMinutes: number;
}

export interface ActivityEntry {
  id: number;
  at: number;
  pairId: string | null;
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** A plan prepared in main and kept there, so that what the user confirms is what runs. */
export interface PreparedPlan {
  planId: string;
  pairId: string;
  /** 'sync': the pair's own direction, no deletes; 'force': mirror with deletes. */
  mode: 'sync' | 'force';
  plan: Plan;
  createdAt: number;
}

export interface BrowseEntry {
  /** Bucket names, or prefixes ending in '/' under the browsed prefix. */
  name: string;
  kind: 'bucket' | 'prefix' | 'object';
  size?: number;
}

export interface BrowseResult {
  bucket: string | null;
  prefix: string;
  entries: BrowseEntry[];
  truncated: boolean;
}

export interface AppSnapshot {
  pairs: Pair[];
  states: PairState[];
  profiles: ProfileSummary[];
  settings: Settings;
  activity: ActivityEntry[];
  allPaused: boolean;
  platform: string;
}

export interface ActionResult {
  ok: boolean;
  message: string;
}
