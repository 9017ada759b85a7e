#!/usr/bin/env node
// `npm run bench`: s3lync against its peers (aws-cli `aws s3 sync`, `rclone sync --checksum`,
// `rclone sync`) and the bare SDK, on one real S3 server (Swift + s3api via scripts/s3-server.sh),
// the same trees, alternating tools, several rounds; medians, request counts (from the server's
// access log, nothing in the data path), peak RSS and CPU time (GNU time) for every run. Writes Markdown, JSON and a PNG chart
// to bench/results/<quick|full>/. See bench/README.md.
//
// Environment: BENCH_QUICK=1 (skip the 10k and 1 GiB cases; 2 rounds), BENCH_ROUNDS (3),
// BENCH_ROUNDS_10K (2: rounds of the 10k initial upload/download),
// BENCH_S3_PORT (28080), BENCH_S3_DIR (/tmp/s3lync-bench-s3), BENCH_WORK_DIR
// (/tmp/s3lync-bench-work), BENCH_REF=<git ref> (benchmark that commit, built from git archive,
// instead of the working tree), BENCH_PROFILE=0 (skip s3lync CPU profiles), BENCH_KEEP=1 (leave
// the server running and the trees in place).
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAccessLog, diffCounts } from './lib/access-log.mjs';
import { startStub, stubContent, stubRel } from './lib/stub.mjs';
import { summarizeProfile } from './lib/profile.mjs';
import { chartHtml, renderPng } from './lib/chart.mjs';

const require = createRequire(import.meta.url);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? (QUICK ? 2 : 3))) || 3);
// The 10,000-file transfers are bound by the server (~150-200 PUT/s): 3 rounds of them alone
// would take ~15 minutes, so by default they run in 2 rounds (the re-sync cases still run every
// round, on the latest 10k upload).
const ROUNDS_10K = Math.min(ROUNDS, Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS_10K ?? 2)) || 2));
const PORT = Number(process.env.BENCH_S3_PORT ?? 28080);
const S3DIR = process.env.BENCH_S3_DIR ?? '/tmp/s3lync-bench-s3';
const WORK = process.env.BENCH_WORK_DIR ?? '/tmp/s3lync-bench-work';
const PROFILE = process.env.BENCH_PROFILE !== '0';
const KEEP = process.env.BENCH_KEEP === '1';
const MODE = QUICK ? 'quick' : 'full';
const RESULTS = path.join(ROOT, 'bench', 'results', MODE);
const BUCKET = 's3lync-bench';
const BUCKET_100K = 's3lync-bench-100k';
const CONCURRENCY = 16;
const KEY = 'test:tester';
const SECRET = 'testing';
// BENCH_REF=<git ref>: benchmark that commit (built from `git archive` into a temp dir) instead
// of the working tree's dist/ — for a stable figure while src/ is being edited, or to compare.
const REF = process.env.BENCH_REF || null;
let DIST = path.join(ROOT, 'dist');
let CLI = path.join(DIST, 'cli', 's3lync.js');
const AWS = '/usr/bin/aws';
const TIME = '/usr/bin/time';
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const T0 = Date.now();

const log = (...a) => process.stderr.write(`[bench ${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${a.join(' ')}\n`);
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const loadavg = () => os.loadavg().map((x) => +x.toFixed(2));

// ------------------------------------------------------------------ environment -----------

function which(cmd) {
  try {
    return execFileSync('bash', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function aptInstall(pkgs) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  try {
    install();
  } catch {
    log('apt-get install failed; running apt-get update and retrying');
    execFileSync('apt-get', ['update', '-q'], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
    install();
  }
}

function ensurePeers() {
  const missing = [];
  if (!existsSync(AWS)) missing.push('awscli');
  if (!which('rclone')) missing.push('rclone');
  if (!existsSync(TIME)) missing.push('time');
  if (missing.length) {
    log(`installing ${missing.join(' ')} from apt`);
    try {
      aptInstall(missing);
    } catch (err) {
      log(`could not install ${missing.join(' ')}: ${err.message}`);
    }
  }
  return { aws: existsSync(AWS), rclone: which('rclone'), time: existsSync(TIME) };
}

function version(cmd, args, pick = (s) => s.split('\n')[0]) {
  try {
    return pick(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() }).trim());
  } catch {
    return 'unavailable';
  }
}

function buildRef(ref) {
  const sha = execFileSync('git', ['-C', ROOT, 'rev-parse', `${ref}^{commit}`], { encoding: 'utf8' }).trim();
  const dir = path.join(os.tmpdir(), `s3lync-bench-build-${sha.slice(0, 12)}`);
  if (!existsSync(path.join(dir, 'dist', 'cli', 's3lync.js'))) {
    log(`building ${ref} (${sha.slice(0, 12)}) in ${dir}`);
    execFileSync('rm', ['-rf', dir]);
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('bash', ['-c', `git -C "${ROOT}" archive ${sha} | tar -x -C "${dir}"`]);
    execFileSync('ln', ['-s', path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules')]);
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(dir, 'tsconfig.cli.json')], { stdio: 'inherit' });
  }
  DIST = path.join(dir, 'dist');
  CLI = path.join(DIST, 'cli', 's3lync.js');
  return { sha, dir };
}

function machineInfo(peers, built) {
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? os.cpus()[0]?.model;
  let commit = 'unknown';
  if (built) commit = `${built.sha.slice(0, 12)} (BENCH_REF=${REF}, built from git archive)`;
  else try {
    commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim();
    if (dirty) commit += ' (src/ has uncommitted changes)';
  } catch {
    /* not a git checkout */
  }
  let os_ = os.type();
  try {
    os_ = (readFileSync('/etc/os-release', 'utf8').match(/PRETTY_NAME="(.*)"/) ?? [])[1] ?? os_;
  } catch {
    /* keep */
  }
  return {
    date: new Date().toISOString(),
    os: `${os_}, kernel ${os.release()}`,
    cpu,
    cores: os.cpus().length,
    ramGiB: +(os.totalmem() / GiB).toFixed(1),
    loadavgStart: loadavg(),
    node: process.version,
    s3lync: `${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version} @ ${commit}`,
    aws: peers.aws ? version(AWS, ['--version']) : 'unavailable',
    rclone: peers.rclone ? version('rclone', ['version'], (s) => s.split('\n')[0]) : 'unavailable',
    swift: version('dpkg-query', ['-W', '-f=${Version}', 'swift-proxy']),
    sdk: JSON.parse(readFileSync(require.resolve('@aws-sdk/client-s3/package.json'), 'utf8')).version,
  };
}

/** process.env without anything that could point a tool elsewhere. */
function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(AWS_|RCLONE_|S3LYNC_)/.test(k)) delete env[k];
  }
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return { ...env, ...extra };
}

// ----------------------------------------------------------------------- server -----------

function s3Server(cmd, extraEnv = {}) {
  const env = { ...process.env, S3LYNC_S3_PORT: String(PORT), S3LYNC_S3_DIR: S3DIR, ...extraEnv };
  return execFileSync('bash', [path.join(ROOT, 'scripts', 's3-server.sh'), cmd], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 });
}

// ------------------------------------------------------------------------- trees ----------

async function genTree(dir, count, size, perDir) {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const rels = [];
  for (let i = 0; i < count; i++) {
    const rel = perDir ? `d${String(Math.floor(i / perDir)).padStart(3, '0')}/f${String(i).padStart(5, '0')}.bin` : `f${String(i).padStart(5, '0')}.bin`;
    rels.push(rel);
  }
  const dirs = new Set(rels.map((r) => path.dirname(r)));
  for (const d of dirs) await fs.mkdir(path.join(dir, d), { recursive: true });
  for (let i = 0; i < rels.length; i += 64) {
    await Promise.all(rels.slice(i, i + 64).map((r) => fs.writeFile(path.join(dir, r), randomBytes(size))));
  }
  return { dir, count, bytes: count * size, rels: rels.sort() };
}

