import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The application icon files in resources/, built from icon.svg by resources/build-icons.mjs. */
const resource = (name: string) => readFileSync(resolve(import.meta.dirname, '..', 'resources', name));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const pngSize = (png: Buffer) => {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
};

describe('the application icon', () => {
  it('comes as square PNGs in the sizes desktop platforms use', () => {
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) expect(pngSize(resource(`icon-${size}.png`))).toEqual([size, size]);
    expect(resource('icon.png').equals(resource('icon-512.png'))).toBe(true);
  });

  it('comes as an .ico of PNG entries (Windows) whose sizes match their images', () => {
    const ico = resource('icon.ico');
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    expect(count).toBe(6);
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const declared = ico.readUInt8(entry) || 256;
      const png = ico.subarray(ico.readUInt32LE(entry + 12), ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8));
      expect(pngSize(png)).toEqual([declared, declared]);
    }
  });

  it('comes as an .icns of PNG chunks (macOS) covering 16 to 1024 pixels', () => {
    const icns = resource('icon.icns');
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const sizes: number[] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) sizes.push(pngSize(icns.subarray(at + 8, at + icns.readUInt32BE(at + 4)))[0]);
    expect(sizes).toEqual([16, 32, 64, 128, 256, 512, 1024]);
  });
});
