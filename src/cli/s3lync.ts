#!/usr/bin/env node
// The command-line face of the engine. Parses arguments (usage errors exit 2 before anything is
// touched), runs one command, prints people-friendly output or --json events, and never a stack
// trace for an expected error.
import { parseArgs } from 'node:util';
import type { Operation } from '../shared/plan';
import type { SyncEvent, SyncResult } from '../shared/progress';
import { S3ObjectError, describeError } from '../main/sync/errors';
import { SyncEngine, type EngineOptions } from '../main/sync/engine';
import { MiB } from '../main/sync/md5';
import { Excluder } from '../main/sync/exclude';
import { parseS3Uri } from '../main/sync/uri';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { formatBytes, formatDuration, plural } from './format';

const VERSION = '0.1.0';

const USAGE = `s3lync — keep local folders and S3 prefixes in sync, verified by MD5.

Usage:
  s3lync push <local-path> <s3-uri> [--force] [--exclude REGEX]... [--dry-run] [--max-delete N]
  s3lync pull <s3-uri> [<local-path>] [--force] [--exclude REGEX]... [--dry-run] [--max-delete N]
  s3lync sync <local-path> <s3-uri> [--exclude REGEX]... [--dry-run] [--max-delete N]
                             two-way: changes on either side reach the other; conflicts keep both
  s3lync watch <local-path> <s3-uri> [--mode push|pull|sync] [--interval SECONDS]
                             stay in the foreground and sync on every change (Ctrl-C stops)
  s3lync exists <s3-uri>     exit 0 when an object or a non-empty prefix exists, 1 when not
  s3lync rm <s3-uri>         delete the object, or every object under the prefix [--dry-run]

Sync options:
  --force            mirror: make the target identical to the source (deletes extras;
                     local files go to the trash). Deletes nothing if anything failed.
  --exclude REGEX    skip paths (relative to the folder, "/"-separated) matching REGEX; repeatable.
                     Excluded paths are never transferred and never deleted.
  --dry-run          print the plan (each operation with its reason) and change nothing
  --max-delete N     allow a mirror to delete up to N files (overrides the safety guard)
  --no-check-hash    compare by size and modification time only (transfers are still verified)
  --part-size MIB    multipart part size in MiB (default 16)
  --mode MODE        watch: push, pull or sync (default sync)
  --interval SECONDS watch: how often to look for changes on S3 and rescan (default 60)

Common options:
  --endpoint URL     S3-compatible endpoint (else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)
  --path-style       path-style addressing (most S3-compatible stores need it)
  --region R         AWS region
  --profile P        profile from ~/.aws/config and ~/.aws/credentials
  --concurrency N    files transferred at once (default 16)
  --json             one JSON object per event, then a summary
  -q, --quiet        only errors and the summary
  -h, --help         this help;  --version  the version

Exit codes: 0 success, 1 failure (network, S3, hash mismatch, partial failure), 2 usage error.
`;