async function genBigFile(dir, bytes) {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'big.bin');
  const out = createWriteStream(file);
  const chunk = 16 * MiB;
  for (let done = 0; done < bytes; done += chunk) {
    if (!out.write(randomBytes(Math.min(chunk, bytes - done)))) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  return { dir, count: 1, bytes, rels: ['big.bin'] };
}

async function gen100k(dir, count, mtimeSec) {
  await fs.rm(dir, { recursive: true, force: true });
  for (let d = 0; d * 1000 < count; d++) await fs.mkdir(path.join(dir, `d${String(d).padStart(3, '0')}`), { recursive: true });
  for (let i = 0; i < count; i += 256) {
    await Promise.all(
      Array.from({ length: Math.min(256, count - i) }, async (_, j) => {
        const f = path.join(dir, stubRel(i + j));
        await fs.writeFile(f, stubContent(i + j));
        await fs.utimes(f, mtimeSec, mtimeSec);
      }),
    );
  }
}

async function copyTree(src, dst) {
  await fs.rm(dst, { recursive: true, force: true });
  execFileSync('cp', ['-a', src, dst]);
}

async function countTree(dir) {
  let files = 0;
  let bytes = 0;
  const walk = async (d) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        files++;
        bytes += (await fs.stat(p)).size;
      }
    }
  };
  await walk(dir).catch(() => undefined);
  return { files, bytes };
}

// ------------------------------------------------------------------------ running ---------

