import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMOTIONS } from '../emotions';
import { PAPER_PROTOCOL, PAPER_TABLE1_F1 } from './literature';
import { PAPER_LABEL_COUNTS } from '../experiments/presets';
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

  it("match the paper's own text: the label counts it names and the repeats it ran", () => {
    const paper = readFileSync(fixture('paper/paper.txt'), 'utf8');
    // "… at 20, 35, 50, …, 200 and 400, 600, …, and 1200 data points."
    const sentence = /at (\d+), (\d+), (\d+), …, (\d+) and (\d+), (\d+), …, and (\d+) data points/.exec(paper);
    expect(sentence).not.toBeNull();
    const [a0, a1, , aEnd, b0, b1, bEnd] = sentence!.slice(1).map(Number);
    const run = (from: number, step: number, to: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
    expect([...PAPER_PROTOCOL.labelCounts]).toEqual([...run(a0, a1 - a0, aEnd), ...run(b0, b1 - b0, bEnd)]);
    expect(PAPER_LABEL_COUNTS).toBe(PAPER_PROTOCOL.labelCounts);
    expect(paper).toContain('three times per each number of data points');
    expect(PAPER_PROTOCOL.repeats).toBe(3);
  });
});
