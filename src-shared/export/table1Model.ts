import { z } from 'zod';
import { EvaluationSplitName, MeanSd } from '../api/entities';

/** The F1 definitions the engine computes for each emotion (binary presence, intensity > 0). */
export const F1_METRICS = ['f1Weighted', 'f1Binary', 'f1FourClassMacro', 'f1FourClassMicro'] as const;
export type F1Metric = (typeof F1_METRICS)[number];

export const TABLE1_FORMATS = ['md', 'csv', 'tex', 'html'] as const;
export type Table1Format = (typeof TABLE1_FORMATS)[number];

/**
 * One row of Table 1: the user's SSL runs (mean and sd over repeats), a reference predictor that
 * uses no audio (scored like the runs, on the same segments), or a figure quoted from the literature.
 */
export const TABLE1_SOURCES = ['runs', 'reference', 'literature'] as const;
export const Table1Row = z.object({
  label: z.string(),
  source: z.enum(TABLE1_SOURCES),
  /** Labelled segments the row's model was trained on, where known (the paper's SSL: 1200; prior literature: not given). */
  labelCount: z.number().int().nullable(),
  /**
   * Six cells in EMOTIONS order; null where the row has no value. Runs: mean, sample sd and 95% t
   * interval over the repeats (sd and interval null with one repeat). Literature: the value as printed (sd and interval null, n 1).
   */
  cells: z.array(MeanSd.nullable()),
  /**
   * Runs rows: per cell, how many of the runs averaged predict that emotion degenerately (see
   * DegenerateFlag); null where unknown (no stored predictions) or not a runs row. Marked † in every format.
   */
  degenerate: z.array(z.number().int().min(0).nullable()),
});
export type Table1Row = z.infer<typeof Table1Row>;

/** Everything a Table 1 export holds, whatever its format. */
export const Table1 = z.object({
  experimentId: z.number().int(),
  experimentName: z.string(),
  /** The largest label count of the sweep: the column the paper's Table 1 reports. */
  labelCount: z.number().int(),
  /** The split the runs and reference rows were measured on: test when the experiment has one. */
  split: EvaluationSplitName,
  f1Metric: z.enum(F1_METRICS),
  /** One sentence stating the F1 definition, printed under the table. */
  f1Definition: z.string(),
  emotions: z.array(z.string()),
  rows: z.array(Table1Row),
  /** Ids of the runs the SSL row averages. */
  runIds: z.array(z.number().int()),
  notes: z.array(z.string()),
});
export type Table1 = z.infer<typeof Table1>;
