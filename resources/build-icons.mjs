#!/usr/bin/env node
/**
 * Builds the application icon files from resources/icon.svg (the one source): PNGs in the
 * sizes desktop platforms use, icon.ico (Windows) and icon.icns (macOS), both holding PNG
 * images. Renders with the Chromium the e2e tests use (CHROMIUM_PATH, else /usr/bin/chromium).
 * The outputs are committed; run this again only after changing icon.svg:
 *   node resources/build-icons.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const here = import.meta.dirname;
export const PNG_SIZES = [16, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 32, 48, 64, 128, 256];
/** ICNS types holding PNG data, by pixel size. */
const ICNS_TYPES = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };

const svg = readFileSync(join(here, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const pngs = new Map();
try {
  const page = await browser.newPage();
  for (const size of PNG_SIZES) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
    const png = await page.locator('svg').screenshot({ omitBackground: true });
    pngs.set(size, png);
    writeFileSync(join(here, `icon-${size}.png`), png);
  }
} finally {
  await browser.close();
}
writeFileSync(join(here, 'icon.png'), pngs.get(512));

// ICO: a directory of entries, each a PNG (allowed since Windows Vista); 256 is written as 0.
const header = Buffer.alloc(6);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(ICO_SIZES.length, 4);
let offset = 6 + 16 * ICO_SIZES.length;
const entries = ICO_SIZES.map((size) => {
  const e = Buffer.alloc(16);
  e.writeUInt8(size % 256, 0);
  e.writeUInt8(size % 256, 1);
  e.writeUInt16LE(1, 4);
  e.writeUInt16LE(32, 6);
  e.writeUInt32LE(pngs.get(size).length, 8);
  e.writeUInt32LE(offset, 12);
  offset += pngs.get(size).length;
  return e;
});
writeFileSync(join(here, 'icon.ico'), Buffer.concat([header, ...entries, ...ICO_SIZES.map((s) => pngs.get(s))]));

// ICNS: 'icns', total length, then typed chunks of PNG data.
const chunks = Object.entries(ICNS_TYPES).map(([size, type]) => {
  const data = pngs.get(Number(size));
  const head = Buffer.alloc(8);
  head.write(type, 0, 'ascii');
  head.writeUInt32BE(data.length + 8, 4);
  return Buffer.concat([head, data]);
});
const icnsHead = Buffer.alloc(8);
icnsHead.write('icns', 0, 'ascii');
icnsHead.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
writeFileSync(join(here, 'icon.icns'), Buffer.concat([icnsHead, ...chunks]));
console.log(`Wrote icon.png, icon-{${PNG_SIZES.join(',')}}.png, icon.ico and icon.icns in ${here}`);
