import { describe, expect, it } from 'vitest';
import { FileHandles } from './fileHandles';

describe('FileHandles', () => {
  it('hands out unguessable handles that name the file but carry no path', () => {
    const handles = new FileHandles();
    const a = handles.grant('/home/ana/data/CMU_MOSEI_Labels.csd', 'read', 42);
    const b = handles.grant('/home/ana/data/CMU_MOSEI_Labels.csd', 'read', 42);
    expect(a).toMatchObject({ name: 'CMU_MOSEI_Labels.csd', location: '/home/ana/data/CMU_MOSEI_Labels.csd', bytes: 42 });
    expect(a.handle).toMatch(/^fh-[\w-]{24}$/);
    expect(a.handle).not.toBe(b.handle);
    expect(a.handle).not.toContain('CMU');
  });

  it('forgets a handle a few hours after it was handed out', async () => {
    let now = 0;
    const handles = new FileHandles(() => now);
    const { handle } = handles.grant('/data/x.csd', 'read');
    now = 7 * 60 * 60 * 1000;
    await expect(handles.use(handle, 'read', 'COVAREP file', (p) => p)).rejects.toThrow(/COVAREP file is no longer available/);
  });

  it('refuses a second request on a handle while the first one works on it', async () => {
    const handles = new FileHandles();
    const { handle } = handles.grant('/data/x.json', 'read');
    let release!: () => void;
    const first = handles.use(handle, 'read', 'bundle file', () => new Promise<string>((r) => (release = () => r('done'))));
    await expect(handles.use(handle, 'read', 'bundle file', (p) => p)).rejects.toThrow(/being used by another request/);
    release();
    expect(await first).toBe('done');
    await expect(handles.use(handle, 'read', 'bundle file', (p) => p)).rejects.toThrow(/no longer available/);
  });
});
