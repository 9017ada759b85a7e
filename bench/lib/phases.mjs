// Wall time of each phase of an s3lync no-op push, measured in-process with the built engine
// (dist/): the remote listing alone, the local scan alone, loading the hash cache, and the whole
// planning step (engine.prepare, which runs listing and scan concurrently, then compares).
// Run with --expose-gc so the memory figures after each phase are of live objects.
// Usage: node --expose-gc phases.mjs <endpoint> <bucket> <prefix/> <localDir> <dataDir>
// Prints one JSON line.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const dist = path.join(process.env.BENCH_S3LYNC_DIST ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist'), 'main', 'sync');
const { createS3Client, listAll } = require(`${dist}/s3.js`);
const { scanLocal } = require(`${dist}/local-scan.js`);
const { Excluder } = require(`${dist}/exclude.js`);
const { HashCache } = require(`${dist}/hash-cache.js`);
const { SyncEngine } = require(`${dist}/engine.js`);

const [endpoint, bucket, prefix, localDir, dataDir] = process.argv.slice(2);
const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY };

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - t0), value };
}

const out = { memory: [] };
const snap = (after) => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  out.memory.push({ after, heapMB: Math.round(m.heapUsed / 1048576), rssMB: Math.round(m.rss / 1048576) });
};
snap('start (modules loaded)');
const client = createS3Client({ endpoint, pathStyle: true, region: 'us-east-1', credentials });
const list = await timed(() => listAll(client, bucket, prefix));
out.listMs = list.ms;
out.listed = list.value.length;
client.destroy();
snap('listAll');
const scan = await timed(() => scanLocal(localDir, new Excluder([])));
out.scanMs = scan.ms;
out.scanned = scan.value.files.size;
snap('scanLocal');
const cache = await timed(() => HashCache.open(dataDir, localDir));
out.hashCacheLoadMs = cache.ms;
let misses = 0;
for (const f of scan.value.files.values()) if (cache.value.peek(f.rel, f) === undefined) misses++;
out.hashCacheMisses = misses;
snap('hash cache');
const engine = new SyncEngine({ endpoint, pathStyle: true, region: 'us-east-1', credentials, dataDir, concurrency: 16 });
const mem0 = process.memoryUsage().rss;
const prep = await timed(() => engine.prepare({ direction: 'push', localPath: localDir, remote: `s3://${bucket}/${prefix}` }));
out.prepareMs = prep.ms;
out.planned = prep.value.plan.counts;
out.hashed = prep.value.plan.hashed;
snap('engine.prepare (second listing+scan+plan)');
const run = await timed(() => prep.value.run({}));
out.executeMs = run.ms;
out.rssMB = Math.round(Math.max(mem0, process.memoryUsage().rss) / 1048576);
engine.close();
console.log(JSON.stringify(out));
