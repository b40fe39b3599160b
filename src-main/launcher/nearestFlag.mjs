/**
 * The known flag nearest to a mistyped one ("--label" -> "--labels"), or null when none is
 * close. Plain JavaScript so that `npm start` (which runs before anything is built) and the
 * TypeScript command lines share it.
 * @param {string} typed the flag as typed, with its dashes
 * @param {readonly string[]} known the command's flags, with their dashes
 * @returns {string | null}
 */
export function nearestFlag(typed, known) {
  const name = typed.replace(/=.*$/, '');
  const letters = name.replace(/^-+/, '').length;
  // A flag the typed one starts (or is started by) wins, when enough of it was typed.
  const prefixed = letters >= 2 ? known.filter((flag) => flag.startsWith(name) || name.startsWith(flag)) : [];
  if (prefixed.length) return prefixed.reduce((a, b) => (Math.abs(a.length - name.length) <= Math.abs(b.length - name.length) ? a : b));
  let best = null;
  let bestDistance = Infinity;
  for (const flag of known) {
    const d = distance(name, flag);
    if (d < bestDistance) {
      best = flag;
      bestDistance = d;
    }
  }
  // Close means a couple of edits, and never most of the word.
  return best !== null && bestDistance <= Math.min(3, Math.floor(letters / 3)) ? best : null;
}

/** Edit distance where swapping two neighbouring letters is one edit (optimal string alignment). */
function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
