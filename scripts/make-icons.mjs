#!/usr/bin/env node
// Draws the app icon and the tray icons as SVG, renders them to PNG with headless Chromium
// (Debian's /usr/bin/chromium through playwright-core), and packs icon.ico and icon.icns from
// the PNGs in plain Node. The outputs are committed; run this only to change the artwork:
//   node scripts/make-icons.mjs            (CHROMIUM=/path/to/chromium to use another browser)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const assets = join(root, 'assets');

// ---------------------------------------------------------------- geometry helpers

const f = (n) => Number(n.toFixed(2));
const polar = (cx, cy, r, deg) => {
  const a = (deg * Math.PI) / 180;
  return [f(cx + r * Math.cos(a)), f(cy + r * Math.sin(a))];
};

/** A clockwise arc from a0 to a1 (degrees, 0 = east, 90 = south) with an arrowhead at its end. */
function arcArrow(cx, cy, r, a0, a1, { stroke, width, head, color }) {
  const [x0, y0] = polar(cx, cy, r, a0);
  // Stop the line a little before the tip so the round cap does not poke out of the head.
  const stop = a1 - ((head * 0.55) / (2 * Math.PI * r)) * 360;
  const [x1, y1] = polar(cx, cy, r, stop);
  const large = ((stop - a0 + 360) % 360) > 180 ? 1 : 0;
  const [tx, ty] = polar(cx, cy, r, a1);
  // Tangent direction (clockwise) at a1, and the normal.
  const t = ((a1 + 90) * Math.PI) / 180;
  const n = (a1 * Math.PI) / 180;
  const tip = [f(tx + Math.cos(t) * head * 0.5), f(ty + Math.sin(t) * head * 0.5)];
  const back = [tx - Math.cos(t) * head * 0.5, ty - Math.sin(t) * head * 0.5];
  const l = [f(back[0] + Math.cos(n) * head * 0.62), f(back[1] + Math.sin(n) * head * 0.62)];
  const rr = [f(back[0] - Math.cos(n) * head * 0.62), f(back[1] - Math.sin(n) * head * 0.62)];
  return (
    `<path d="M${x0} ${y0} A${r} ${r} 0 ${large} 1 ${x1} ${y1}" fill="none" stroke="${stroke}" stroke-width="${width}" stroke-linecap="round"/>` +
    `<path d="M${tip.join(' ')} L${l.join(' ')} L${rr.join(' ')} Z" fill="${color}" stroke="${color}" stroke-width="${f(width * 0.35)}" stroke-linejoin="round"/>`
  );
}

/** The cloud: circles and a rounded base in one colour, so they read as one shape. */
function cloud(scale, ox, oy, attrs) {
  const s = (v) => f(v * scale);
  return (
    `<g ${attrs}>` +
    `<circle cx="${s(11) + ox}" cy="${s(17) + oy}" r="${s(6.2)}"/>` +
    `<circle cx="${s(17.6) + ox}" cy="${s(12.6) + oy}" r="${s(8.2)}"/>` +
    `<circle cx="${s(24.4) + ox}" cy="${s(18.2) + oy}" r="${s(5.6)}"/>` +
    `<rect x="${s(4.8) + ox}" y="${s(16.6) + oy}" width="${s(25.2)}" height="${s(8.6)}" rx="${s(4.3)}"/>` +
    `</g>`
  );
}

// ---------------------------------------------------------------- the app icon