/** Runs one command under GNU time with a timeout; returns wall seconds, RSS, CPU and output. */
function runCommand(cmd, args, { env, timeoutSec, keepStdout = false }) {
  return new Promise((resolve) => {
    const timeFile = path.join(WORK, `time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
    const t0 = performance.now();
    const child = spawn(TIME, ['-f', '%M %U %S', '-o', timeFile, cmd, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stdoutTail = '';
    let planLine = null;
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (c) => {
      const s = c.toString();
      if (keepStdout) {
        partial += s;
        let nl;
        while ((nl = partial.indexOf('\n')) !== -1) {
          const line = partial.slice(0, nl);
          partial = partial.slice(nl + 1);
          if (line.startsWith('{"event":"plan"')) planLine = line;
          if (line.trim()) stdoutTail = line;
        }
      } else if (stdout.length < 20000) stdout += s;
    });
    child.stderr.on('data', (c) => {
      stderr = (stderr + c.toString()).slice(-4000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutSec * 1000);
    child.on('error', (err) => {
      stderr += String(err);
    });
    child.on('close', async (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      let rssMB = null;
      let cpuSec = null;
      try {
        const lines = (await fs.readFile(timeFile, 'utf8')).trim().split('\n');
        const [m, u, s] = lines[lines.length - 1].split(' ').map(Number);
        if (Number.isFinite(m)) rssMB = +(m / 1024).toFixed(1);
        if (Number.isFinite(u)) cpuSec = +(u + s).toFixed(2);
        await fs.rm(timeFile, { force: true });
      } catch {
        /* no time output */
      }
      if (partial.trim()) {
        if (partial.startsWith('{"event":"plan"')) planLine = partial;
        stdoutTail = partial;
      }
      resolve({ code, timedOut, seconds, rssMB, cpuSec, stdout: keepStdout ? stdoutTail : stdout, planLine, stderr });
    });
  });
}

const runs = [];
const commands = {};

/**
 * One benchmarked invocation: runs it, diffs the request counters around it, checks the outcome
 * and records the row. `check(result, requests)` returns an error string or null.
 */
async function measure({ caseId, tool, round, cmd, args, env, timeoutSec, counter, check, s3lync = false, note }) {
  const before = counter.snapshot();
  const r = await runCommand(cmd, args, { env, timeoutSec, keepStdout: s3lync });
  await counter.settle?.(); // the last requests' log lines
  const requests = diffCounts(before, counter.snapshot());
  let error = null;
  if (r.timedOut) error = `timed out after ${timeoutSec}s`;
  else if (r.code !== 0) error = `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ').slice(0, 300)}`;
  let hashed;
  let summary;
  if (s3lync) {
    try {
      if (r.planLine) hashed = JSON.parse(r.planLine).hashed;
    } catch {
      /* no plan */
    }
    try {
      summary = JSON.parse(r.stdout);
    } catch {
      /* no summary */
    }
    if (!error && !summary) error = 'exited without a summary line (the run did not finish)';
    if (!error && summary && summary.ok === false) error = `s3lync reported failures: ${JSON.stringify(summary.failures?.slice(0, 2))}`;
  }
  if (!error && check) error = await check(r, requests);
  let inner;
  if (cmd === process.execPath && args[0]?.endsWith('sdk-ceiling.mjs')) {
    try {
      inner = +JSON.parse(r.stdout.trim().split('\n').pop()).seconds.toFixed(3);
    } catch {
      /* no output */
    }
  }
  const row = {
    case: caseId,
    tool,
    round,
    ok: !error,
    seconds: +r.seconds.toFixed(3),
    rssMB: r.rssMB,
    cpuSec: r.cpuSec,
    requests,
    ...(hashed !== undefined ? { hashed } : {}),
    ...(inner !== undefined ? { innerSeconds: inner } : {}),
    ...(summary?.counts ? { s3lyncCounts: summary.counts } : {}),
    ...(note ? { note } : {}),
    ...(error ? { error } : {}),
  };
  runs.push(row);
  log(`${caseId.padEnd(12)} ${tool.padEnd(18)} r${round} ${error ? `FAILED (${error})` : `${r.seconds.toFixed(2)}s`} rss=${r.rssMB}MB cpu=${r.cpuSec}s req=${requests.total}${hashed !== undefined ? ` hashed=${hashed}` : ''}`);
  return row;
}

// --------------------------------------------------------------------- tools --------------

function makeTools({ endpoint, awsDir, rcloneConf }) {
  const awsEnv = (ep) =>
    cleanEnv({ AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_CONFIG_FILE: path.join(awsDir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(awsDir, 'credentials'), AWS_PAGER: '', AWS_DEFAULT_REGION: 'us-east-1', _EP: ep });
  const rcloneEnv = (ep) =>
    cleanEnv({
      RCLONE_CONFIG: rcloneConf,
      RCLONE_CONFIG_BENCH_TYPE: 's3',
      RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
      RCLONE_CONFIG_BENCH_ENDPOINT: ep,
      RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: KEY,
      RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: SECRET,
      RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
      RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
    }); // cleanEnv drops AWS_CA_BUNDLE, which breaks rclone
  const s3lyncEnv = (dataDir) => cleanEnv({ AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, S3LYNC_DATA_DIR: dataDir });
  const uri = (bucket, prefix) => `s3://${bucket}/${prefix}`;
  const rc = (bucket, prefix) => `bench:${bucket}/${prefix.replace(/\/$/, '')}`;
  // Each returns [cmd, args, env]; dir is the local folder, prefix ends with '/'.
  return {
    s3lync: {
      push: ({ dir, bucket = BUCKET, prefix, dataDir, ep = endpoint, extra = [] }) => [process.execPath, [...extra, CLI, 'push', dir, uri(bucket, prefix), '--endpoint', ep, '--path-style', '--concurrency', String(CONCURRENCY), '--json'], s3lyncEnv(dataDir)],
      pull: ({ dir, bucket = BUCKET, prefix, dataDir, ep = endpoint, extra = [] }) => [process.execPath, [...extra, CLI, 'pull', uri(bucket, prefix), dir, '--endpoint', ep, '--path-style', '--concurrency', String(CONCURRENCY), '--json'], s3lyncEnv(dataDir)],
    },
    'aws-cli': {
      push: ({ dir, bucket = BUCKET, prefix, ep = endpoint }) => [AWS, ['--endpoint-url', ep, 's3', 'sync', dir, uri(bucket, prefix), '--only-show-errors'], awsEnv(ep)],
      pull: ({ dir, bucket = BUCKET, prefix, ep = endpoint }) => [AWS, ['--endpoint-url', ep, 's3', 'sync', uri(bucket, prefix), dir, '--only-show-errors'], awsEnv(ep)],
    },
    'rclone --checksum': {
      push: ({ dir, bucket = BUCKET, prefix, ep = endpoint }) => ['rclone', ['sync', dir, rc(bucket, prefix), '--checksum', '--transfers', '16', '--checkers', '16', '-q'], rcloneEnv(ep)],
      pull: ({ dir, bucket = BUCKET, prefix, ep = endpoint }) => ['rclone', ['sync', rc(bucket, prefix), dir, '--checksum', '--transfers', '16', '--checkers', '16', '-q'], rcloneEnv(ep)],
    },
    'rclone (default)': {
      push: ({ dir, bucket = BUCKET, prefix, ep = endpoint }) => ['rclone', ['sync', dir, rc(bucket, prefix), '--transfers', '16', '--checkers', '16', '-q'], rcloneEnv(ep)],
      pull: ({ dir, bucket = BUCKET, prefix, ep = endpoint }) => ['rclone', ['sync', rc(bucket, prefix), dir, '--transfers', '16', '--checkers', '16', '-q'], rcloneEnv(ep)],
    },
  };
}

function showCommand(cmd, args, env) {
  const shown = args.map((a) => (a === CLI ? 'dist/cli/s3lync.js' : a.startsWith(WORK) ? a.replace(WORK, '$WORK') : a));
  const bin = cmd === process.execPath ? 'node' : cmd;
  const envs = [];
  if (env.S3LYNC_DATA_DIR) envs.push('S3LYNC_DATA_DIR=<fresh per initial run, kept for re-syncs>');
  if (env.AWS_CONFIG_FILE) envs.push('AWS_CONFIG_FILE=<isolated: s3.addressing_style=path, s3.max_concurrent_requests=16>');
  if (env.RCLONE_CONFIG_BENCH_TYPE) envs.push('RCLONE_CONFIG_BENCH_{TYPE=s3,PROVIDER=Other,ENDPOINT=<endpoint>,FORCE_PATH_STYLE=true,ACCESS_KEY_ID,SECRET_ACCESS_KEY} (AWS_CA_BUNDLE unset)');
  return `${envs.join(' ')}${envs.length ? ' ' : ''}${bin} ${shown.join(' ')}`.replace(/http:\/\/127\.0\.0\.1:\d+/g, '<endpoint>');
}

// ------------------------------------------------------------------------ main ------------

async function main() {
  log(`mode=${MODE} rounds=${ROUNDS} work=${WORK} s3=${S3DIR}:${PORT}`);
  const built = REF ? buildRef(REF) : null;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build:engine" first (npm run bench does).`);
  const peers = ensurePeers();
  if (!peers.time) throw new Error('/usr/bin/time is missing and could not be installed');
  const machine = machineInfo(peers, built);
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB, load ${machine.loadavgStart.join(' ')}`);

  await fs.rm(WORK, { recursive: true, force: true });
  await fs.mkdir(WORK, { recursive: true });
  await fs.mkdir(RESULTS, { recursive: true });

  log('starting the S3 server (fresh state)');
  s3Server('clean');
  const accessLog = await startAccessLog(); // counts every request the server logs
  const startOut = s3Server('start', { S3LYNC_S3_ACCESS_LOG_UDP: String(accessLog.port) });
  if (!/endpoint=/.test(startOut)) throw new Error(`S3 server did not start: ${startOut}`);
  const EP = `http://127.0.0.1:${PORT}`;
  log(`server ${EP}, access log on udp 127.0.0.1:${accessLog.port}`);

  const awsDir = path.join(WORK, 'aws');
  await fs.mkdir(awsDir, { recursive: true });
  await fs.writeFile(path.join(awsDir, 'config'), '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n    max_concurrent_requests = 16\n');
  await fs.writeFile(path.join(awsDir, 'credentials'), '');
  const rcloneConf = path.join(WORK, 'rclone.conf');
  await fs.writeFile(rcloneConf, '');
  const tools = makeTools({ endpoint: EP, awsDir, rcloneConf });
  const transferTools = ['s3lync', 'aws-cli', 'rclone --checksum'].filter((t) => (t === 'aws-cli' ? peers.aws : t.startsWith('rclone') ? peers.rclone : true));
  const syncTools = ['s3lync', 'aws-cli', 'rclone --checksum', 'rclone (default)'].filter((t) => (t === 'aws-cli' ? peers.aws : t.startsWith('rclone') ? peers.rclone : true));
  const sdkEnv = cleanEnv({ AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET });
  const SDK = path.join(ROOT, 'bench', 'lib', 'sdk-ceiling.mjs');

  // Bucket.
  {
    const { S3Client, CreateBucketCommand } = require('@aws-sdk/client-s3');
    const c = new S3Client({ endpoint: EP, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: KEY, secretAccessKey: SECRET } });
    await c.send(new CreateBucketCommand({ Bucket: BUCKET }));
    c.destroy();
  }

  // Trees.
  log('generating trees');
  const trees = {};
  trees['1k'] = await genTree(path.join(WORK, 'trees', 't1k'), 1000, KiB, 100);
  trees['100m'] = await genTree(path.join(WORK, 'trees', 't100x1m'), 100, MiB, 0);
  if (!QUICK) {
    trees['10k'] = await genTree(path.join(WORK, 'trees', 't10k'), 10000, KiB, 100);
    trees['1g'] = await genBigFile(path.join(WORK, 'trees', 't1g'), GiB);
  }
  const noopKey = QUICK ? '1k' : '10k';
  const noopTree = trees[noopKey];
  // Per-tool copies of the no-op tree: each tool re-syncs (and touches) its own copy.
  const ownTree = {};
  for (const t of transferTools) {
    ownTree[t] = path.join(WORK, 'trees', `own-${noopKey}-${t.split(' ')[0]}`);
    await copyTree(noopTree.dir, ownTree[t]);
  }
  if (peers.rclone) ownTree['rclone (default)'] = ownTree['rclone --checksum'];

  // Download sources, written neutrally by the bare SDK (plain single-part PUTs), and by
  // `aws s3 cp` for the 1 GiB object (multipart, 8 MiB parts: an object none of the tools made).
  const sdk = async (args, label) => {
    const r = await runCommand(process.execPath, [SDK, ...args], { env: sdkEnv, timeoutSec: 900 });
    if (r.code !== 0) throw new Error(`${label}: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop());
    log(`${label}: ${JSON.stringify(out)}`);
    return { ...out, wallSeconds: r.seconds, rssMB: r.rssMB, cpuSec: r.cpuSec };
  };
  const seeds = {};
  log('seeding the download sources');
  seeds['1k'] = await sdk(['put', EP, BUCKET, 'seed/1k/', trees['1k'].dir, String(CONCURRENCY)], 'seed 1k (SDK PUT c16)');
  seeds['100m'] = await sdk(['put', EP, BUCKET, 'seed/100m/', trees['100m'].dir, String(CONCURRENCY)], 'seed 100x1MiB (SDK PUT c16)');
  if (!QUICK) {
    seeds['10k'] = await sdk(['put', EP, BUCKET, 'seed/10k/', trees['10k'].dir, String(CONCURRENCY)], 'seed 10k (SDK PUT c16)');
    if (peers.aws) {
      const [cmd, , env] = tools['aws-cli'].push({ dir: '', prefix: '' });
      const cpArgs = ['--endpoint-url', EP, 's3', 'cp', path.join(trees['1g'].dir, 'big.bin'), `s3://${BUCKET}/seed/1g/big.bin`, '--only-show-errors'];
      const r = await runCommand(cmd, cpArgs, { env, timeoutSec: 900 });
      log(`seed 1 GiB (aws s3 cp): ${r.code === 0 ? `${r.seconds.toFixed(1)}s` : `FAILED ${r.stderr}`}`);
      seeds['1g'] = { seconds: r.seconds, ok: r.code === 0 };
    }
  }
  const listPrefix = QUICK ? 'seed/1k/' : 'seed/10k/';

  // ------------------------------------------------------------------ rounds -----------
  const dataDir = (name) => path.join(WORK, 'data', name);
  const timeouts = { '1k': 300, '100m': 300, '10k': 900, '1g': 900 };
  const loadPerRound = [];
  const rotate = (arr, r) => arr.map((_, i) => arr[(i + r) % arr.length]);
  const touched = new Map(); // abs path -> original bytes

  const upCase = async (key, round, label) => {
    const tree = trees[key];
    // A fresh upload of the re-sync tree starts from its original content again. (Rounds
    // without one keep the touched files: their remote copies have the same content.)
    if (key === noopKey) await restoreTouched();
    for (const tool of rotate(transferTools, round - 1)) {
      const prefix = `r${round}/${tool.split(' ')[0]}/${key}/`;
      const dd = dataDir(`r${round}-${key}-up`);
      const dir = key === noopKey ? ownTree[tool] : tree.dir; // the re-sync cases continue from this upload
      const [cmd, args, env] = tools[tool].push({ dir, prefix, dataDir: dd });
      commands[`${label} | ${tool}`] = showCommand(cmd, args, env);
      await measure({
        caseId: `up-${key}`,
        tool,
        round,
        cmd,
        args,
        env,
        timeoutSec: timeouts[key],
        counter: accessLog,
        s3lync: tool === 's3lync',
        check: (_r, req) => ((req.PUT ?? 0) + (req.MPU_COMPLETE ?? 0) >= tree.count ? null : `only ${(req.PUT ?? 0) + (req.MPU_COMPLETE ?? 0)} of ${tree.count} objects written`),
      });
    }
    // The server's ceiling for the same 1k PUTs, alternating with the tools.
    if (key === '1k') {
      for (const c of [16, 32]) {
        const args = [SDK, 'put', EP, BUCKET, `r${round}/sdk-c${c}/1k/`, tree.dir, String(c)];
        commands[`${label} | SDK ceiling c${c}`] = `node bench/lib/sdk-ceiling.mjs put <endpoint> ${BUCKET} <prefix> $WORK/trees/t1k ${c}   (bare PutObject loop; files read into memory first; process wall time reported, and the loop's own timer)`;
        await measure({ caseId: 'up-1k', tool: `SDK c${c}`, round, cmd: process.execPath, args, env: sdkEnv, timeoutSec: 300, counter: accessLog, note: 'wall incl. node start-up and reading the files' });
      }
      const rawArgs = [SDK, 'put-raw', EP, BUCKET, `r${round}/http-c16/1k/`, tree.dir, '16'];
      commands[`${label} | HTTP ceiling c16`] = `node bench/lib/sdk-ceiling.mjs put-raw <endpoint> ${BUCKET} <prefix> $WORK/trees/t1k 16   (no SDK: SigV4 by hand over node:http keep-alive sockets; files read into memory first)`;
      await measure({ caseId: 'up-1k', tool: 'HTTP c16', round, cmd: process.execPath, args: rawArgs, env: sdkEnv, timeoutSec: 300, counter: accessLog, note: 'wall incl. node start-up and reading the files' });
    }
  };

  const downCase = async (key, round, label) => {
    const tree = trees[key];
    for (const tool of rotate(transferTools, round)) {
      const dir = path.join(WORK, 'dl', `${key}-${tool.split(' ')[0]}-r${round}`);
      await fs.rm(dir, { recursive: true, force: true });
      const [cmd, args, env] = tools[tool].pull({ dir, prefix: `seed/${key}/`, dataDir: dataDir(`r${round}-${key}-down`) });
      commands[`${label} | ${tool}`] = showCommand(cmd, args, env);
      await measure({
        caseId: `down-${key}`,
        tool,
        round,
        cmd,
        args,
        env,
        timeoutSec: timeouts[key],
        counter: accessLog,
        s3lync: tool === 's3lync',
        check: async () => {
          const got = await countTree(dir);
          return got.files === tree.count && got.bytes === tree.bytes ? null : `downloaded ${got.files} files / ${got.bytes} bytes, expected ${tree.count} / ${tree.bytes}`;
        },
      });
      await fs.rm(dir, { recursive: true, force: true });
    }
  };

  const resync = async (round, touch) => {
    const caseId = `${touch ? 'touch10' : 'noop'}-${noopKey}`;
    const label = `${touch ? 'Re-sync after modifying 10 files' : 'No-op re-sync'}, ${noopKey} tree`;
    for (const tool of rotate(syncTools, round - 1)) {
      const owner = tool.startsWith('rclone') ? 'rclone --checksum' : tool;
      // The latest initial upload of this tree by this tool (this round's, or an earlier one's).
      const up = runs.filter((r) => r.case === `up-${noopKey}` && r.tool === owner && r.round <= round).pop();
      const prefix = `r${up?.round}/${owner.split(' ')[0]}/${noopKey}/`;
      if (!up?.ok) {
        runs.push({ case: caseId, tool, round, ok: false, error: 'skipped: the initial upload of this tool failed' });
        continue;
      }
      const dir = ownTree[tool];
      if (touch) {
        // Same size, new content; a different 10 files for each variant and round.
        const rels = noopTree.rels;
        const variant = syncTools.indexOf(tool);
        for (let k = 0; k < 10; k++) {
          const rel = rels[(variant * 2503 + round * 997 + k * 101) % rels.length];
          const abs = path.join(dir, rel);
          if (!touched.has(abs)) touched.set(abs, await fs.readFile(abs));
          await fs.writeFile(abs, randomBytes(KiB));
        }
      }
      const [cmd, args, env] = tools[tool].push({ dir, prefix, dataDir: dataDir(`r${up.round}-${noopKey}-up`) });
      commands[`${label} | ${tool}`] = showCommand(cmd, args, env);
      await measure({
        caseId,
        tool,
        round,
        cmd,
        args,
        env,
        timeoutSec: 600,
        counter: accessLog,
        s3lync: tool === 's3lync',
        check: (_r, req) => {
          const puts = (req.PUT ?? 0) + (req.MPU_COMPLETE ?? 0);
          const want = touch ? 10 : 0;
          return puts === want ? null : `${puts} objects written, expected ${want}`;
        },
      });
    }
  };

  const restoreTouched = async () => {
    for (const [abs, bytes] of touched) await fs.writeFile(abs, bytes);
    touched.clear();
  };

  const listCeiling = async (round) => {
    const args = [SDK, 'list', EP, BUCKET, listPrefix];
    commands[`Sequential ListObjectsV2 | SDK`] = `node bench/lib/sdk-ceiling.mjs list <endpoint> ${BUCKET} ${listPrefix}`;
    await measure({ caseId: `list-${QUICK ? '1k' : '10k'}`, tool: 'SDK list', round, cmd: process.execPath, args, env: sdkEnv, timeoutSec: 300, counter: accessLog });
  };

  for (let round = 1; round <= ROUNDS; round++) {
    log(`===== round ${round}/${ROUNDS} (load ${loadavg().join(' ')})`);
    await upCase('1k', round, 'Initial upload, 1,000 × 1 KiB');
    await downCase('1k', round, 'Initial download, 1,000 × 1 KiB');
    await upCase('100m', round, 'Initial upload, 100 × 1 MiB');
    await downCase('100m', round, 'Initial download, 100 × 1 MiB');
    if (!QUICK && round <= ROUNDS_10K) await upCase('10k', round, 'Initial upload, 10,000 × 1 KiB');
    await resync(round, false);
    await resync(round, true);
    await listCeiling(round);
    if (!QUICK) {
      if (round <= ROUNDS_10K) await downCase('10k', round, 'Initial download, 10,000 × 1 KiB');
      await upCase('1g', round, 'Initial upload, 1 × 1 GiB');
      await downCase('1g', round, 'Initial download, 1 × 1 GiB');
    }
    loadPerRound.push(loadavg());
  }

  // ------------------------------------------------------- 100k no-op: peak memory ----------
  log('100,000-file no-op (synthetic listing server)');
  const N100K = 100_000;
  const mtime100k = 1_704_067_200; // 2024-01-01T00:00:00Z, on both sides
  const stub = await startStub({ bucket: BUCKET_100K, prefix: 'p/', count: N100K, mtimeSec: mtime100k });
  const t100k = path.join(WORK, 'trees', 't100k');
  await gen100k(t100k, N100K, mtime100k);
  const rss = [];
  const dd100k = dataDir('100k');
  const tools100k = QUICK ? ['s3lync'] : syncTools;
  const run100k = async (tool, round, note) => {
    const [cmd, args, env] = tools[tool].push({ dir: t100k, bucket: BUCKET_100K, prefix: 'p/', dataDir: dd100k, ep: stub.endpoint });
    commands[`No-op over 100,000 files | ${tool}`] = showCommand(cmd, args, env);
    const row = await measure({
      caseId: 'noop-100k',
      tool: tool === 's3lync' && note ? 's3lync (cold cache)' : tool,
      round,
      cmd,
      args,
      env,
      timeoutSec: 900,
      counter: stub,
      s3lync: tool === 's3lync',
      note,
      check: (_r, req) => ((req.PUT ?? 0) + (req.MPU_COMPLETE ?? 0) === 0 ? null : `${req.PUT} objects written: not a no-op`),
    });
    rss.push(row);
  };
  // The first s3lync run has no hash cache yet and hashes every file; the later ones are the
  // realistic no-op (cache kept, like every re-sync after the first).
  await run100k('s3lync', 0, 'first run: empty hash cache');
  for (let round = 1; round <= (QUICK ? 1 : ROUNDS); round++) {
    for (const tool of rotate(tools100k, round - 1)) {
      if (tool !== 's3lync' && round > 1) continue; // peers once: deterministic listing + scan
      await run100k(tool, round);
    }
  }

  // ---------------------------------------------------------- s3lync profiles ----------
  const profiles = {};
  const phases = {};
  if (PROFILE) {
    log('profiling s3lync');
    const profDir = path.join(RESULTS, 'profiles');
    await fs.rm(profDir, { recursive: true, force: true });
    await fs.mkdir(profDir, { recursive: true });
    const prof = async (name, spec) => {
      const dir = path.join(profDir, name);
      const [cmd, args, env] = tools.s3lync[spec.pull ? 'pull' : 'push']({ ...spec, extra: ['--cpu-prof', '--cpu-prof-dir', dir] });
      const r = await runCommand(cmd, args, { env, timeoutSec: 900, keepStdout: true });
      try {
        const file = (await fs.readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
        profiles[name] = { wallSeconds: +r.seconds.toFixed(2), cpuSec: r.cpuSec, rssMB: r.rssMB, file: path.relative(ROOT, path.join(dir, file)), ...summarizeProfile(path.join(dir, file)) };
        log(`profile ${name}: ${r.seconds.toFixed(2)}s, top: ${profiles[name].categories.slice(0, 4).map((c) => `${c.category} ${c.ms}ms`).join(', ')}`);
      } catch (err) {
        profiles[name] = { error: String(err) };
      }
    };
    await prof('upload-1k', { dir: trees['1k'].dir, prefix: 'prof/1k/', dataDir: dataDir('prof-1k') });
    await prof('download-1k', { pull: true, dir: path.join(WORK, 'dl', 'prof-1k'), prefix: 'seed/1k/', dataDir: dataDir('prof-1k-down') });
    const lastRound = runs.filter((r) => r.case === `up-${noopKey}` && r.tool === 's3lync').pop()?.round ?? ROUNDS;
    await prof(`noop-${noopKey}`, { dir: ownTree.s3lync, prefix: `r${lastRound}/s3lync/${noopKey}/`, dataDir: dataDir(`r${lastRound}-${noopKey}-up`) });
    await prof('noop-100k', { dir: t100k, bucket: BUCKET_100K, prefix: 'p/', dataDir: dd100k, ep: stub.endpoint });
    // Phase split (in-process, sequential): listing alone, scan alone, cache load, whole plan.
    const PH = path.join(ROOT, 'bench', 'lib', 'phases.mjs');
    for (const [name, a] of [
      [`noop-${noopKey}`, [EP, BUCKET, `r${lastRound}/s3lync/${noopKey}/`, ownTree.s3lync, dataDir(`r${lastRound}-${noopKey}-up`)]],
      ['noop-100k', [stub.endpoint, BUCKET_100K, 'p/', t100k, dd100k]],
    ]) {
      const r = await runCommand(process.execPath, ['--expose-gc', PH, ...a], { env: { ...sdkEnv, BENCH_S3LYNC_DIST: DIST }, timeoutSec: 600 });
      try {
        phases[name] = JSON.parse(r.stdout.trim().split('\n').pop());
        log(`phases ${name}: ${JSON.stringify(phases[name])}`);
      } catch {
        phases[name] = { error: r.stderr.slice(-500) };
      }
    }
  }
  await stub.close();
  machine.loadavgPerRound = loadPerRound;
  machine.loadavgEnd = loadavg();

  // ------------------------------------------------------------------ report -----------
  const report = buildReport({ machine, seeds, profiles, phases, transferTools, syncTools });
  await fs.writeFile(path.join(RESULTS, 'results.json'), JSON.stringify({ mode: MODE, rounds: ROUNDS, machine, seeds, summary: report.summary, targets: report.targets, profiles, phases, commands, runs }, null, 2));
  await fs.writeFile(path.join(RESULTS, 'results.md'), report.md);
  try {
    await renderPng(report.chart, path.join(RESULTS, 'chart.html'), path.join(RESULTS, 'chart.png'));
    log(`chart: ${path.relative(ROOT, path.join(RESULTS, 'chart.png'))}`);
  } catch (err) {
    log(`chart rendering failed: ${err.message}`);
  }
  log(`results: ${path.relative(ROOT, path.join(RESULTS, 'results.md'))}`);
  process.stdout.write(report.md);
  await accessLog.close();
}

// ------------------------------------------------------------------ report building -------

const CASES = [
  { id: 'up-1k', title: 'Initial upload, 1,000 × 1 KiB' },
  { id: 'down-1k', title: 'Initial download, 1,000 × 1 KiB' },
  { id: 'up-10k', title: 'Initial upload, 10,000 × 1 KiB' },
  { id: 'down-10k', title: 'Initial download, 10,000 × 1 KiB' },
  { id: 'up-100m', title: 'Initial upload, 100 × 1 MiB' },
  { id: 'down-100m', title: 'Initial download, 100 × 1 MiB' },
  { id: 'up-1g', title: 'Initial upload, 1 × 1 GiB' },
  { id: 'down-1g', title: 'Initial download, 1 × 1 GiB' },
  { id: 'noop-10k', title: 'No-op re-sync, 10,000 files' },
  { id: 'touch10-10k', title: 'Re-sync after modifying 10 of 10,000 files' },
  { id: 'noop-1k', title: 'No-op re-sync, 1,000 files' },
  { id: 'touch10-1k', title: 'Re-sync after modifying 10 of 1,000 files' },
  { id: 'list-10k', title: 'One sequential ListObjectsV2 walk, 10,000 keys' },
  { id: 'list-1k', title: 'One sequential ListObjectsV2 walk, 1,000 keys' },
  { id: 'noop-100k', title: 'No-op push over 100,000 files (synthetic listing)' },
];
const PEERS = ['aws-cli', 'rclone --checksum', 'rclone (default)'];

function summarize() {
  const out = {};
  for (const c of CASES) {
    const rows = runs.filter((r) => r.case === c.id);
    if (!rows.length) continue;
    const tools = [...new Set(rows.map((r) => r.tool))];
    out[c.id] = {};
    for (const t of tools) {
      const mine = rows.filter((r) => r.tool === t);
      const ok = mine.filter((r) => r.ok);
      const med = median(ok.map((r) => r.seconds));
      // Requests of the run closest to the median (they barely vary).
      const rep = ok.slice().sort((a, b) => Math.abs(a.seconds - med) - Math.abs(b.seconds - med))[0];
      out[c.id][t] = {
        seconds: med,
        runs: mine.map((r) => (r.ok ? r.seconds : null)),
        ok: ok.length,
        n: mine.length,
        rssMB: median(ok.map((r) => r.rssMB)),
        maxRssMB: ok.length ? Math.max(...ok.map((r) => r.rssMB ?? 0)) : null,
        cpuSec: median(ok.map((r) => r.cpuSec)),
        innerSeconds: median(ok.map((r) => r.innerSeconds)),
        requests: rep?.requests ?? null,
        hashed: rep?.hashed,
        errors: mine.filter((r) => !r.ok).map((r) => `r${r.round}: ${r.error}`),
      };
    }
  }
  return out;
}

const fmtS = (v) => (v === null || v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const fmtRatio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
function fmtReq(req) {
  if (!req) return '—';
  const order = ['LIST', 'HEAD', 'GET', 'PUT', 'PUT_PART', 'MPU_INIT', 'MPU_COMPLETE', 'LIST_PARTS', 'LIST_UPLOADS', 'DELETE', 'DELETE_MULTI', 'MPU_ABORT', 'HEAD_BUCKET', 'PUT_BUCKET', 'LIST_BUCKETS', 'POST'];
  const parts = [];
  for (const k of order) if (req[k]) parts.push(`${k} ${req[k]}`);
  for (const [k, v] of Object.entries(req)) if (!order.includes(k) && !['total', 'mbUp', 'mbDown'].includes(k) && v) parts.push(`${k} ${v}`);
  return `${req.total} (${parts.join(', ')})`;
}

function buildReport({ machine, seeds, profiles, phases, transferTools: _transferTools, syncTools: _syncTools }) {
  const summary = summarize();
  const lines = [];
  const p = (s = '') => lines.push(s);
  const bestPeer = (caseId) => {
    const s = summary[caseId] ?? {};
    let best = null;
    for (const t of PEERS) if (s[t]?.seconds && (!best || s[t].seconds < best.seconds)) best = { tool: t, seconds: s[t].seconds };
    return best;
  };
  const s3 = (caseId) => summary[caseId]?.s3lync?.seconds ?? null;
  const noopKey = summary['noop-10k'] ? '10k' : '1k';

  // Targets.
  const targets = [];
  const addTarget = (name, measured, met, detail) => targets.push({ name, measured, met, detail });
  {
    const b = bestPeer('up-1k');
    const ceil16 = summary['up-1k']?.['SDK c16']?.seconds;
    const ceil32 = summary['up-1k']?.['SDK c32']?.seconds;
    const ceil = Math.min(...[ceil16, ceil32].filter(Boolean));
    const raw = summary['up-1k']?.['HTTP c16']?.seconds;
    const r = s3('up-1k') && b ? s3('up-1k') / b.seconds : null;
    const rawNote = raw ? `; bare-HTTP ceiling (no SDK) ${fmtS(raw)} s → ${((raw / s3('up-1k')) * 100).toFixed(0)}%` : '';
    addTarget('Initial upload 1,000 × 1 KiB ≤ 0.75× best peer', r ? `${r.toFixed(2)}× ${b.tool} (${fmtS(s3('up-1k'))} s vs ${fmtS(b.seconds)} s); SDK ceiling ${fmtS(ceil)} s → s3lync at ${((ceil / s3('up-1k')) * 100).toFixed(0)}% of ceiling throughput${rawNote}` : 'not measured', r !== null ? r <= 0.75 : null);
  }
  {
    const b = bestPeer(`noop-${noopKey}`);
    const r = s3(`noop-${noopKey}`) && b ? s3(`noop-${noopKey}`) / b.seconds : null;
    const aws = summary[`noop-${noopKey}`]?.['aws-cli']?.seconds;
    const ra = aws && s3(`noop-${noopKey}`) ? s3(`noop-${noopKey}`) / aws : null;
    const me = summary[`noop-${noopKey}`]?.s3lync;
    const heads = me?.requests?.HEAD ?? 0;
    const hashed = me?.hashed;
    addTarget(`No-op re-sync of ${noopKey === '10k' ? '10,000' : '1,000 (quick mode)'} files ≤ 0.5× best peer`, r ? `${r.toFixed(2)}× ${b.tool} (${fmtS(s3(`noop-${noopKey}`))} s vs ${fmtS(b.seconds)} s)` : 'not measured', r !== null ? r <= 0.5 : null);
    addTarget('… and ≤ 0.3× aws-cli', ra ? `${ra.toFixed(2)}× (${fmtS(aws)} s)` : 'not measured', ra !== null ? ra <= 0.3 : null);
    addTarget('… with zero files re-hashed and no per-file HEAD', me ? `hashed ${hashed ?? '?'}, HEAD ${heads}, requests ${fmtReq(me.requests)}` : 'not measured', me ? hashed === 0 && heads === 0 : null);
  }
  for (const dir of ['up', 'down']) {
    const b = bestPeer(`${dir}-1g`);
    const r = s3(`${dir}-1g`) && b ? s3(`${dir}-1g`) / b.seconds : null;
    addTarget(`1 GiB ${dir === 'up' ? 'upload' : 'download'} within 1.2× best peer`, r ? `${r.toFixed(2)}× ${b.tool} (${fmtS(s3(`${dir}-1g`))} s vs ${fmtS(b.seconds)} s)` : 'not measured (quick mode)', r !== null ? r <= 1.2 : null);
  }
  {
    const warm = runs.filter((x) => x.case === 'noop-100k' && x.tool === 's3lync' && x.ok);
    const cold = runs.filter((x) => x.case === 'noop-100k' && x.tool === 's3lync (cold cache)' && x.ok);
    const rssW = warm.length ? Math.max(...warm.map((x) => x.rssMB)) : null;
    const rssC = cold.length ? Math.max(...cold.map((x) => x.rssMB)) : null;
    addTarget('100,000-file no-op sync < 250 MB RSS', rssW ? `${Math.round(rssW)} MB peak (cache warm); first run with empty hash cache ${rssC ? Math.round(rssC) : '?'} MB` : 'not measured', rssW ? rssW < 250 : null);
  }

  p(`# s3lync benchmark — ${MODE} mode`);
  p();
  p(`${machine.date}. ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}, tools alternating (order rotated each round); **medians** of successful runs, seconds of wall time per invocation (process start to exit). Ratios are s3lync time ÷ peer time (below 1 = s3lync faster).`);
  p();
  p('## Machine');
  p();
  p('| | |');
  p('|---|---|');
  p(`| CPU | ${machine.cpu}, ${machine.cores} cores (shared with other work) |`);
  p(`| RAM | ${machine.ramGiB} GiB |`);
  p(`| OS | ${machine.os} |`);
  p(`| Load average (1/5/15 min) | start ${machine.loadavgStart.join(' / ')}; after each round ${machine.loadavgPerRound.map((l) => l[0]).join(', ')} (1 min); end ${machine.loadavgEnd.join(' / ')} |`);
  p(`| Node | ${machine.node} |`);
  p(`| s3lync | ${machine.s3lync}${REF ? '' : ' (dist/ built from the working tree by npm run bench)'} |`);
  p(`| aws-cli | ${machine.aws} |`);
  p(`| rclone | ${machine.rclone} |`);
  p(`| S3 server | OpenStack Swift ${machine.swift} + s3api (scripts/s3-server.sh; 1 replica, workers=0), loopback, tools talk to it directly; requests counted from its access log (bench/lib/access-log.mjs) |`);
  p(`| AWS SDK (ceiling) | @aws-sdk/client-s3 ${machine.sdk} |`);
  p();
  p('## Times (median seconds)');
  p();
  const cols = ['s3lync', 'aws-cli', 'rclone --checksum', 'rclone (default)'];
  p(`| Case | ${cols.join(' | ')} | SDK ceiling | s3lync ÷ aws-cli | s3lync ÷ rclone --checksum | s3lync ÷ rclone (default) | s3lync ÷ best peer |`);
  p(`|---|${cols.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|`);
  for (const c of CASES) {
    const s = summary[c.id];
    if (!s || c.id.startsWith('list-') || c.id === 'noop-100k') continue;
    const cell = (t) => {
      const x = s[t];
      if (!x) return c.id.startsWith('up-') || c.id.startsWith('down-') ? (t === 'rclone (default)' ? '= rclone ¹' : '—') : '—';
      if (x.seconds === null) return `**failed** (${x.n - x.ok}/${x.n})`;
      return `${fmtS(x.seconds)}${x.ok < x.n ? ` (${x.n - x.ok} of ${x.n} failed)` : ''}`;
    };
    const ceiling = s['SDK c16'] || s['SDK c32'] ? `${fmtS(s['SDK c16']?.seconds)} (c16) / ${fmtS(s['SDK c32']?.seconds)} (c32); loop only ${fmtS(s['SDK c16']?.innerSeconds)} / ${fmtS(s['SDK c32']?.innerSeconds)}${s['HTTP c16'] ? `; no SDK (HTTP c16) ${fmtS(s['HTTP c16'].seconds)}` : ''}` : '—';
    const b = bestPeer(c.id);
    p(`| ${c.title} | ${cols.map(cell).join(' | ')} | ${ceiling} | ${fmtRatio(s3(c.id), s['aws-cli']?.seconds)} | ${fmtRatio(s3(c.id), s['rclone --checksum']?.seconds)} | ${fmtRatio(s3(c.id), s['rclone (default)']?.seconds)} | ${b ? `**${fmtRatio(s3(c.id), b.seconds)}** (${b.tool})` : '—'} |`);
  }
  const lst = summary['list-10k'] ?? summary['list-1k'];
  if (lst) p(`| ${summary['list-10k'] ? CASES.find((c) => c.id === 'list-10k').title : CASES.find((c) => c.id === 'list-1k').title} | | | | | ${fmtS(lst['SDK list']?.seconds)} (SDK process); walk only ${fmtS(lst['SDK list']?.innerSeconds)} | | | | |`);
  p();
  p(`¹ Into an empty target \`rclone sync\` makes the same requests with or without \`--checksum\` (nothing to compare), so initial transfers are run once, with \`--checksum\`. SDK ceiling: wall time of a process that reads the 1,000 files into memory and then runs a bare PutObject loop at concurrency 16 or 32 (Node start-up and SDK load included, comparable to the tools' wall times); "loop only" is the loop's own timer; "no SDK (HTTP c16)": the same PUTs signed by hand over node:http (no SDK command stack), 16 at once.${!QUICK && ROUNDS_10K < ROUNDS ? ` The 10,000-file initial upload and download ran in ${ROUNDS_10K} of the ${ROUNDS} rounds (BENCH_ROUNDS_10K); the 10k re-sync cases ran every round on the latest 10k upload.` : ''}`);
  p();
  p('## Targets');
  p();
  p('| Target | Measured | Met? |');
  p('|---|---|---|');
  for (const t of targets) p(`| ${t.name} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? '**yes**' : '**no**'} |`);
  p();
  p("## Requests per operation (counted from the server's access log; run nearest the median)");
  p();
  p('LIST = ListObjects(V2) page, GET = object GET, PUT = PutObject, PUT_PART = UploadPart, MPU_* = multipart initiate/complete/abort. Total excludes error responses.');
  p();
  p(`| Case | ${[...cols, 'SDK c16'].join(' | ')} |`);
  p(`|---|${[...cols, 'SDK c16'].map(() => '---').join('|')}|`);
  for (const c of CASES) {
    const s = summary[c.id];
    if (!s || c.id.startsWith('list-')) continue;
    const cell = (t) => {
      const x = s[t] ?? (t === 's3lync' ? s['s3lync'] : undefined);
      if (!x) return '—';
      const h = x.hashed !== undefined ? `; hashed ${x.hashed}` : '';
      return `${fmtReq(x.requests)}${h}`;
    };
    p(`| ${c.title} | ${[...cols, 'SDK c16'].map(cell).join(' | ')} |`);
  }
  p();
  p('## Peak memory (RSS, MB, median) and CPU time (user+sys s, median), from GNU time');
  p();
  p(`| Case | ${cols.map((c) => `${c} RSS / CPU`).join(' | ')} |`);
  p(`|---|${cols.map(() => '---:').join('|')}|`);
  for (const c of CASES) {
    const s = summary[c.id];
    if (!s || c.id.startsWith('list-')) continue;
    const cell = (t) => (s[t] && s[t].rssMB !== null ? `${Math.round(s[t].rssMB)} / ${fmtS(s[t].cpuSec)}` : '—');
    p(`| ${c.title} | ${cols.map(cell).join(' | ')} |`);
  }
  p();
  const k100 = summary['noop-100k'];
  if (k100) {
    p('## No-op over 100,000 files: peak memory');
    p();
    p('The 100,000 objects are served by a synthetic S3 endpoint (bench/lib/stub.mjs) that answers ListObjects v1/v2 (with delimiter), HEAD and GET with generated keys, sizes, ETags (real MD5s of the local files) and a shared modification time (2024-01-01, also set on the local files and sent as `x-amz-meta-mtime`); storing 100k objects in Swift first would take ~10 minutes at its ~150 PUT/s. Only listing, scanning and comparing are exercised, as in a real no-op. Peak RSS from GNU time (`%M`, the "Maximum resident set size" of `time -v`).');
    p();
    p('| Tool | Wall s (median) | Peak RSS MB (max) | CPU s | Requests | Note |');
    p('|---|---:|---:|---:|---|---|');
    for (const [t, x] of Object.entries(k100)) {
      p(`| ${t} | ${fmtS(x.seconds)} | ${x.maxRssMB !== null ? Math.round(x.maxRssMB) : '—'} | ${fmtS(x.cpuSec)} | ${fmtReq(x.requests)}${x.hashed !== undefined ? `; hashed ${x.hashed}` : ''} | ${t === 's3lync (cold cache)' ? 'first run: empty hash cache, hashes every file' : t === 's3lync' ? 'hash cache kept from the first run (the realistic case)' : ''}${x.errors.length ? ` errors: ${x.errors.join('; ')}` : ''} |`);
    }
    p();
  }
  if (Object.keys(phases).length || Object.keys(profiles).length) {
    p('## Where s3lync spends its time');
    p();
    if (Object.keys(phases).length) {
      p('Phases of a no-op push, measured in-process one after another with the built engine (bench/lib/phases.mjs): the listing alone, the local scan alone, loading the hash cache, then `engine.prepare` (listing and scan concurrently, then compare) and running the empty plan.');
      p();
      p('| Case | listAll ms | scanLocal ms | hash cache load ms | cache misses | prepare ms | execute ms | hashed | RSS at end MB |');
      p('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const [name, x] of Object.entries(phases)) {
        if (x.error) p(`| ${name} | error: ${String(x.error).slice(0, 200)} |||||||`);
        else p(`| ${name} | ${x.listMs} (${x.listed} keys) | ${x.scanMs} (${x.scanned} files) | ${x.hashCacheLoadMs} | ${x.hashCacheMisses} | ${x.prepareMs} | ${x.executeMs} | ${x.hashed} | ${x.rssMB} |`);
      }
      p();
      const mem = Object.entries(phases).filter(([, x]) => x.memory);
      if (mem.length) {
        p('Memory retained after each phase (heap used / RSS, MB; forced GC, earlier phases\' results still held), to attribute the no-op\'s RSS:');
        p();
        for (const [name, x] of mem) p(`- ${name}: ${x.memory.map((m) => `${m.after} ${m.heapMB} / ${m.rssMB}`).join(' → ')}`);
        p();
      }
    }
    for (const [name, x] of Object.entries(profiles)) {
      if (x.error) {
        p(`**${name}**: profile failed (${x.error})`);
        continue;
      }
      p(`**CPU profile: s3lync ${name}** (\`node --cpu-prof\`, ${x.file}): wall ${x.wallSeconds} s, CPU ${x.cpuSec} s (GNU time), sampled JS busy ${x.cpuMs} ms of ${x.wallMs} ms.`);
      p();
      p(`Self time by area: ${x.categories.slice(0, 9).map((c) => `${c.category} ${c.ms} ms (${c.pctOfWall}%)`).join('; ')}.`);
      p();
      p(`Hottest functions: ${x.hottest.slice(0, 8).map((f) => `\`${f.fn}\` ${f.ms} ms`).join('; ')}.`);
      p();
    }
  }
  p('## Seeding (not compared)');
  p();
  p(`Download sources were written once before the rounds by the bare SDK (single-part PUTs, concurrency 16)${seeds['1g'] ? ' and, for the 1 GiB object, by `aws s3 cp` (multipart, 8 MiB parts — an object none of the compared uploads made)' : ''}: ${Object.entries(seeds).map(([k, v]) => `${k} ${fmtS(v.seconds)} s${v.perSecond ? ` (${Math.round(v.perSecond)} PUT/s)` : ''}`).join(', ')}.`);
  p();
  p('## Command lines');
  p();
  p('aws-cli: `max_concurrent_requests` set to 16 (= s3lync\'s default concurrency), other settings default (multipart threshold/chunk 8 MiB). rclone: `--transfers 16 --checkers 16`, other settings default (upload cutoff 200 MiB, chunk 5 MiB, 4 parts at once). s3lync: defaults (`--concurrency 16`, 16 MiB parts, 4 parts at once). Each invocation is wrapped in `/usr/bin/time -f "%M %U %S"` and killed after a generous timeout.');
  p();
  p('```');
  for (const [k, v] of Object.entries(commands)) p(`# ${k}\n${v}`);
  p('```');
  p();
  const failures = runs.filter((r) => !r.ok);
  p('## Failures');
  p();
  if (!failures.length) p('None.');
  for (const f of failures) p(`- ${f.case} / ${f.tool} / round ${f.round}: ${f.error}`);
  p();

  // Chart.
  const panels = [];
  const panelCases = CASES.filter((c) => summary[c.id] && !c.id.startsWith('list-') && c.id !== 'noop-100k');
  for (const c of panelCases) {
    const s = summary[c.id];
    const bars = [];
    for (const t of [...cols, 'SDK c16', 'SDK c32', 'HTTP c16']) {
      if (!s[t]) continue;
      const sdkBar = t.startsWith('SDK') || t.startsWith('HTTP');
      bars.push({ tool: sdkBar ? `${t.startsWith('SDK') ? 'SDK' : 'HTTP'} ceiling ${t.split(' ')[1]}` : t, colorKey: sdkBar ? 'SDK ceiling' : t, value: s[t].seconds, note: s[t].ok < s[t].n ? `${s[t].n - s[t].ok} of ${s[t].n} failed` : undefined });
    }
    const b = bestPeer(c.id);
    const t = targets.find((x) => (c.id === 'up-1k' && x.name.startsWith('Initial upload 1,000')) || (c.id === `noop-${noopKey}` && x.name.startsWith('No-op')) || (c.id === 'up-1g' && x.name.startsWith('1 GiB upload')) || (c.id === 'down-1g' && x.name.startsWith('1 GiB download')));
    panels.push({
      title: c.title,
      subtitle: b && s3(c.id) ? `s3lync ÷ best peer (${esc(b.tool)}) = <b>${(s3(c.id) / b.seconds).toFixed(2)}×</b>` : '',
      unit: 's',
      bars,
      target: t ? `target: ${t.name.replace(/^.*?(≤|within|<)/, '$1')}` : undefined,
      verdict: t ? (t.met === null ? null : t.met ? 'met' : 'missed') : null,
    });
  }
  if (k100) {
    const bars = Object.entries(k100).map(([t, x]) => ({ tool: t === 's3lync (cold cache)' ? 's3lync, 1st run' : t, colorKey: t.startsWith('s3lync') ? 's3lync' : t, value: x.maxRssMB }));
    const t = targets.find((x) => x.name.startsWith('100,000'));
    panels.push({ title: 'Peak RSS, no-op over 100,000 files', subtitle: 'MB (GNU time), synthetic listing server', unit: 'MB', bars, target: 'target: < 250 MB (s3lync, cache warm)', verdict: t?.met === null ? null : t?.met ? 'met' : 'missed' });
  }
  const chart = chartHtml({
    heading: `s3lync vs aws-cli vs rclone — ${MODE} mode, median of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}${!QUICK && ROUNDS_10K < ROUNDS ? ` (10k transfers: ${ROUNDS_10K})` : ''} — shorter is better`,
    subheading: `${esc(machine.cpu)}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM, load avg at start ${machine.loadavgStart[0]} / end ${machine.loadavgEnd[0]} · Node ${machine.node} · ${esc(machine.aws.split(' ')[0])} · ${esc(machine.rclone)} · Swift ${machine.swift} + s3api on loopback · concurrency 16 for every tool · ${machine.date.slice(0, 16).replace('T', ' ')} UTC`,
    panels,
  });
  return { md: lines.join('\n'), summary, targets, chart };
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// ------------------------------------------------------------------------ entry -----------

let exitCode = 0;
try {
  await main();
} catch (err) {
  exitCode = 1;
  log(`benchmark failed: ${err.stack ?? err}`);
} finally {
  if (!KEEP) {
    log('stopping the S3 server and removing its state and the work trees');
    try {
      s3Server('clean');
    } catch (err) {
      log(`stopping the server failed: ${err.message}`);
    }
    await fs.rm(WORK, { recursive: true, force: true }).catch(() => undefined);
  } else {
    log(`BENCH_KEEP=1: server left running on ${PORT}, trees in ${WORK}`);
  }
}
process.exit(exitCode);
