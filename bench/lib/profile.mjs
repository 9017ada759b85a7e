// Summarises a V8 .cpuprofile (from node --cpu-prof): self time grouped by where the code lives
// (s3lync's own modules, the AWS SDK, XML parsing, Node internals, GC, idle) and the hottest
// functions, so a report can say where a run spends its CPU.
import fs from 'node:fs';

function category(url, fn) {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle (waiting for I/O)';
  if (fn === '(program)') return 'V8/native (program)';
  if (!url) return 'native/builtins';
  if (url.includes('fast-xml-parser') || url.includes('xml-builder') || /xml/i.test(url.split('/').pop() ?? '')) return 'XML parsing (SDK)';
  if (url.includes('@smithy/signature-v4') || url.includes('signature-v4')) return 'SigV4 signing (SDK)';
  if (url.includes('@aws-sdk') || url.includes('@smithy') || url.includes('@aws-crypto')) return 'AWS SDK (other)';
  if (url.includes('/dist/main/sync/hash-cache') || url.includes('/dist/main/sync/md5')) return 's3lync: hashing / hash cache';
  if (url.includes('/dist/main/sync/local-scan')) return 's3lync: local scan';
  if (url.includes('/dist/main/sync/s3.js')) return 's3lync: listing (s3.js)';
  if (url.includes('/dist/main/sync/planner') || url.includes('/dist/main/sync/compare')) return 's3lync: planning';
  if (url.includes('/dist/main/sync/store') || url.includes('/dist/main/sync/remote-cache')) return 's3lync: state files';
  if (url.includes('/dist/cli/')) return 's3lync: CLI output';
  if (url.includes('/dist/')) return 's3lync: other';
  if (url.startsWith('node:internal/fs') || url.startsWith('node:fs')) return 'node: fs';
  if (url.startsWith('node:internal/crypto') || url.startsWith('node:crypto')) return 'node: crypto';
  if (url.startsWith('node:internal/streams') || url.startsWith('node:stream')) return 'node: streams';
  if (url.startsWith('node:_http') || url.startsWith('node:http') || url.startsWith('node:net') || url.startsWith('node:internal/http')) return 'node: http/net';
  if (url.startsWith('node:')) return 'node: other';
  return 'other JS';
}

export function summarizeProfile(file, top = 12) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples, timeDeltas } = prof;
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  const totalUs = prof.endTime - prof.startTime;
  const byCat = {};
  const byFn = {};
  for (const [id, us] of selfUs) {
    const n = nodes.get(id);
    const cf = n.callFrame;
    const cat = category(cf.url, cf.functionName);
    byCat[cat] = (byCat[cat] ?? 0) + us;
    const short = cf.url ? cf.url.replace(/^file:\/\/.*?node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/') : '';
    const name = `${cf.functionName || '(anonymous)'} ${short ? `${short}:${cf.lineNumber + 1}` : ''}`.trim();
    byFn[name] = (byFn[name] ?? 0) + us;
  }
  const ms = (us) => Math.round(us / 1000);
  const busyUs = totalUs - (byCat['idle (waiting for I/O)'] ?? 0);
  return {
    wallMs: ms(totalUs),
    cpuMs: ms(busyUs),
    categories: Object.entries(byCat)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => ({ category: k, ms: ms(v), pctOfWall: +((100 * v) / totalUs).toFixed(1) })),
    hottest: Object.entries(byFn)
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => ({ fn: k, ms: ms(v), pctOfWall: +((100 * v) / totalUs).toFixed(1) })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(summarizeProfile(process.argv[2]), null, 2));
}
