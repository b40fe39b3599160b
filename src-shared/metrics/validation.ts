import { EMOTIONS } from '../emotions';

/** Which matrix a message is about, so errors name the side that is wrong. */
export type MatrixRole = 'label' | 'prediction';

/** Rows are samples, columns are the six emotions in EMOTIONS order. */
export type EmotionMatrix = readonly (readonly number[])[];

/** One emotion's values over all samples. */
export function column(matrix: EmotionMatrix, emotionIndex: number): number[] {
  return matrix.map((row) => row[emotionIndex]);
}

/** Asserts `value` is a non-empty [n][6] matrix of finite numbers; the message names the first bad cell. */
export function assertEmotionMatrix(value: unknown, role: MatrixRole): asserts value is number[][] {
  if (!Array.isArray(value)) throw new Error(`${role} matrix must be an array of rows, got ${describe(value)}`);
  if (value.length === 0) throw new Error(`${role} matrix is empty; at least one sample is needed`);
  value.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row) || row.length !== EMOTIONS.length) {
      const got = Array.isArray(row) ? `${row.length} values` : describe(row);
      throw new Error(`${role} row ${i} must hold ${EMOTIONS.length} values (${EMOTIONS.join(', ')}), got ${got}`);
    }
    row.forEach((cell: unknown, j: number) => {
      if (typeof cell !== 'number' || !Number.isFinite(cell)) {
        throw new Error(`${role} row ${i} has a non-finite value ${describe(cell)} in column ${j} (${EMOTIONS[j]})`);
      }
    });
  });
}

/** Checks both matrices and that they describe the same samples; returns them typed. Row indices in messages are 0-based. */
export function validateLabelsAndPredictions(y: unknown, p: unknown): { y: EmotionMatrix; p: EmotionMatrix } {
  assertEmotionMatrix(y, 'label');
  assertEmotionMatrix(p, 'prediction');
  if (y.length !== p.length) {
    throw new Error(`labels have ${y.length} rows but predictions have ${p.length}; they must have one row per sample each`);
  }
  return { y, p };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
  return typeof value;
}
