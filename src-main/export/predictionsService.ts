import { WorkbenchError } from '@shared/api/contract';
import type { SavedFile } from '@shared/api/entities';
import { predictionsCsv, predictionsFileName, type PredictionRow } from '@shared/export/predictionsCsv';
import type { DatasetService } from '../data/datasetService';
import type { RunRepository } from '../store/runs';
import { saveForUser } from '../platform/savedFile';

export interface PredictionsDeps {
  runs: RunRepository;
  datasets: DatasetService;
}

/**
 * A run's stored per-segment predictions as CSV (segment ids and labels from its dataset), for
 * the run panel's export and `npm run predictions`.
 */
export class PredictionsService {
  constructor(private readonly deps: PredictionsDeps) {}

  csv(runId: number): { fileName: string; content: string } {
    const run = this.deps.runs.summary(runId);
    const stored = this.deps.runs.predictionsOf(runId);
    if (!stored.length) {
      const why =
        run.kind === 'pretrain'
          ? 'it is a pre-training run, which predicts no emotion'
          : run.status !== 'done'
            ? `it is ${run.status}: predictions are stored when a run finishes`
            : 'it was recorded before the workbench kept predictions; train it again to get them';
      throw new WorkbenchError('not_found', `Run #${runId} "${run.name}" has no stored predictions: ${why}.`);
    }
    let segments: ReturnType<DatasetService['segmentIndex']>;
    try {
      segments = this.deps.datasets.segmentIndex(run.datasetId);
    } catch (err) {
      if (err instanceof WorkbenchError && err.code === 'not_found') {
        throw new WorkbenchError('not_found', `Run #${runId}'s predictions name segments of dataset "${run.datasetId}", whose files are not here, so they cannot be written with their ids and labels. ${err.message}`);
      }
      throw err;
    }
    const rows: PredictionRow[] = stored.flatMap((p) =>
      Array.from(p.segments, (segment, i) => ({ segmentId: segments[segment].id, split: p.split, labels: segments[segment].emotions, predictions: Array.from(p.values.subarray(i * 6, i * 6 + 6)) })),
    );
    return { fileName: predictionsFileName(runId, run.name), content: predictionsCsv(rows) };
  }

  exportPredictions(runId: number, path: string | undefined): SavedFile {
    const { fileName, content } = this.csv(runId);
    return saveForUser({ fileName, mimeType: 'text/csv', content }, path);
  }
}
