import { resolve } from 'node:path';

/** The repository's test fixtures (see test/fixtures/README.md for where each came from). */
export const FIXTURES_DIR = resolve(import.meta.dirname, 'fixtures');

/** A fixture file by its path under test/fixtures. */
export const fixture = (...parts: string[]) => resolve(FIXTURES_DIR, ...parts);