const options = {
  force: { type: 'boolean' },
  exclude: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  'max-delete': { type: 'string' },
  'no-check-hash': { type: 'boolean' },
  'part-size': { type: 'string' },
  mode: { type: 'string' },
  interval: { type: 'string' },
  endpoint: { type: 'string' },
  'path-style': { type: 'boolean' },
  region: { type: 'string' },
  profile: { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
}

class UsageError extends S3ObjectError {}

function intOption(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`${name} needs a whole number of at least ${min}, not "${v}".`);
  return Number(v);
}

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parse(argv));
  } catch (err) {
    io.err(`s3lync: ${(err as Error).message.replace(/\. To specify.*$/s, '')}\nRun "s3lync --help" for usage.\n`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.version) {
    io.out(`s3lync ${VERSION}\n`);
    return 0;
  }
  const json = values.json ?? false;
  const command = positionals[0];
  let engine: SyncEngine | null = null;
  const uriArg = positionals.find((p) => p.startsWith('s3://'));
  let bucket: string | undefined;
  try {
    bucket = uriArg ? parseS3Uri(uriArg).bucket : undefined;
  } catch {
    bucket = undefined;
  }
  const action = uriArg && command ? `${ACTION[command] ?? 'working on'} ${uriArg}` : undefined;
  try {
    const engineOptions: EngineOptions = {
      endpoint: values.endpoint,
      pathStyle: values['path-style'],
      region: values.region,
      profile: values.profile,
      concurrency: intOption(values.concurrency, '--concurrency', 1),
    };
    const partMiB = intOption(values['part-size'], '--part-size', 5);
    if (partMiB) engineOptions.partSize = partMiB * MiB;
    if (values.endpoint && !/^https?:\/\/[^\s]+$/.test(values.endpoint)) {
      throw new UsageError(`--endpoint must be an http:// or https:// URL, not "${values.endpoint}".`);
    }
    const maxDelete = intOption(values['max-delete'], '--max-delete', 0);
    switch (command) {
      case 'push':
      case 'pull': {
        const [local, uri] = command === 'push' ? [positionals[1], positionals[2]] : [positionals[2], positionals[1]];
        if (command === 'push' && (!local || !uri)) throw new UsageError('push needs a local path and an S3 URI: s3lync push <local-path> <s3-uri>.');
        if (command === 'pull' && !uri) throw new UsageError('pull needs an S3 URI: s3lync pull <s3-uri> [<local-path>].');
        if (positionals.length > 3) throw new UsageError(`Too many arguments: ${positionals.slice(3).join(' ')}.`);
        parseS3Uri(uri);
        engine = new SyncEngine(engineOptions);
        return await runSync(engine, io, values, {
          direction: command,
          localPath: local,
          remote: uri,
          mirror: values.force ?? false,
          exclude: values.exclude ?? [],
          maxDelete,
          checkHash: !values['no-check-hash'],
        });
      }
      case 'sync': {
        const [local, uri] = [positionals[1], positionals[2]];
        if (!local || !uri) throw new UsageError('sync needs a local folder and an S3 URI: s3lync sync <local-path> <s3-uri>.');
        if (positionals.length > 3) throw new UsageError(`Too many arguments: ${positionals.slice(3).join(' ')}.`);
        if (values.force) throw new UsageError('--force does not apply to a two-way sync; use push --force or pull --force to mirror one side.');
        parseS3Uri(uri);
        engine = new SyncEngine(engineOptions);
        return await runSync(engine, io, values, {
          direction: 'sync',
          localPath: local,
          remote: uri,
          exclude: values.exclude ?? [],
          maxDelete,
          checkHash: !values['no-check-hash'],
        });
      }
      case 'watch': {
        const [local, uri] = [positionals[1], positionals[2]];
        if (!local || !uri) throw new UsageError('watch needs a local folder and an S3 URI: s3lync watch <local-path> <s3-uri> [--mode push|pull|sync].');
        const mode = values.mode ?? 'sync';
        if (mode !== 'push' && mode !== 'pull' && mode !== 'sync') throw new UsageError(`--mode must be push, pull or sync, not "${mode}".`);
        const interval = intOption(values.interval, '--interval', 1) ?? 60;
        parseS3Uri(uri);
        engine = new SyncEngine(engineOptions);
        return await runWatch(engine, io, values, { direction: mode, localPath: local, remote: uri, exclude: values.exclude ?? [], maxDelete, checkHash: !values['no-check-hash'] }, interval);
      }
      case 'exists': {
        if (positionals.length !== 2) throw new UsageError('exists needs exactly one S3 URI: s3lync exists <s3-uri>.');
        parseS3Uri(positionals[1]);
        engine = new SyncEngine(engineOptions);
        const kind = await engine.exists(positionals[1]);
        if (json) io.out(JSON.stringify({ event: 'summary', uri: positionals[1], exists: kind !== null, kind }) + '\n');
        else if (!values.quiet) io.out(kind ? `${positionals[1]} exists (${kind === 'object' ? 'an object' : 'a prefix with objects'})\n` : `${positionals[1]} does not exist\n`);
        return kind ? 0 : 1;
      }
      case 'rm': {
        if (positionals.length !== 2) throw new UsageError('rm needs exactly one S3 URI: s3lync rm <s3-uri>.');
        parseS3Uri(positionals[1]);
        engine = new SyncEngine(engineOptions);
        const dry = values['dry-run'] ?? false;
        const r = await engine.remove(positionals[1], {
          dryRun: dry,
          onDeleted: (key) => {
            if (json) io.out(JSON.stringify({ event: 'deleted', key }) + '\n');
            else if (!values.quiet) io.out(`deleted: s3://${parseS3Uri(positionals[1]).bucket}/${key}\n`);
          },
        });
        if (dry && !json) for (const k of r.keys) io.out(`would delete: ${k}\n`);
        for (const f of r.failures) {
          if (json) io.out(JSON.stringify({ event: 'delete-failed', key: f.key, message: f.message }) + '\n');
          else io.err(`s3lync: could not delete ${f.key}: ${f.message}\n`);
        }
        if (json) io.out(JSON.stringify({ event: 'summary', ok: r.failures.length === 0, dryRun: dry, matched: r.keys.length, deleted: r.deleted, failed: r.failures.length }) + '\n');
        else if (dry) io.out(`Dry run: would delete ${plural(r.keys.length, 'object')}; nothing was changed.\n`);
        else io.out(`Deleted ${plural(r.deleted, 'object')}${r.failures.length ? `, ${r.failures.length} failed` : ''}.\n`);
        return r.failures.length ? 1 : 0;
      }
      case undefined:
        io.err(USAGE);
        return 2;
      default:
        throw new UsageError(`Unknown command "${command}". Commands: push, pull, sync, watch, exists, rm.`);
    }
  } catch (err) {
    const message = describeError(err, { endpoint: engine?.endpoint, bucket, action });
    if (json) io.out(JSON.stringify({ event: 'error', error: (err as Error)?.name ?? 'Error', message }) + '\n');
    io.err(`s3lync: ${message}\n`);
    return err instanceof S3ObjectError ? 2 : 1;
  } finally {
    engine?.close();
  }
}

