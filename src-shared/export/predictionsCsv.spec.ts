import { describe, expect, it } from 'vitest';
import { parseCsv } from '../csv';
import { PREDICTIONS_CSV_HEADER, predictionsCsv, readPredictionsCsv } from './predictionsCsv';

const row = (segmentId: string, split: 'validation' | 'test', k: number) => ({
  segmentId,
  split,
  labels: [k / 3, 0, 1, 0, 2 / 3, 0],
  predictions: Array.from(Float32Array.from([0.1 * k, 0.49999997, 0.5, 2.4999998, -0.25, 3.75])),
});

describe('the predictions CSV', () => {
  it('reads back, split by split, exactly the labels and float32 predictions it was written with', () => {
    const rows = [row('-3g5yACwYnA[0]', 'validation', 1), row('zv0Jl4TIQDc[2]', 'validation', 2), row('_aJghSQmxD8[0]', 'test', 3)];
    const text = predictionsCsv(rows);
    expect(text.split('\r\n')[0]).toBe(PREDICTIONS_CSV_HEADER.join(','));
    const back = readPredictionsCsv(text, 'p.csv');
    expect(back.map((s) => s.split)).toEqual(['validation', 'test']);
    expect(back[0].y).toEqual([rows[0].labels, rows[1].labels]);
    expect(back[0].p).toEqual([rows[0].predictions, rows[1].predictions]);
    expect(back[1].p[0]).toEqual(rows[2].predictions);
    // A segment id that starts with "-" is guarded like every text cell the workbench writes.
    expect(parseCsv(text)[1][0]).toBe("'-3g5yACwYnA[0]");
  });

  it('reads a file a spreadsheet saved again: LF line ends, a byte-order mark, columns moved, no split column', () => {
    const header = ['pred_happiness', 'pred_sadness', 'pred_anger', 'pred_surprise', 'pred_disgust', 'pred_fear', 'segment_id', 'label_happiness', 'label_sadness', 'label_anger', 'label_surprise', 'label_disgust', 'label_fear'];
    const text = `\uFEFF${header.join(',')}\n1,2,3,0,0,0,a[0],1,1,1,0,0,0\n0,0,0,1,1,1,b[0],0,0,0,1,1,1\n`;
    expect(readPredictionsCsv(text, 'p.csv')).toEqual([{ split: 'all', y: [[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]], p: [[1, 2, 3, 0, 0, 0], [0, 0, 0, 1, 1, 1]] }]);
  });

  it('names the line and column of what it cannot read', () => {
    const good = predictionsCsv([row('a[0]', 'validation', 1)]);
    expect(() => readPredictionsCsv(good.replace('label_fear', 'label_fright'), 'p.csv')).toThrow('p.csv has no column "label_fear"');
    expect(() => readPredictionsCsv(`${good}b[0],train,0,0,0,0,0,0,0,0,0,0,0,0\r\n`, 'p.csv')).toThrow('p.csv, line 3: the split is "train", not validation or test');
    expect(() => readPredictionsCsv(`${good}b[0],test,0,0,0,0,0,0,0,0,0,,0,0\r\n`, 'p.csv')).toThrow('p.csv, line 3: "pred_surprise" is empty, not a finite number');
    expect(() => readPredictionsCsv(PREDICTIONS_CSV_HEADER.join(','), 'p.csv')).toThrow('p.csv has a header but no segment');
    expect(() => readPredictionsCsv('', 'p.csv')).toThrow('p.csv is empty');
    expect(() => readPredictionsCsv('"unclosed', 'p.csv')).toThrow(/p\.csv is not a readable CSV file: A quoted field is not closed/);
  });
});
