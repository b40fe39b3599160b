import { writeDataset, type WrittenDataset } from '../datasetFiles';
import { alignCovarepToLabels, type AlignOptions, type Alignment } from './align';
import { openCsd } from './csdFile';
import { AlignmentReportBuilder, writeAlignmentReport } from './report';

export interface CsdImportRequest extends AlignOptions {
  covarepPath: string;
  labelsPath: string;
  dataDir: string;
  datasetId: string;
  /** Where to write the alignment report (the shape of the SDK reference), if wanted. */
  reportPath?: string;
  /** The process that records the dataset once written (main, for the import process); this one by default. */
  recorderPid?: number;
}

export interface CsdImportResult {
  written: WrittenDataset;
  totals: Alignment['totals'];
  droppedVideos: Alignment['droppedVideos'];
}

/**
 * Aligns CMU_MOSEI_COVAREP.csd to CMU_MOSEI_Labels.csd and writes the dataset cache, one video
 * at a time. CPU-bound between those yields: run it off the UI process for the real files.
 */
export async function importMoseiCsd(request: CsdImportRequest): Promise<CsdImportResult> {
  const covarep = await openCsd(request.covarepPath);
  try {
    const labels = await openCsd(request.labelsPath);
    try {
      const alignment = alignCovarepToLabels(covarep, labels, request);
      const report = request.reportPath ? new AlignmentReportBuilder(covarep, labels) : undefined;
      const written = await writeDataset(
        request.dataDir,
        request.datasetId,
        (async function* () {
          let currentVideo = '';
          for (const segment of alignment.segments()) {
            // Between videos, let the process deliver progress messages and notice a cancel.
            if (segment.video !== currentVideo) {
              currentVideo = segment.video;
              await new Promise<void>((resolve) => setImmediate(resolve));
            }
            report?.add(segment);
            // Only the cache's fields: writeDataset stores everything but `features` in its index.
            const { id, video, start, end, sentiment, emotions, features, nonFinite } = segment;
            yield { id, video, start, end, sentiment, emotions, features, nonFinite };
          }
        })(),
        request.recorderPid,
      );
      if (report && request.reportPath) writeAlignmentReport(request.reportPath, report.build(alignment));
      return { written, totals: alignment.totals, droppedVideos: alignment.droppedVideos };
    } finally {
      labels.close();
    }
  } finally {
    covarep.close();
  }
}
