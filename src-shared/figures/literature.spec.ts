import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMOTIONS } from '../emotions';
import { PAPER_PROTOCOL, PAPER_TABLE1_F1 } from './literature';
import { fixture } from '../../test/fixturePaths';

/** The reference file the constants were copied from: test/fixtures/paper/literature.json (see its README). */
const LITERATURE_JSON = fixture('paper/literature.json');

describe('the paper numbers kept in src-shared', () => {
  const reference = JSON.parse(readFileSync(LITERATURE_JSON, 'utf8')) as {
    emotions: string[];
    table1_f1: Record<string, number[]>;
    protocol: { label_counts: number[]; repeats_per_label_count: number };
  };

  it('quote Table 1 exactly as literature.json holds it, in the same emotion order', () => {
    expect(reference.emotions).toEqual([...EMOTIONS]);
    expect(Object.fromEntries(PAPER_TABLE1_F1.map((r) => [r.label, [...r.values]]))).toEqual(reference.table1_f1);
    // Row order as in the paper: SSL first, then BLSTM, then the best of the prior literature.
    expect(PAPER_TABLE1_F1.map((r) => r.label)).toEqual(Object.keys(reference.table1_f1));
  });

  it("match the paper's protocol", () => {
    expect([...PAPER_PROTOCOL.labelCounts]).toEqual(reference.protocol.label_counts);
    expect(PAPER_PROTOCOL.repeats).toBe(reference.protocol.repeats_per_label_count);
  });
});
