/**
 * The Experiments form's fields as the request main checks: label counts, repeats, the
 * evaluation settings (only what differs from the preset) and an ablation's factors, each read
 * by the rules the command line uses; or the first thing wrong, in words.
 */
import type { Params } from '@shared/api/contract';
import type { TrainConfig } from '@shared/api/entities';
import { parseFactorValues, type Factor } from '@shared/experiments/factors';
import { experimentPlan, type ExperimentPreset } from '@shared/experiments/presets';

export type StartRequest = Params<'experiments.start'>;

export interface StartForm {
  datasetId: string;
  preset: ExperimentPreset;
  name: string;
  labelCounts: string;
  repeats: string;
  testFraction: string;
  selection: TrainConfig['selection'];
  patience: string;
  learningRate: string;
  /** The ablation's factors as typed: a field id and its values ("5, 15, 30"). */
  factors: Array<{ field: string; values: string }>;
}

/** What a field holds, as text: a number input's binding gives a number (or null when emptied). */
const typed = (v: unknown) => (v === null || v === undefined ? '' : String(v)).trim();

/** Early stopping's patience as typed (this form's and the Train view's): empty is none, the paper's. */
export function parsePatience(text: unknown): { earlyStopping: TrainConfig['earlyStopping'] } | { error: string } {
  const t = typed(text);
  if (t === '') return { earlyStopping: null };
  const patience = Number(t);
  if (!Number.isInteger(patience) || patience < 1 || patience > 1000) return { error: 'Early stopping patience must be a whole number of epochs from 1 to 1000, or empty for none.' };
  return { earlyStopping: { patience } };
}

export function presetDefaults(preset: ExperimentPreset) {
  const plan = experimentPlan(preset);
  const { learningRate, selection, earlyStopping, split } = plan.supervised;
  return { labelCounts: plan.labelCounts, repeats: plan.repeats, learningRate, testFraction: split.testFraction, selection, patience: earlyStopping?.patience ?? null };
}

export function parseLabelCounts(text: string): { counts: number[] } | { error: string } {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (!parts.length) return { error: 'Enter at least one label count.' };
  const bad = parts.filter((p) => !/^\d+$/.test(p) || Number(p) < 1);
  if (bad.length) return { error: `Not a whole number of labels: ${bad.join(', ')}` };
  const counts = [...new Set(parts.map(Number))].sort((a, b) => a - b);
  if (counts.length > 100) return { error: 'At most 100 label counts.' };
  return { counts };
}

export function parseRepeats(text: unknown): number | null {
  const t = typed(text);
  return /^\d+$/.test(t) && Number(t) >= 1 && Number(t) <= 50 ? Number(t) : null;
}

type Overrides = NonNullable<StartRequest['overrides']>;

export function parseEvaluation(form: Pick<StartForm, 'preset' | 'testFraction' | 'selection' | 'patience' | 'learningRate'>): { overrides: Overrides } | { error: string } {
  const d = presetDefaults(form.preset);
  const testFraction = Number(typed(form.testFraction));
  if (typed(form.testFraction) === '' || !Number.isFinite(testFraction) || testFraction < 0 || testFraction >= 0.8) return { error: 'The test share must be a number from 0 up to (not including) 0.8.' };
  const stopping = parsePatience(form.patience);
  if ('error' in stopping) return stopping;
  const patience = stopping.earlyStopping?.patience ?? null;
  const learningRate = Number(typed(form.learningRate));
  if (typed(form.learningRate) === '' || !Number.isFinite(learningRate) || learningRate <= 0 || learningRate > 10) return { error: 'The learning rate must be a number above 0, at most 10.' };
  const plan = experimentPlan(form.preset);
  return {
    overrides: {
      ...(testFraction !== d.testFraction ? { split: { ...plan.supervised.split, testFraction } } : {}),
      ...(form.selection !== d.selection ? { selection: form.selection } : {}),
      ...(patience !== d.patience ? { earlyStopping: patience === null ? null : { patience } } : {}),
      ...(learningRate !== d.learningRate ? { learningRate } : {}),
    },
  };
}

/** The factors typed (rows without a field are left out), or the first one's problem. */
export function parseFactors(rows: StartForm['factors']): { factors: Factor[] } | { error: string } {
  const factors: Factor[] = [];
  for (const row of rows.filter((r) => r.field)) {
    const parsed = parseFactorValues(row.field, row.values);
    if ('error' in parsed) return { error: parsed.error };
    factors.push({ field: row.field, values: parsed.values });
  }
  return { factors };
}

/** The request the form makes (only what differs from the preset), or why it cannot be sent. */
export function startRequest(form: StartForm): { request: StartRequest } | { error: string } {
  const counts = parseLabelCounts(form.labelCounts);
  if ('error' in counts) return counts;
  const repeats = parseRepeats(form.repeats);
  if (repeats === null) return { error: 'Repeats must be a whole number from 1 to 50.' };
  const evaluation = parseEvaluation(form);
  if ('error' in evaluation) return evaluation;
  const factors = parseFactors(form.factors);
  if ('error' in factors) return factors;
  const d = presetDefaults(form.preset);
  const sameCounts = counts.counts.join(',') === [...d.labelCounts].sort((a, b) => a - b).join(',');
  return {
    request: {
      datasetId: form.datasetId,
      preset: form.preset,
      name: form.name.trim() || undefined,
      labelCounts: sameCounts ? undefined : counts.counts,
      repeats: repeats === d.repeats ? undefined : repeats,
      overrides: Object.keys(evaluation.overrides).length ? evaluation.overrides : undefined,
      factors: factors.factors.length ? factors.factors : undefined,
    },
  };
}
