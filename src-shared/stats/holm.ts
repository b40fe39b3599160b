/**
 * Holm's step-down correction for a family of m tests (Holm 1979; statsmodels'
 * multipletests(method='holm')): with raw p-values sorted ascending p(1) <= ... <= p(m), the
 * adjusted p(i) = max over j <= i of min(1, (m − j + 1) · p(j)). Controls the family-wise error
 * rate whatever the dependence between the tests (the overall score and the emotions it averages
 * are far from independent).
 */

/** Adjusted p-values in the input's order. Nulls (tests that could not be run) stay null and are not counted in m. */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  for (const p of pValues) {
    if (p !== null && !(p >= 0 && p <= 1)) throw new RangeError(`A p-value lies from 0 to 1, not ${p}.`);
  }
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter((e): e is { p: number; i: number } => e.p !== null)
    .sort((a, b) => a.p - b.p);
  const m = order.length;
  const out: (number | null)[] = pValues.map(() => null);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