const ACTION: Record<string, string> = { push: 'pushing to', pull: 'pulling', sync: 'syncing with', watch: 'watching', exists: 'checking', rm: 'deleting' };

const KIND_LABEL: Record<Operation['kind'], string> = {
  upload: 'upload',
  download: 'download',
  'delete-remote': 'delete',
  'delete-local': 'trash',
  'move-remote': 'move',
  'move-local': 'rename',
  conflict: 'conflict',
};

async function runSync(
  engine: SyncEngine,
  io: CliIo,
  values: Values,
  spec: Parameters<SyncEngine['sync']>[0],
): Promise<number> {
  const json = values.json ?? false;
  const quiet = values.quiet ?? false;
  const dryRun = values['dry-run'] ?? false;
  const bar = !json && !quiet && io.isTTY;
  let barShown = false;
  const clearBar = () => {
    if (barShown) io.err('\r\x1b[2K');
    barShown = false;
  };
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const onEvent = (e: SyncEvent) => {
    if (json) {
      io.out(JSON.stringify(jsonEvent(e, dryRun)) + '\n');
      return;
    }
    switch (e.type) {
      case 'plan': {
        for (const s of e.plan.skipped) io.err(`skipped: ${s.path} — ${s.reason}\n`);
        for (const n of e.plan.notes) io.err(`note: ${n}\n`);
        if (dryRun) {
          for (const op of e.plan.operations) {
            io.out(`${KIND_LABEL[op.kind].padEnd(8)} ${op.path}${op.size ? `  (${formatBytes(op.size)})` : ''}  — ${op.reason}\n`);
          }
          if (e.plan.guard?.tripped) io.err(`warning: ${e.plan.guard.message}\n`);
        }
        break;
      }
      case 'progress': {
        if (!bar) break;
        const p = e.progress;
        const frac = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 1;
        const width = 24;
        const fill = Math.round(Math.min(1, Math.max(0, frac)) * width);
        const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${Math.floor(frac * 100)}% ${p.filesDone}/${p.filesTotal} files ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)} ${formatBytes(p.rate)}/s ETA ${formatDuration(p.etaSeconds)} ${p.current[0] ?? ''}`;
        io.err(`\r\x1b[2K${line.slice(0, 160)}`);
        barShown = true;
        break;
      }
      case 'operation-done':
        if (!quiet) {
          clearBar();
          io.out(`${KIND_LABEL[e.operation.kind]}: ${e.operation.path}\n`);
        }
        break;
      case 'operation-failed':
        clearBar();
        io.err(`failed: ${e.failure.operation.path} — ${e.failure.message}\n`);
        break;
      case 'warning':
        clearBar();
        io.err(`warning: ${e.message}\n`);
        break;
      case 'result':
        clearBar();
        break;
    }
  };
  let result: SyncResult;
  try {
    result = await engine.sync(spec, { onEvent, dryRun, signal: controller.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (!json) io.out(summaryLine(result, dryRun) + '\n');
  return result.ok ? 0 : 1;
}

/** watch: sync once, then on every local change (push, sync) and every --interval seconds. */
async function runWatch(
  engine: SyncEngine,
  io: CliIo,
  values: Values,
  spec: Parameters<SyncEngine['sync']>[0],
  intervalSeconds: number,
): Promise<number> {
  const json = values.json ?? false;
  const say = (text: string, event: Record<string, unknown>) => {
    if (json) io.out(JSON.stringify({ ...event, at: new Date().toISOString() }) + '\n');
    else io.out(`[${new Date().toLocaleTimeString()}] ${text}\n`);
  };
  await fs.mkdir(path.resolve(spec.localPath!), { recursive: true });
  // Loaded only here: the file watcher (chokidar) is not needed by one-shot commands.
  const { FolderWatcher, PairRunner } = await import('../main/sync/watch.js');
  const runner = new PairRunner({
    sync: (signal, only) => engine.sync({ ...spec, only: only ?? undefined }, { signal }),
    onResult: (r) => {
      const work = r.plan.operations.length;
      if (work || r.failed.length || !r.ok) say(summaryLine(r, false), { event: 'summary', ok: r.ok, done: r.done, failed: r.failed.length, completed: r.completed });
      for (const f of r.failed) say(`failed: ${f.operation.path} — ${f.message}`, { event: 'operation-failed', path: f.operation.path, message: f.message });
    },
    onError: (message, retry) => say(`${message}${retry !== null ? ` Retrying in ${retry}s.` : ''}`, { event: 'error', message, retryInSeconds: retry }),
    onHeld: (message) => say(`${message} Watching is paused; run the command again once you have decided.`, { event: 'held', message }),
  });
  const watcher = spec.direction === 'pull' ? null : new FolderWatcher(spec.localPath!, new Excluder(spec.exclude ?? []), (paths) => runner.request(paths ?? undefined), {
    onNote: (m) => say(m, { event: 'note', message: m }),
  });
  await watcher?.start();
  say(`Watching ${path.resolve(spec.localPath!)} ⇄ ${spec.remote} (${spec.direction}); checking S3 every ${intervalSeconds}s. Ctrl-C stops.`, { event: 'watching', mode: spec.direction, intervalSeconds });
  runner.request();
  const timer = setInterval(() => runner.request(), intervalSeconds * 1000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  await watcher?.close();
  await runner.stop();
  say('Stopped.', { event: 'stopped' });
  return 0;
}

function summaryLine(r: SyncResult, dryRun: boolean): string {
  const c = r.plan.counts;
  if (dryRun) {
    const parts = [
      c.upload && `upload ${plural(c.upload, 'file')}`,
      c.download && `download ${plural(c.download, 'file')}`,
      c.deleteRemote && `delete ${plural(c.deleteRemote, 'object')}`,
      c.deleteLocal && `move ${plural(c.deleteLocal, 'file')} to the trash`,
      c.moveRemote + c.moveLocal && `rename ${plural(c.moveRemote + c.moveLocal, 'file')}`,
      c.conflicts && `keep both versions of ${plural(c.conflicts, 'conflicting file')}`,
    ].filter(Boolean);
    return `Dry run: would ${parts.length ? parts.join(', ') : 'change nothing'} (${formatBytes(c.bytes)}); ${c.unchanged} unchanged, ${c.skipped} skipped. Nothing was changed.`;
  }
  const head = r.ok ? 'Done' : r.cancelled ? 'Cancelled' : 'Finished with problems';
  const k = r.completed;
  const parts = [
    k.upload && `${k.upload} uploaded`,
    k.download && `${k.download} downloaded`,
    k.deleteRemote && `${k.deleteRemote} deleted`,
    k.deleteLocal && `${k.deleteLocal} moved to the trash`,
    k.moveRemote + k.moveLocal && `${k.moveRemote + k.moveLocal} renamed`,
    k.conflicts && `${k.conflicts} conflicts kept as copies`,
    `${c.unchanged} unchanged`,
    c.skipped && `${c.skipped} skipped`,
    r.failed.length && `${r.failed.length} failed`,
    r.deletionsHeld && `${r.deletionsHeld} deletions held back`,
  ].filter(Boolean);
  const rate = r.seconds > 0 && r.bytes > 0 ? `, ${formatBytes(r.bytes / r.seconds)}/s` : '';
  return `${head}: ${parts.join(', ')}; ${formatBytes(r.bytes)} in ${formatDuration(r.seconds)}${rate}.`;
}

function jsonEvent(e: SyncEvent, dryRun: boolean): Record<string, unknown> {
  switch (e.type) {
    case 'plan':
      return { event: 'plan', ...e.plan };
    case 'progress':
      return { event: 'progress', ...e.progress };
    case 'operation-done':
      return { event: 'operation-done', ...e.operation };
    case 'operation-failed':
      return { event: 'operation-failed', ...e.failure.operation, error: e.failure.error, message: e.failure.message };
    case 'warning':
      return { event: 'warning', message: e.message };
    case 'result': {
      const r = e.result;
      const c = r.plan.counts;
      return {
        event: 'summary',
        ok: r.ok,
        dryRun,
        counts: {
          uploaded: r.completed.upload,
          downloaded: r.completed.download,
          deleted: r.completed.deleteRemote + r.completed.deleteLocal,
          unchanged: c.unchanged,
          skipped: c.skipped,
          failed: r.failed.length,
        },
        planned: c,
        done: r.done,
        bytes: r.bytes,
        seconds: r.seconds,
        deletionsHeld: r.deletionsHeld,
        heldReason: r.heldReason,
        cancelled: r.cancelled,
        failures: r.failed.map((f) => ({ path: f.operation.path, error: f.error, message: f.message })),
      };
    }
  }
}

function defaultIo(): CliIo {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stderr.isTTY),
  };
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`s3lync: ${describeError(err)}\n`);
      process.exitCode = 1;
    },
  );
}
