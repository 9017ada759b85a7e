// Draws the results as one PNG a person can read at a glance: one small panel per case, a
// horizontal bar per tool (median seconds, or MB for memory), s3lync in blue, with the ratio to
// the best peer under each title. Rendered as HTML/SVG in Debian's headless Chromium.
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const COLORS = {
  s3lync: '#2563eb',
  'aws-cli': '#f59e0b',
  rclone: '#059669',
  'rclone --checksum': '#059669',
  'rclone (default)': '#6ee7b7',
  'SDK ceiling': '#9ca3af',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function fmt(v, unit) {
  if (v === null || v === undefined) return '';
  if (unit === 'MB') return `${Math.round(v)} MB`;
  if (v >= 100) return `${v.toFixed(0)} s`;
  if (v >= 10) return `${v.toFixed(1)} s`;
  return `${v.toFixed(2)} s`;
}

/**
 * panels: [{ title, subtitle, unit: 's'|'MB', bars: [{ tool (label), colorKey?, value|null, note? }], verdict?: 'met'|'missed'|null, target? }]
 */
export function chartHtml({ heading, subheading, panels }) {
  const W = 430;
  const barH = 22;
  const gap = 7;
  const labelW = 130;
  const valueW = 70;
  const panelSvg = (p) => {
    const max = Math.max(...p.bars.map((b) => b.value ?? 0), 1e-9);
    const h = p.bars.length * (barH + gap) + 4;
    const plotW = W - labelW - valueW - 10;
    const rows = p.bars
      .map((b, i) => {
        const y = i * (barH + gap) + 2;
        const w = b.value ? Math.max(2, (b.value / max) * plotW) : 0;
        const key = b.colorKey ?? b.tool;
        const color = COLORS[key] ?? '#6b7280';
        const bold = key === 's3lync' ? 'font-weight:700' : '';
        const text = b.value === null || b.value === undefined ? `<text x="${labelW + 4}" y="${y + 15}" class="fail">${esc(b.note ?? 'failed')}</text>` : `<text x="${labelW + w + 6}" y="${y + 15}" class="val" style="${bold}">${esc(fmt(b.value, p.unit))}${b.note ? ` <tspan class="note">${esc(b.note)}</tspan>` : ''}</text>`;
        const dash = key === 'SDK ceiling' ? 'stroke="#6b7280" stroke-dasharray="3 2" fill-opacity="0.5"' : '';
        return `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" class="lbl" style="${bold}">${esc(b.tool)}</text><rect x="${labelW}" y="${y}" width="${w}" height="${barH}" rx="3" fill="${color}" ${dash}/>${text}`;
      })
      .join('');
    return `<svg width="${W}" height="${h}" viewBox="0 0 ${W} ${h}">${rows}</svg>`;
  };
  const panelHtml = panels
    .map(
      (p) => `<div class="panel ${p.verdict ?? ''}">
  <div class="title">${esc(p.title)}</div>
  <div class="sub">${p.subtitle ?? ''}</div>
  ${panelSvg(p)}
  ${p.target ? `<div class="target ${p.verdict ?? ''}">${p.verdict === 'met' ? '✔' : p.verdict === 'missed' ? '✘' : '•'} ${esc(p.target)}</div>` : ''}
</div>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 18px; background: #fff; color: #111827; width: 1380px; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  .head { font-size: 13px; color: #4b5563; margin-bottom: 14px; line-height: 1.45; }
  .grid { display: grid; grid-template-columns: repeat(3, 450px); gap: 12px; }
  .panel { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 10px 8px; }
  .panel.missed { border-color: #fca5a5; }
  .panel.met { border-color: #86efac; }
  .title { font-weight: 700; font-size: 15px; }
  .sub { font-size: 12px; color: #4b5563; margin: 2px 0 8px; min-height: 15px; }
  .lbl { font-size: 13px; fill: #374151; }
  .val { font-size: 12.5px; fill: #111827; }
  .note { font-size: 11px; fill: #6b7280; }
  .fail { font-size: 12.5px; fill: #dc2626; font-weight: 700; }
  .target { font-size: 12px; margin-top: 4px; }
  .target.met { color: #15803d; } .target.missed { color: #b91c1c; }
  .legend span { display: inline-block; margin-right: 14px; }
  .legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
</style></head><body>
<h1>${esc(heading)}</h1>
<div class="head">${subheading}</div>
<div class="grid">${panelHtml}</div>
</body></html>`;
}

export async function renderPng(html, htmlFile, pngFile) {
  await fs.writeFile(htmlFile, html);
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1420, height: 300 }, deviceScaleFactor: 1 });
    await page.goto(`file://${htmlFile}`);
    await page.screenshot({ path: pngFile, fullPage: true });
  } finally {
    await browser.close();
  }
}
