/**
 * Names of every request and event of the contract, without their schemas, so the
 * sandboxed preload can refuse unknown names without bundling the validation library.
 * `contract.spec.ts` checks that this list and the schemas in `contract.ts` agree.
 */
export const REQUEST_NAMES = [
  'app.info',
  'datasets.list',
  'runs.list',
  'runs.get',
  'runs.start',
  'runs.cancel',
  'runs.resume',
  'datasets.import',
  'datasets.cancelImport',
  'datasets.segments',
  'datasets.segment',
  'datasets.download',
  'app.pickPath',
  'settings.setWorkers',
  'settings.setRedis',
  'experiments.list',
  'experiments.start',
  'experiments.preview',
  'experiments.cancel',
  'experiments.results',
  'experiments.hosts',
  'datasets.cancelDownload',
  'runs.query',
  'runs.facets',
  'runs.details',
  'runs.update',
  'runs.delete',
  'runs.exportBundle',
  'runs.exportPredictions',
  'runs.importBundle',
  'experiments.table1',
  'experiments.exportTable1',
  'uploads.begin',
] as const;
export type RequestName = (typeof REQUEST_NAMES)[number];

export const EVENT_NAMES = ['run.progress', 'run.epoch', 'run.status', 'backend.ready', 'cluster.status', 'import.progress', 'import.status', 'download.progress', 'download.status', 'experiment.progress', 'experiment.status', 'log'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** Electron IPC channel names: one for requests, one for events. */
export const IPC_REQUEST_CHANNEL = 'workbench:request';
export const IPC_EVENT_CHANNEL = 'workbench:event';
