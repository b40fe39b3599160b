/** The paper's four intensity classes: 0 (absent), 1 (weak), 2, 3 (strong). */
export const FOUR_CLASSES = [0, 1, 2, 3] as const;
export type FourClass = (typeof FOUR_CLASSES)[number];

const LOWEST_CLASS = 0;
const HIGHEST_CLASS = 3;

/**
 * Round half up: floor(x) if x - floor(x) < 0.5, else ceil(x).
 * Written out rather than Math.round so it reads exactly like the reference
 * definition (Math.round agrees, but -0.5 would give -0).
 */
export function roundHalfUp(x: number): number {
  const floor = Math.floor(x);
  return x - floor < 0.5 ? floor : Math.ceil(x);
}

/**
 * The four-class rule: round half up, then clip to 0..3. Clipping before or after
 * rounding gives the same class, since every value outside [0, 3] lands on an end.
 */
export function toFourClass(x: number): FourClass {
  const rounded = roundHalfUp(x);
  return Math.min(HIGHEST_CLASS, Math.max(LOWEST_CLASS, rounded)) as FourClass;
}
