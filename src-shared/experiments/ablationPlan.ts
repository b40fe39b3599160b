/**
 * The runs an experiment's plan stands for. Without factors: one pre-training, and per label
 * count and repeat an SSL fine-tune and a baseline. With factors, per combination of their values
 * ("variant"): its pre-training (variants that differ only in supervised-only fields share one),
 * its fine-tunes, and a baseline arm shared by every variant whose supervised runs are the same
 * (a masking factor leaves one baseline arm for all its values).
 */
import type { TrainConfig } from '../api/entities';
import { changesBaseline, changesPretrain, combinationLabel, factorCombinations, restrict, valuesKey, withFactorValues, type FactorValues } from './factors';
import { supervisedConfig, type ExperimentPlan } from './presets';

export interface PlanVariant {
  /** Factor values of the variant (empty without factors), and their key and label. */
  values: FactorValues;
  key: string;
  label: string;
  /** The values that change the pre-training, as a key: variants with the same key share their pre-training. */
  pretrainKey: string;
  /** The values that change the baseline, as a key: variants with the same key share their baseline arm. */
  baselineKey: string;
  pretrain: TrainConfig;
  supervised: TrainConfig;
}

export function planVariants(plan: ExperimentPlan): PlanVariant[] {
  return factorCombinations(plan.factors ?? []).map((values) => ({
    values,
    key: valuesKey(values),
    label: combinationLabel(values),
    pretrainKey: valuesKey(values, changesPretrain),
    baselineKey: valuesKey(values, changesBaseline),
    pretrain: withFactorValues(plan.pretrain, values, 'pretrain'),
    supervised: withFactorValues(plan.supervised, values, 'supervised'),
  }));
}

/** One variant as a plan of its own (no factor): what supervisedConfig and the reference predictors read. */
export function variantPlan(plan: ExperimentPlan, variant: Pick<PlanVariant, 'pretrain' | 'supervised'>): ExperimentPlan {
  return { ...plan, pretrain: variant.pretrain, supervised: variant.supervised, factors: [] };
}

/** One fine-tune's or baseline's config: a variant's or a baseline arm's supervised config, with the label count's and repeat's sample and seed. */
export function armConfig(plan: ExperimentPlan, arm: Pick<PlanVariant, 'supervised'>, labelCount: number, repeat: number): TrainConfig {
  return supervisedConfig({ ...plan, supervised: arm.supervised, factors: [] }, labelCount, repeat);
}

export interface PlanShape {
  variants: PlanVariant[];
  /** Distinct pre-trainings, each with the values that set it. */
  pretrainings: Array<{ key: string; values: FactorValues; config: TrainConfig }>;
  /** Distinct baseline arms, each with the values that set it and the variants it serves. */
  baselineArms: Array<{ key: string; values: FactorValues; supervised: TrainConfig; variants: string[] }>;
  finetunes: number;
  baselines: number;
  /** Fine-tunes and baselines: what an experiment's progress counts (pre-trainings are not counted). */
  runsTotal: number;
}

export function planShape(plan: ExperimentPlan): PlanShape {
  const variants = planVariants(plan);
  const pretrainings = new Map<string, PlanShape['pretrainings'][number]>();
  const arms = new Map<string, PlanShape['baselineArms'][number]>();
  for (const v of variants) {
    if (!pretrainings.has(v.pretrainKey)) pretrainings.set(v.pretrainKey, { key: v.pretrainKey, values: restrict(v.values, changesPretrain), config: v.pretrain });
    const arm = arms.get(v.baselineKey) ?? { key: v.baselineKey, values: restrict(v.values, changesBaseline), supervised: v.supervised, variants: [] };
    arm.variants.push(v.key);
    arms.set(v.baselineKey, arm);
  }
  const cells = plan.labelCounts.length * plan.repeats;
  const finetunes = variants.length * cells;
  const baselines = arms.size * cells;
  return { variants, pretrainings: [...pretrainings.values()], baselineArms: [...arms.values()], finetunes, baselines, runsTotal: finetunes + baselines };
}
