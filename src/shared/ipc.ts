// The one IPC contract. Every invoke channel (its request schema and response type) and every
// event (main -> renderer) is declared here once. Main validates every request against these
// schemas at run time; the preload exposes exactly these channels; the renderer calls them
// through a typed client. A wrong channel or payload is a compile error.
import { z } from 'zod';
import type {
  ActionResult,
  ActivityEntry,
  AppSnapshot,
  BrowseResult,
  Pair,
  PairState,
  PreparedPlan,
  ProfileSummary,
  Settings,
} from './model';
import type { SyncResult } from './progress';

/** A phantom marker that carries a response or event payload type. */
function type<T>(): T {
  return undefined as unknown as T;
}

const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
const s3Uri = z.string().min(6).max(2048).startsWith('s3://');
const absPath = z.string().min(1).max(4096);
const regexList = z.array(z.string().min(1).max(1000)).max(100);
const direction = z.enum(['push', 'pull']);
const pairDirection = z.enum(['push', 'pull', 'sync']);

export const pairInput = z
  .object({
    localPath: absPath,
    remote: s3Uri,
    direction: pairDirection,
    exclude: regexList,
    profileId: id,
    enabled: z.boolean(),
    pollSeconds: z.number().int().min(5).max(86_400).optional(),
  })
  .strict();

export const profileInput = z
  .object({
    id: id.optional(),
    name: z.string().min(1).max(100),
    kind: z.enum(['aws-profile', 'access-key']),
    awsProfile: z.string().max(200).nullable(),
    accessKeyId: z.string().max(256).nullable(),
    /** Sent once when entered; empty/null keeps the stored secret. Never sent back. */
    secretAccessKey: z.string().max(1024).nullable(),
    endpoint: z.string().max(2048).url().nullable(),
    region: z.string().max(64).nullable(),
    pathStyle: z.boolean(),
  })
  .strict();

export const settingsPatch = z
  .object({
    concurrency: z.number().int().min(1).max(128),
    launchAtLogin: z.boolean(),
    theme: z.enum(['system', 'light', 'dark']),
    backgroundIntervalMinutes: z.number().int().min(0).max(24 * 60),
  })
  .partial()
  .strict();

const empty = z.object({}).strict();

export const invokeContract = {
  'app:get-state': { request: empty, response: type<AppSnapshot>() },
  'pairs:create': { request: pairInput, response: type<Pair>() },
  'pairs:update': { request: z.object({ id, patch: pairInput.partial().strict() }).strict(), response: type<Pair>() },
  'pairs:remove': { request: z.object({ id }).strict(), response: type<void>() },
  'pairs:set-enabled': { request: z.object({ id, enabled: z.boolean() }).strict(), response: type<void>() },
  /**
   * Computes the plan (the diff). mode 'force' previews a mirror in `direction`.
   * allowDeletions: the user reviewed a plan the deletion guard stopped and allows it.
   */
  'pairs:plan': {
    request: z.object({ id, mode: z.enum(['sync', 'force']), direction: direction.optional(), allowDeletions: z.boolean().optional() }).strict(),
    response: type<PreparedPlan>(),
  },
  /** Runs a normal sync of the pair (plans afresh). */
  'pairs:sync': { request: z.object({ id }).strict(), response: type<SyncResult>() },
  /** Runs exactly a plan the user previewed and confirmed. */
  'pairs:run-plan': { request: z.object({ planId: id }).strict(), response: type<SyncResult>() },
  'pairs:cancel': { request: z.object({ id }).strict(), response: type<void>() },
  /** Opens the pair's folder, or the folder of `path` inside it (e.g. a conflict copy). */
  'pairs:open-folder': { request: z.object({ id, path: z.string().max(4096).optional() }).strict(), response: type<void>() },
  'pairs:dismiss-conflicts': { request: z.object({ id }).strict(), response: type<void>() },
  'sync:all': { request: empty, response: type<void>() },
  'sync:pause-all': { request: z.object({ paused: z.boolean() }).strict(), response: type<void>() },
  'profiles:save': { request: profileInput, response: type<ProfileSummary>() },
  'profiles:remove': { request: z.object({ id }).strict(), response: type<void>() },
  'profiles:test': { request: z.object({ id }).strict(), response: type<ActionResult>() },
  'profiles:aws-names': { request: empty, response: type<string[]>() },
  'browse:list': {
    request: z.object({ profileId: id, bucket: z.string().max(255).nullable(), prefix: z.string().max(1024) }).strict(),
    response: type<BrowseResult>(),
  },
  'dialog:choose-folder': { request: empty, response: type<string | null>() },
  /** What a dropped path is: the renderer cannot stat files. */
  'path:inspect': { request: z.object({ path: absPath }).strict(), response: type<{ kind: 'folder' | 'file' | 'missing' }>() },
  'settings:update': { request: settingsPatch, response: type<Settings>() },
  'activity:clear': { request: empty, response: type<void>() },
} as const;

export const eventContract = {
  'pair:state': type<PairState>(),
  'pairs:changed': type<Pair[]>(),
  'profiles:changed': type<ProfileSummary[]>(),
  'settings:changed': type<Settings>(),
  'activity:added': type<ActivityEntry>(),
  'app:paused': type<boolean>(),
} as const;

export type InvokeChannel = keyof typeof invokeContract;
export type EventChannel = keyof typeof eventContract;
export type RequestOf<C extends InvokeChannel> = z.infer<(typeof invokeContract)[C]['request']>;
export type ResponseOf<C extends InvokeChannel> = (typeof invokeContract)[C]['response'];
export type EventOf<E extends EventChannel> = (typeof eventContract)[E];

export const invokeChannels = Object.keys(invokeContract) as InvokeChannel[];
export const eventChannels = Object.keys(eventContract) as EventChannel[];

/** The API the preload exposes on `window.s3lync`, derived from the contract. */
export interface S3lyncApi {
  invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void;
  /** The absolute path of a file dropped on the window (Electron's webUtils). */
  pathForFile(file: File): string;
}

/** Errors crossing IPC: a clear sentence and a class name, never a stack. */
export interface IpcError {
  error: string;
  message: string;
}

/** Validates a request for a channel; returns the parsed value or a clear sentence. */
export function parseRequest<C extends InvokeChannel>(
  channel: string,
  payload: unknown,
): { ok: true; channel: C; value: RequestOf<C> } | { ok: false; message: string } {
  if (!Object.prototype.hasOwnProperty.call(invokeContract, channel)) {
    return { ok: false, message: `Unknown channel "${String(channel).slice(0, 100)}".` };
  }
  const schema = invokeContract[channel as C].request;
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `Invalid request for ${channel}: ${issue.path.join('.') || 'payload'}: ${issue.message}.` };
  }
  return { ok: true, channel: channel as C, value: parsed.data as RequestOf<C> };
}

/** The IPC channel names used on the wire (prefixed so nothing else collides). */
export const wireInvoke = (c: InvokeChannel) => `s3lync:invoke:${c}`;
export const wireEvent = (e: EventChannel) => `s3lync:event:${e}`;
