import { get, writable, type Readable } from 'svelte/store';
import type { RunSummary } from '@shared/api/entities';
import type { Params } from '@shared/api/contract';
import type { RunFacets, RunField, RunFilterClause, RunQueryInput } from '@shared/history/query';
import type { Api } from '../api/client';

/** Rows fetched per request; the table asks for the pages its visible window touches. */
export const HISTORY_PAGE = 100;
/** Training emits status and epoch events in bursts; the table refreshes once per burst. */
const REFRESH_DELAY_MS = 300;
/** Runs one comparison loads at most (the contract's runs.details limit). */
export const MAX_COMPARED = 500;

export interface HistoryQuery {
  search: string;
  filters: RunFilterClause[];
  archived: NonNullable<RunQueryInput['archived']>;
  sort: { field: RunField; direction: 'asc' | 'desc' };
}

export interface HistoryState {
  query: HistoryQuery;
  /** Runs matching the query in the store. */
  total: number;
  /** Loaded rows by position in the result; a hole is a page not fetched yet. */
  rows: Array<RunSummary | undefined>;
  loading: boolean;
  error: string | null;
  facets: RunFacets | null;
  /** Runs ticked for comparison, in the order they were ticked. */
  selected: number[];
}

/** Pages holding rows [start, end). */
function pagesOf(start: number, end: number): number[] {
  const first = Math.floor(Math.max(0, start) / HISTORY_PAGE);
  const last = Math.floor(Math.max(0, end - 1) / HISTORY_PAGE);
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

export const DEFAULT_QUERY: HistoryQuery = { search: '', filters: [], archived: 'hide', sort: { field: 'id', direction: 'desc' } };

/**
 * The run history as the table shows it: the query (search, filters, sort, archive view),
 * the pages of matching runs fetched so far, the filter menus' values and the runs ticked
 * for comparison. Main does the filtering and sorting, so 10,000 runs cost one page at a time.
 */
export function createHistoryStore(api: Api) {
  const state = writable<HistoryState>({ query: DEFAULT_QUERY, total: 0, rows: [], loading: false, error: null, facets: null, selected: [] });
  /** Bumped by every new query and refresh so answers to an older one are dropped. */
  let generation = 0;
  const loadedPages = new Set<number>();
  const pending = new Map<number, Promise<void>>();
  /** The rows the table last asked for: a refresh re-reads only these. */
  let shown = { start: 0, end: HISTORY_PAGE };
  /** A new query's first page is on its way; a refresh then has nothing to add. */
  let reloading: Promise<void> | null = null;

  async function fetchPage(page: number, gen: number, replace: boolean): Promise<void> {
    const { query } = get(state);
    try {
      const result = await api.request('runs.query', { ...query, limit: HISTORY_PAGE, offset: page * HISTORY_PAGE });
      if (gen !== generation) return;
      loadedPages.add(page);
      state.update((s) => {
        // A new query drops the previous result's rows; a refresh keeps them until re-read.
        const rows = replace ? [] : s.rows.slice(0, result.total);
        rows.length = result.total;
        result.rows.forEach((r, i) => (rows[page * HISTORY_PAGE + i] = r));
        return { ...s, rows, total: result.total, error: null };
      });
    } catch (e) {
      if (gen === generation) state.update((s) => ({ ...s, error: (e as Error).message }));
    }
  }

  function page(page: number, replace = false): Promise<void> {
    const existing = pending.get(page);
    if (existing) return existing;
    const gen = generation;
    const p = fetchPage(page, gen, replace).finally(() => {
      if (pending.get(page) === p) pending.delete(page);
    });
    pending.set(page, p);
    return p;
  }

  /** Starts over with the current query: the first page replaces whatever was shown. */
  async function reload(): Promise<void> {
    const gen = ++generation;
    loadedPages.clear();
    pending.clear();
    shown = { start: 0, end: HISTORY_PAGE };
    state.update((s) => ({ ...s, loading: true }));
    const first = page(0, true);
    reloading = first;
    await first;
    if (gen === generation) state.update((s) => ({ ...s, loading: false }));
    if (reloading === first) reloading = null;
  }

  /**
   * Re-reads the rows in view (a run finished, a tag changed) without scrolling away; pages
   * out of view are forgotten and fetched again when scrolled to.
   */
  async function refresh(): Promise<void> {
    if (reloading) return reloading;
    generation++;
    pending.clear();
    loadedPages.clear();
    await Promise.all(pagesOf(shown.start, shown.end).map((p) => page(p)));
  }

  async function loadFacets(): Promise<void> {
    try {
      const facets = await api.request('runs.facets', {});
      state.update((s) => ({ ...s, facets }));
    } catch (e) {
      state.update((s) => ({ ...s, error: (e as Error).message }));
    }
  }

  function setQuery(change: Partial<HistoryQuery>): Promise<void> {
    state.update((s) => ({ ...s, query: { ...s.query, ...change } }));
    return reload();
  }

  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let facetsDue = false;
  function refreshSoon(withFacets: boolean) {
    facetsDue ||= withFacets;
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refresh();
      // A new run brings new values to the filter menus (a label count, a backend).
      if (facetsDue) void loadFacets();
      facetsDue = false;
    }, REFRESH_DELAY_MS);
  }
  api.on('run.status', () => refreshSoon(true));
  api.on('run.epoch', () => refreshSoon(false));

  return {
    subscribe: state.subscribe as Readable<HistoryState>['subscribe'],
    reload,
    refresh,
    loadFacets,
    /** Whether a run is among those the current search, filters and archive view show. */
    async shows(id: number): Promise<boolean> {
      const { query } = get(state);
      const { total } = await api.request('runs.query', { ...query, filters: [...query.filters, { field: 'id', op: 'eq', value: id }], limit: 1, offset: 0 });
      return total > 0;
    },
    /** Fetches the pages covering rows [start, end) that are not loaded yet. */
    async ensureRange(start: number, end: number): Promise<void> {
      shown = { start, end };
      await Promise.all(pagesOf(start, end).filter((p) => !loadedPages.has(p)).map((p) => page(p)));
    },
    setSearch: (search: string) => setQuery({ search }),
    setArchived: (archived: HistoryQuery['archived']) => setQuery({ archived }),
    /** A header click: sort on this field, or flip the direction if it already sorts on it. */
    sortBy(field: RunField) {
      const { sort } = get(state).query;
      return setQuery({ sort: { field, direction: sort.field === field && sort.direction === 'desc' ? 'asc' : sort.field === field ? 'desc' : 'asc' } });
    },
    /** One clause per field: a new one for a field replaces its previous one; null removes it. */
    setFilter(field: RunField, clause: Omit<RunFilterClause, 'field'> | null) {
      const others = get(state).query.filters.filter((f) => f.field !== field);
      return setQuery({ filters: clause ? [...others, { field, ...clause }] : others });
    },
    clearFilters: () => setQuery({ filters: [], search: '' }),
    /** Ticks or unticks a run for comparison; false when the comparison is already full. */
    toggleSelected(id: number): boolean {
      const { selected } = get(state);
      if (!selected.includes(id) && selected.length >= MAX_COMPARED) return false;
      state.update((s) => ({ ...s, selected: s.selected.includes(id) ? s.selected.filter((x) => x !== id) : [...s.selected, id] }));
      return true;
    },
    /** Ticks these runs too, up to the comparison's limit. */
    selectAll(ids: readonly number[]) {
      state.update((s) => ({ ...s, selected: [...new Set([...s.selected, ...ids])].slice(0, MAX_COMPARED) }));
    },
    clearSelection: () => state.update((s) => ({ ...s, selected: [] })),
    async update(params: Params<'runs.update'>): Promise<RunSummary> {
      const run = await api.request('runs.update', params);
      state.update((s) => ({ ...s, rows: s.rows.map((r) => (r?.id === run.id ? run : r)) }));
      if (params.tags) void loadFacets();
      // Archiving moves the run out of (or into) the current view.
      if (params.archived !== undefined) await refresh();
      return run;
    },
    async remove(id: number): Promise<{ filesRemoved: boolean }> {
      const result = await api.request('runs.delete', { id });
      state.update((s) => ({ ...s, selected: s.selected.filter((x) => x !== id) }));
      await Promise.all([refresh(), loadFacets()]);
      return result;
    },
  };
}
export type HistoryStore = ReturnType<typeof createHistoryStore>;
