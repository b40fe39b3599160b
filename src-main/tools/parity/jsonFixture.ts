/**
 * Reading the reference files the parity checks compare against (JSON from PyTorch or numpy):
 * every problem is one sentence that names the file and the key, and says what was expected.
 */
import { readFileSync } from 'node:fs';
import type { HostArray } from '../../training/gru/gateLayout';

export class FixtureError extends Error {}

export type Json = Record<string, unknown>;

export class Reader {
  constructor(readonly source: string) {}

  fail(message: string): never {
    throw new FixtureError(`${this.source}: ${message}`);
  }

  object(value: unknown, where: string): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(`${where} must be a JSON object`);
    return value as Json;
  }

  field(obj: Json, key: string, where: string): unknown {
    if (!(key in obj)) this.fail(`missing "${where}${key}"`);
    return obj[key];
  }

  /** The object at obj[key]; `prefix` is where obj sits ("config." etc.). */
  objectField(obj: Json, key: string, prefix = ''): Json {
    return this.object(this.field(obj, key, prefix), `"${prefix}${key}"`);
  }

  positiveInt(obj: Json, key: string, prefix = ''): number {
    const v = this.field(obj, key, prefix);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) this.fail(`"${prefix}${key}" must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  }

  finite(obj: Json, key: string, prefix = ''): number {
    const v = this.field(obj, key, prefix);
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`"${prefix}${key}" must be a finite number, got ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(obj: Json, key: string, allowed: readonly T[], prefix = ''): T {
    const v = this.field(obj, key, prefix);
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(`"${prefix}${key}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  }

  /** A nested list of finite numbers with exactly the expected shape, flattened row-major. */
  array(value: unknown, shape: readonly number[], where: string): HostArray {
    const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
    let offset = 0;
    const walk = (v: unknown, depth: number, path: string): void => {
      if (depth === shape.length) {
        if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${where}${path} must be a finite number, got ${JSON.stringify(v)}`);
        data[offset++] = v;
        return;
      }
      if (!Array.isArray(v) || v.length !== shape[depth]) {
        const got = Array.isArray(v) ? `length ${v.length}` : typeof v;
        this.fail(`${where}${path} must be a list of length ${shape[depth]} (expected shape [${shape.join(', ')}]), got ${got}`);
      }
      v.forEach((item, i) => walk(item, depth + 1, `${path}[${i}]`));
    };
    walk(value, 0, '');
    return { data, shape: [...shape] };
  }

  arrayField(obj: Json, key: string, shape: readonly number[], prefix = ''): HostArray {
    return this.array(this.field(obj, key, prefix), shape, `${prefix}${key}`);
  }

  /** A list of exactly `length` entries; `counted` says which setting that number comes from. */
  list(obj: Json, key: string, length: number, counted: string, prefix = ''): unknown[] {
    const v = this.field(obj, key, prefix);
    if (!Array.isArray(v) || v.length !== length) {
      this.fail(`"${prefix}${key}" must be a list of ${length} entries (${counted}), got ${Array.isArray(v) ? `${v.length}` : typeof v}`);
    }
    return v;
  }
}

/** The parsed JSON of a reference file; a missing, unreadable or non-JSON file is a FixtureError naming it. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FixtureError(`no such file: ${path}`);
    if (code === 'EISDIR') throw new FixtureError(`${path} is a folder, not a reference file`);
    throw new FixtureError(`cannot read ${path} (${code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FixtureError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}
