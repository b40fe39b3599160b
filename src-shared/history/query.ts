import { z } from 'zod';

/**
 * What the run history can sort and filter on. Fixed columns are the table's own; any
 * leaf of a run's configuration is reachable as `config.<path>` (for example
 * `config.mask.spanLength` or `config.model.hiddenUnits`), so a new config field needs
 * no change here to be filtered, sorted or grouped on.
 */
export const RUN_COLUMNS = [
  'id',
  'name',
  'kind',
  'dataset',
  'experiment',
  'status',
  'backend',
  'seed',
  'labelCount',
  'maskSpan',
  'maskCount',
  'maskValue',
  'maskLossScope',
  'epochs',
  'lastLoss',
  'mae',
  'acc4',
  'maeTest',
  'acc4Test',
  'flagged',
  'startedAt',
  'duration',
  'tags',
] as const;
export type RunColumn = (typeof RUN_COLUMNS)[number];

/** `config.` then dotted identifiers; checked here so main can hand it to SQLite's json_extract as a bound value. */
export const CONFIG_FIELD_PATTERN = /^config(\.[A-Za-z][A-Za-z0-9]*)+$/;

export const RunField = z.union([z.enum(RUN_COLUMNS), z.string().max(120).regex(CONFIG_FIELD_PATTERN, 'a column name or config.<path>')]);
export type RunField = z.infer<typeof RunField>;

export const FILTER_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'contains', 'isNull', 'notNull'] as const;
export const RunFilterClause = z
  .object({
    field: RunField,
    op: z.enum(FILTER_OPS),
    value: z.union([z.string().max(200), z.number().finite(), z.boolean(), z.null()]).default(null),
  })
  .strict();
export type RunFilterClause = z.infer<typeof RunFilterClause>;

export const RunQuery = z
  .object({
    /** Words that must all appear in the run's name, notes or tags (case-insensitive). */
    search: z.string().trim().max(200).default(''),
    filters: z.array(RunFilterClause).max(40).default([]),
    archived: z.enum(['hide', 'only', 'include']).default('hide'),
    sort: z.object({ field: RunField, direction: z.enum(['asc', 'desc']) }).strict().default({ field: 'id', direction: 'desc' }),
    limit: z.number().int().min(1).max(10_000).default(200),
    offset: z.number().int().min(0).default(0),
  })
  .strict();
export type RunQuery = z.output<typeof RunQuery>;
export type RunQueryInput = z.input<typeof RunQuery>;

export const Tag = z
  .string()
  .trim()
  .min(1, 'a tag cannot be empty')
  .max(40, 'a tag is at most 40 characters')
  .regex(/^[^,\n\r\t]+$/, 'a tag cannot hold commas, tabs or line breaks');

/** Values a filter menu lists at most; a column with more says so (its other values are reached by search or a config filter). */
export const FACET_LIMIT = 200;

/** Values the history's filter menus offer: what the store actually holds. */
export const RunFacets = z.object({
  /** Active (not archived) runs: what the table shows with no filter. */
  total: z.number().int(),
  tags: z.array(z.string()),
  /** Every leaf path of every stored run's config, as `config.<path>`. */
  configFields: z.array(z.string()),
  values: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.null()]))),
});
export type RunFacets = z.infer<typeof RunFacets>;

/** Pre-trainings the fine-tune picker lists at once; a search reaches the others. */
export const PRETRAIN_PICKER_LIMIT = 100;

/**
 * The fine-tune form's pre-training picker: every finished pre-training on a dataset (archived
 * ones too: they are still usable), newest first, narrowed by the words typed.
 */
export function finishedPretrainsQuery(datasetId: string, search = ''): RunQueryInput {
  return {
    search,
    filters: [
      { field: 'kind', op: 'eq', value: 'pretrain' },
      { field: 'status', op: 'eq', value: 'done' },
      { field: 'dataset', op: 'eq', value: datasetId },
    ],
    archived: 'include',
    sort: { field: 'id', direction: 'desc' },
    limit: PRETRAIN_PICKER_LIMIT,
  };
}
