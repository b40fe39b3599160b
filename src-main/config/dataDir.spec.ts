import { describe, expect, it } from 'vitest';
import { resolveDataDir, userPath } from './dataDir';

describe('paths the user types', () => {
  it('are relative to the folder npm was run from, not the package folder', () => {
    expect(userPath('out/t1.md', { INIT_CWD: '/home/r/papers' })).toBe('/home/r/papers/out/t1.md');
    expect(userPath('/abs/t1.md', { INIT_CWD: '/home/r/papers' })).toBe('/abs/t1.md');
    expect(userPath('t1.md', {})).toBe(`${process.cwd()}/t1.md`);
  });

  it('include the data directory, from --data-dir, then the environment, then the default', () => {
    const env = { INIT_CWD: '/srv' };
    expect(resolveDataDir('runs', env, '/default')).toBe('/srv/runs');
    expect(resolveDataDir(undefined, { ...env, MOSEI_WORKBENCH_DATA_DIR: 'shared' }, '/default')).toBe('/srv/shared');
    expect(resolveDataDir(undefined, env, '/default')).toBe('/default');
  });
});
