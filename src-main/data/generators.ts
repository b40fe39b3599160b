import type { ControlParams } from '@shared/data/controls';
import { generateControl } from './controlGenerator';
import { generateSynthetic, type SyntheticParams, type SyntheticSegment } from './synthetic';

/** The parameters of either generator: the first built-in one's, or the controls' (which name their generator). */
export type GeneratorParams = SyntheticParams | ControlParams;

/** The segments a generator's parameters describe, one at a time. */
export function generateSegments(params: GeneratorParams): Iterable<SyntheticSegment> {
  return 'generator' in params ? generateControl(params) : generateSynthetic(params);
}
