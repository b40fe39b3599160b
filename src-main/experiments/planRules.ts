import { WorkbenchError, type WorkbenchErrorShape } from '@shared/api/contract';
import { TrainConfig, type DatasetSummary } from '@shared/api/entities';
import { hasTestPart } from '@shared/data/splits';
import { armConfig, planShape, type PlanShape } from '@shared/experiments/ablationPlan';
import { combinationLabel, factorProblems, varyableField, type Factor, type FactorValues } from '@shared/experiments/factors';
import { experimentPlan, withOverrides, type ExperimentPlan, type ExperimentPreset, type LabelSampling, type PlanOverrides } from '@shared/experiments/presets';
import type { DatasetService } from '../data/datasetService';
import type { TrainingService } from '../training/trainingService';

export interface ExperimentRequest {
  datasetId: string;
  preset: ExperimentPreset;
  name?: string;
  labelCounts?: number[];
  repeats?: number;
  sampling?: LabelSampling;
  overrides?: PlanOverrides;
  /** An ablation's factors: settings with the values to compare. */
  factors?: Factor[];
}

/** The plan a request makes: its preset with its label counts (sorted, once each), repeats, overrides and factors. */
export function planOf(request: ExperimentRequest): ExperimentPlan {
  const labelCounts = request.labelCounts ? [...new Set(request.labelCounts)].sort((a, b) => a - b) : undefined;
  const plan = withOverrides(experimentPlan(request.preset, labelCounts, request.repeats, request.sampling), request.overrides);
  return { ...plan, factors: (request.factors ?? []).map((f) => ({ field: f.field, values: [...f.values] })) };
}

/** The override that sets the same fields as a factor (a request may set a field or vary it, not both). */
const OVERRIDE_OF: Record<string, keyof PlanOverrides> = { mask: 'mask', split: 'split', sequence: 'sequence', learningRate: 'learningRate' };

export interface CheckedPlan {
  dataset: DatasetSummary;
  plan: ExperimentPlan;
  shape: PlanShape;
  /** What weakens some run of the plan (started anyway, shown on the run). */
  warnings: string[];
}

type Issues = NonNullable<WorkbenchErrorShape['issues']>;
const refuse = (issues: Issues): never => {
  throw new WorkbenchError('invalid_params', issues.map((i) => i.message).join(' '), issues);
};

/**
 * Checks an experiment request before anything is recorded: its factors (fields that can vary,
 * values the run rules allow), then every distinct pre-training and baseline arm of the plan
 * against the rules of a single run (TrainingService.check), on the dataset and split each names.
 * The window, the bridge and the command line all start experiments through here.
 */
export function checkPlan(request: ExperimentRequest, deps: { datasets: DatasetService; training: Pick<TrainingService, 'check'> }): CheckedPlan {
  const dataset = deps.datasets.get(request.datasetId);
  const factors = request.factors ?? [];
  const issues: Issues = factorProblems(factors);
  factors.forEach((f, i) => {
    const override = OVERRIDE_OF[f.field.split('.')[0]];
    if (override && request.overrides?.[override] !== undefined && varyableField(f.field)) {
      issues.push({ path: `factors.${i}.field`, message: `${varyableField(f.field)!.label} is both set (${override}) and varied; leave out one of them.` });
    }
  });
  if (issues.length) refuse(issues);

  const plan = planOf(request);
  const shape = planShape(plan);
  const ablation = factors.length > 0;
  const named = (label: string, message: string) => (ablation ? `${label}: ${message}` : message);
  /** Whose runs a message is about: the values that set them, or every value for a run they share. */
  const whose = (values: FactorValues) => (Object.keys(values).length ? combinationLabel(values) : 'every value');
  const configProblems = shape.variants.flatMap((v) =>
    [v.pretrain, v.supervised].flatMap((config) => (TrainConfig.safeParse(config).success ? [] : [{ path: 'factors', message: named(v.label, 'these values make a configuration no run may have.') }])),
  );
  if (configProblems.length) refuse(configProblems);

  // Every value reports on the same split: with a test part, or without one, never mixed.
  const tested = new Set(shape.variants.map((v) => hasTestPart(v.supervised.split)));
  if (tested.size > 1) refuse([{ path: 'factors', message: 'Some of these values hold out a test part and others do not, so their numbers would be on different splits. Vary the split within one kind (with or without a test share).' }]);

  const warnings: string[] = [];
  const checked = (label: string, check: () => string[]) => {
    try {
      for (const w of check()) warnings.push(named(label, w));
    } catch (err) {
      if (err instanceof WorkbenchError && ablation) throw new WorkbenchError(err.code, named(label, err.message), err.issues);
      throw err;
    }
  };
  for (const arm of shape.baselineArms) {
    const label = whose(arm.values);
    const trainSize = deps.datasets.splitSizes(dataset.id, arm.supervised.split).train;
    const tooMany = plan.labelCounts.filter((n) => n > trainSize);
    if (tooMany.length) {
      refuse([{ path: 'labelCounts', message: named(label, `The training split of "${dataset.name}" has ${trainSize} segments, fewer than the label counts ${tooMany.join(', ')}. Use a larger dataset or smaller label counts.`) }]);
    }
  }
  // The same rules as a single run's, on each distinct pre-training and baseline arm.
  for (const p of shape.pretrainings) checked(whose(p.values), () => deps.training.check(dataset.id, 'pretrain', p.config));
  for (const arm of shape.baselineArms) checked(whose(arm.values), () => deps.training.check(dataset.id, 'baseline', armConfig(plan, arm, Math.max(...plan.labelCounts), 0)));
  return { dataset, plan, shape, warnings: [...new Set(warnings)] };
}