function appIconSvg() {
  const arrows =
    arcArrow(512, 590, 92, 200, 330, { stroke: '#1d4ed8', width: 36, head: 74, color: '#1d4ed8' }) +
    arcArrow(512, 590, 92, 20, 150, { stroke: '#1d4ed8', width: 36, head: 74, color: '#1d4ed8' });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1024 1024" width="1024" height="1024">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#3b82f6"/>
      <stop offset="1" stop-color="#0891b2"/>
    </linearGradient>
    <linearGradient id="sheen" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#ffffff" stop-opacity="0.18"/>
      <stop offset="0.5" stop-color="#ffffff" stop-opacity="0"/>
    </linearGradient>
    <filter id="shadow" x="-10%" y="-10%" width="120%" height="130%">
      <feDropShadow dx="0" dy="12" stdDeviation="14" flood-color="#0f172a" flood-opacity="0.35"/>
    </filter>
    <filter id="soft" x="-10%" y="-10%" width="120%" height="130%">
      <feDropShadow dx="0" dy="10" stdDeviation="12" flood-color="#0c4a6e" flood-opacity="0.35"/>
    </filter>
  </defs>
  <rect x="100" y="100" width="824" height="824" rx="184" fill="url(#bg)" filter="url(#shadow)"/>
  <rect x="100" y="100" width="824" height="824" rx="184" fill="url(#sheen)"/>
  <g filter="url(#soft)">${cloud(25, 77, 160, 'fill="#ffffff"')}</g>
  ${arrows}
</svg>`;
}

// ---------------------------------------------------------------- the tray icons

const trayStates = {
  'in-sync': { color: '#16a34a', edge: '#0b5d2a' },
  syncing: { color: '#2563eb', edge: '#1e3a8a' },
  paused: { color: '#6b7280', edge: '#374151' },
  error: { color: '#dc2626', edge: '#7f1d1d' },
  conflict: { color: '#ea580c', edge: '#7c2d12' },
};

function trayGlyph(state, color) {
  const w = '#ffffff';
  switch (state) {
    case 'in-sync':
      return `<path d="M12.4 19.2 L15.9 22.6 L22.2 15.6" fill="none" stroke="${w}" stroke-width="3.1" stroke-linecap="round" stroke-linejoin="round"/>`;
    case 'syncing':
      return (
        arcArrow(17.2, 19, 4.7, 205, 335, { stroke: w, width: 2.3, head: 4.4, color: w }) +
        arcArrow(17.2, 19, 4.7, 25, 155, { stroke: w, width: 2.3, head: 4.4, color: w })
      );
    case 'paused':
      return `<rect x="13.2" y="14.4" width="3.2" height="9.4" rx="1" fill="${w}"/><rect x="18.6" y="14.4" width="3.2" height="9.4" rx="1" fill="${w}"/>`;
    case 'error':
      return `<rect x="15.75" y="13.2" width="3.3" height="7.2" rx="1.65" fill="${w}"/><circle cx="17.4" cy="23.1" r="1.8" fill="${w}"/>`;
    case 'conflict':
      return (
        `<path d="M17.4 12.4 L24 24.2 L10.8 24.2 Z" fill="${w}" stroke="${w}" stroke-width="1.6" stroke-linejoin="round"/>` +
        `<rect x="16.35" y="15.6" width="2.1" height="4.7" rx="1.05" fill="${color}"/><circle cx="17.4" cy="22.3" r="1.15" fill="${color}"/>`
      );
    default:
      throw new Error(state);
  }
}

function traySvg(state) {
  const { color, edge } = trayStates[state];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">
  <g transform="translate(16 16) scale(1.1) translate(-17.4 -16.1)">
  ${cloud(1, 0, 1, `fill="${edge}" stroke="${edge}" stroke-width="2"`)}
  ${cloud(1, 0, 1, `fill="${color}"`)}
  ${trayGlyph(state, color)}
  </g>
</svg>`;
}

// ---------------------------------------------------------------- rendering

async function renderer() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--force-color-profile=srgb',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1024, height: 1024 }, deviceScaleFactor: 1 });
  async function render(svg, size) {
    const sized = svg.replace(/width="\d+" height="\d+"/, `width="${size}" height="${size}"`);
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<!doctype html><html><head><style>html,body{margin:0;padding:0;background:transparent}svg{display:block}</style></head><body>${sized}</body></html>`,
    );
    return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  }
  return { render, close: () => browser.close() };
}

// ---------------------------------------------------------------- ico / icns containers

function ico(entries) {
  const header = Buffer.alloc(6 + 16 * entries.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(entries.length, 4);
  let offset = header.length;
  entries.forEach(({ size, png }, i) => {
    const o = 6 + i * 16;
    header.writeUInt8(size >= 256 ? 0 : size, o);
    header.writeUInt8(size >= 256 ? 0 : size, o + 1);
    header.writeUInt8(0, o + 2);
    header.writeUInt8(0, o + 3);
    header.writeUInt16LE(1, o + 4);
    header.writeUInt16LE(32, o + 6);
    header.writeUInt32LE(png.length, o + 8);
    header.writeUInt32LE(offset, o + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...entries.map((e) => e.png)]);
}

function icns(entries) {
  const chunks = entries.map(({ type, png }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'ascii');
    h.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([h, png]);
  });
  const body = Buffer.concat(chunks);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'ascii');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

// ---------------------------------------------------------------- main

const r = await renderer();
try {
  mkdirSync(join(assets, 'tray'), { recursive: true });
  mkdirSync(join(assets, 'icons'), { recursive: true });

  const app = appIconSvg();
  writeFileSync(join(assets, 'icon.svg'), app + '\n');
  const pngs = new Map();
  for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) pngs.set(size, await r.render(app, size));
  writeFileSync(join(assets, 'icon.png'), pngs.get(512));
  for (const size of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(join(assets, 'icons', `${size}x${size}.png`), pngs.get(size));
  writeFileSync(join(assets, 'icon.ico'), ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: pngs.get(size) }))));
  writeFileSync(
    join(assets, 'icon.icns'),
    icns([
      ['icp4', 16],
      ['icp5', 32],
      ['ic11', 32],
      ['ic12', 64],
      ['ic07', 128],
      ['ic13', 256],
      ['ic08', 256],
      ['ic14', 512],
      ['ic09', 512],
      ['ic10', 1024],
    ].map(([type, size]) => ({ type, png: pngs.get(size) }))),
  );

  for (const state of Object.keys(trayStates)) {
    const svg = traySvg(state);
    writeFileSync(join(assets, 'tray', `${state}.svg`), svg + '\n');
    writeFileSync(join(assets, 'tray', `${state}.png`), await r.render(svg, 16));
    writeFileSync(join(assets, 'tray', `${state}@2x.png`), await r.render(svg, 32));
    writeFileSync(join(assets, 'tray', `${state}-22.png`), await r.render(svg, 22));
    writeFileSync(join(assets, 'tray', `${state}-22@2x.png`), await r.render(svg, 44));
  }
  console.log(`icons written to ${assets}`);
} finally {
  await r.close();
}
