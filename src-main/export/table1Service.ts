import type Database from 'better-sqlite3';
import { WorkbenchError } from '@shared/api/contract';
import type { DatasetSummary, ExperimentResults, RunSummary, SavedFile } from '@shared/api/entities';
import { experimentFigureSvgs } from '@shared/figures/experimentFigures';
import { ablationFigureSvgs } from '@shared/figures/ablationHeatmap';
import { table1Results } from '@shared/experiments/ablationResults';
import { experimentConclusions } from '@shared/experiments/conclusions';
import { buildTable1, TABLE1_FILE_TYPES, table1FileName } from '@shared/export/table1';
import { table1Html, type Table1Report } from '@shared/export/table1Html';
import type { F1Metric, Table1, Table1Format } from '@shared/export/table1Model';
import { table1Csv, table1Latex, table1Markdown } from '@shared/export/table1Writers';
import type { ExperimentService } from '../experiments/experimentService';
import { ExperimentRepository } from '../store/experiments';
import type { RunRepository } from '../store/runs';
import type { DatasetService } from '../data/datasetService';
import type { TrainingService } from '../training/trainingService';
import { saveForUser } from '../platform/savedFile';
import { softwareVersions } from './softwareVersions';

export interface Table1Deps {
  db: Database.Database;
  experiments: ExperimentService;
  runs: RunRepository;
  datasets: DatasetService;
  /** Only its backend report is read (the TensorFlow.js version, once warmed up). */
  training: Pick<TrainingService, 'backendInfo'>;
  dataDir: string;
}

const TEXT_WRITERS: Record<Exclude<Table1Format, 'html'>, (table: Table1) => string> = { md: table1Markdown, csv: table1Csv, tex: table1Latex };

/** Table 1 of the paper from an experiment's runs, for the preview and in every export format. */
export class Table1Service {
  private readonly stored: ExperimentRepository;

  constructor(private readonly deps: Table1Deps) {
    this.stored = new ExperimentRepository(deps.db);
  }

  table1(id: number, f1: F1Metric): Table1 {
    const results = table1Results(this.deps.experiments.results(id));
    return buildTable1(results, f1, { dataset: this.datasetOf(results) });
  }

  async exportTable1(id: number, f1: F1Metric, format: Table1Format, path: string | undefined): Promise<SavedFile> {
    const all = this.deps.experiments.results(id);
    const results = table1Results(all);
    const dataset = this.datasetOf(results);
    const table = buildTable1(results, f1, { dataset });
    const content = format === 'html' ? table1Html(table, this.report(all, dataset)) : TEXT_WRITERS[format](table);
    return saveForUser({ fileName: table1FileName(table, format), mimeType: TABLE1_FILE_TYPES[format].mimeType, content }, path);
  }

  /** The experiment's dataset, or null when it was removed since (the table still exports). */
  private datasetOf(results: ExperimentResults): DatasetSummary | null {
    try {
      return this.deps.datasets.get(results.experiment.datasetId);
    } catch (err) {
      if (err instanceof WorkbenchError && err.code === 'not_found') return null;
      throw err;
    }
  }

  /** What the HTML report holds besides the table: conclusions, figures, plan, dataset, backend, versions and runs. */
  private report(results: ExperimentResults, dataset: DatasetSummary | null): Table1Report {
    const { experiment } = results;
    const runs = this.runsOf(experiment.id, experiment.pretrainRunIds);
    return {
      experiment,
      plan: this.stored.get(experiment.id).plan,
      dataset,
      backends: backendsOf(runs),
      versions: softwareVersions(this.deps.db, this.deps.training.backendInfo()),
      runs: runs.map((r) => ({ id: r.id, kind: r.kind, labelCount: r.labelCount, repeat: r.repeat, seed: r.seed, status: r.status, backend: r.backend })),
      hosts: this.deps.experiments.hosts(experiment.id),
      conclusions: experimentConclusions(results).sentences,
      figures: [...experimentFigureSvgs(results), ...ablationFigureSvgs(results)],
    };
  }

  /** The experiment's runs, with its pre-training runs first when they were reused from another experiment. */
  private runsOf(id: number, pretrainRunIds: readonly number[]): Array<RunSummary & { repeat: number | null }> {
    const own = this.deps.runs.ofExperiment(id);
    // A reused pre-training belongs to an earlier experiment; pretrainRunIds always holds the shared one too.
    const reused = pretrainRunIds.filter((p) => !own.some((r) => r.id === p));
    return [...reused.map((p) => ({ ...this.deps.runs.summary(p), repeat: null })), ...own];
  }
}

/** Which backend trained how many runs, and the reasons it gave (a mix means the machine or settings changed mid-sweep). */
function backendsOf(runs: readonly RunSummary[]): Table1Report['backends'] {
  const out = new Map<string, { name: string; runs: number; reasons: string[] }>();
  for (const r of runs) {
    if (!r.backend) continue;
    const entry = out.get(r.backend) ?? { name: r.backend, runs: 0, reasons: [] };
    entry.runs++;
    if (r.backendReason && !entry.reasons.includes(r.backendReason)) entry.reasons.push(r.backendReason);
    out.set(r.backend, entry);
  }
  return [...out.values()];
}
