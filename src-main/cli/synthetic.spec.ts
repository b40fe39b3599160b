import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { POSITIVE_CONTROL } from '@shared/data/controls';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';

const root = resolve(import.meta.dirname, '../..');
const run = (args: string[]) =>
  promisify(execFile)(resolve(root, 'node_modules/.bin/tsx'), [resolve(root, 'src-main/cli/synthetic.ts'), ...args], { cwd: root }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('npm run synthetic -- --control', () => {
  it('adds a control with the parameters given, recorded with it, and refuses parameters that contradict its role', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-synthetic-cli-'));
    dirs.push(dir);
    const made = await run(['--control', 'positive', '--signal', '0.5', '--temporal-share', '0.25', '--noise', '3', '--segments', '12', '--seed', '7', '--data-dir', dir]);
    expect(made).toMatchObject({ code: 0, stdout: expect.stringContaining('control-positive-s0.5-t0.25-n3-12-7: 12 segments') });
    const db = openDatabase(dir);
    const [dataset] = new DatasetRepository(db).list();
    db.close();
    expect(dataset).toMatchObject({ synthetic: true, segments: 12, control: { ...POSITIVE_CONTROL, signal: 0.5, temporalShare: 0.25, noise: 3, segments: 12, seed: 7 } });
    expect(dataset.name).toMatch(/^Positive control \(synthetic, known effect\): signal 0\.5, temporal share 0\.25, noise 3/);

    for (const [args, problem] of [
      [['--control', 'negative', '--signal', '0.5'], /A negative control has no signal/],
      [['--control', 'positive', '--signal', '0'], /--signal 0 is the negative control/],
      [['--control', 'positive', '--temporal-share', '1.5'], /--temporal-share must be a number from 0 up to 1, not "1.5"/],
      [['--control', 'neutral'], /--control must be positive or negative, not "neutral"/],
      [['--control', 'positive', '--noise=-1'], /--noise must be a number from 0, not "-1"/],
      [['--noise', '3'], /--noise sets a control's parameter: add --control positive or --control negative/],
    ] as const) {
      const refused = await run([...args, '--data-dir', dir]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(problem);
      expect(refused.stderr).toContain('Usage: npm run synthetic');
    }
  }, 60_000);
});
