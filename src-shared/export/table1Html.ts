/**
 * Table 1 as a self-contained HTML report: the table and its notes, what the results support in
 * plain words, Figures 4–7 as inline SVG,
 * and what a reader needs to run the experiment again (plan, dataset fingerprint, backend,
 * software versions, runs). No script, no external resource: the page's own CSP forbids both.
 */
import type { DatasetSummary, ExperimentHost, ExperimentSummary } from '../api/entities';
import { HOST_KINDS, hostRows } from '../experiments/hostBreakdown';
import { escapeXml } from '../figures/sweepSvg';
import { cellFlagged, cellText, DEGENERATE_MARK, emotionHeading, table1Subtitle, table1Title } from './table1';
import type { Table1 } from './table1Model';

/** Everything the report holds besides the table itself (gathered by main from the store). */
export interface Table1Report {
  experiment: ExperimentSummary;
  /** The experiment's full plan (pre-training and supervised configs, label counts, repeats). */
  plan: unknown;
  dataset: DatasetSummary | null;
  /** Backends the experiment's runs trained on, with how many runs each and why it was chosen. */
  backends: Array<{ name: string; runs: number; reasons: string[] }>;
  versions: Array<{ name: string; version: string }>;
  runs: Array<{ id: number; kind: string; labelCount: number | null; repeat: number | null; seed: number; status: string; backend: string | null }>;
  /** Where the experiment's runs trained, per host and kind (experimentHosts). */
  hosts: ExperimentHost[];
  /** What the results support, in plain words (experimentConclusions). */
  conclusions: string[];
  /** Figures 4–7 as standalone SVG documents, with their full captions. */
  figures: Array<{ n: number; caption: string; svg: string }>;
}

export const escapeHtml = escapeXml;

/** An SVG document as an element inside HTML: no XML prolog, no namespace URL (HTML puts <svg> in it anyway). */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/^\s*<\?xml[^>]*\?>\s*/, '')
    .replace(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, '<svg role="img"')
    .trim();
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
const STYLE = `
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2330; margin: 24px auto; max-width: 1080px; padding: 0 16px; }
  h1 { font-size: 20px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #d5dae2; padding-bottom: 4px; } h3 { font-size: 15px; }
  .muted { color: #5b6475; }
  table { border-collapse: collapse; margin: 8px 0; }
  th, td { padding: 4px 10px; text-align: left; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
  thead th { border-bottom: 2px solid #444; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  tr.runs td { font-weight: 600; background: #eef3fc; } tr.literature td:first-child { font-style: italic; }
  tr.reference td { color: #3f4652; background: #f4f5f7; } td.flagged, sup.flag { color: #b3261e; }
  figure { margin: 16px 0; } figcaption { font-size: 13px; color: #5b6475; } svg { max-width: 100%; height: auto; display: block; }
  pre { background: #f6f7f9; border: 1px solid #e3e6eb; padding: 10px; overflow: auto; font-size: 12px; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; } dt { color: #5b6475; } dd { margin: 0; word-break: break-all; }
`;

const e = (v: unknown) => escapeHtml(String(v ?? '—'));

function tableSection(table: Table1): string {
  const head = `<tr><th>Model</th>${table.emotions.map((em) => `<th class="num">${e(emotionHeading(em))}</th>`).join('')}</tr>`;
  const rows = table.rows.map(
    (r) =>
      `<tr class="${r.source}" data-source="${r.source}"><td>${e(r.label)}</td>${r.cells
        .map((c, i) => `<td class="num${cellFlagged(r, i) ? ' flagged' : ''}">${e(cellText(r, c))}${cellFlagged(r, i) ? `<sup class="flag" title="degenerate predictions: see the notes">${DEGENERATE_MARK}</sup>` : ''}</td>`)
        .join('')}</tr>`,
  );
  return [
    `<h1>${e(table1Title(table))}</h1>`,
    `<p class="muted">${e(table1Subtitle(table))}</p>`,
    `<table id="table1"><thead>${head}</thead><tbody>\n${rows.join('\n')}\n</tbody></table>`,
    `<p><strong>F1 definition.</strong> ${e(table.f1Definition)}</p>`,
    `<ul class="notes">${table.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>`,
  ].join('\n');
}

function conclusionsSection(report: Table1Report): string {
  return ['<h2>What the results support</h2>', `<ul id="conclusions">${report.conclusions.map((s) => `<li>${e(s)}</li>`).join('')}</ul>`].join('\n');
}

function figuresSection(report: Table1Report): string {
  const figures = report.figures.map((f) => `<figure id="figure-${f.n}">\n${inlineSvg(f.svg)}\n<figcaption>${e(f.caption)}</figcaption>\n</figure>`);
  return [
    `<h2>Figures 4–7</h2>`,
    `<p class="muted">SSL (blue) and baseline (orange): mean over repeats with a ±1 sd band, against the number of labelled segments. Dashed grey: the reference predictors, which use no audio. A triangle in a red ring: a point some of whose runs predict degenerately.</p>`,
    ...figures,
  ].join('\n');
}

const definitions = (pairs: ReadonlyArray<[string, unknown]>) => `<dl>${pairs.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl>`;

/** The per-host breakdown: runs of each kind by state, and the summed training time of the finished ones. */
function hostsTable(report: Table1Report): string {
  const rows = hostRows(report.hosts);
  if (!rows.length) return '<p>No run of this experiment has been queued.</p>';
  const head = `<tr><th>Host</th>${HOST_KINDS.map(([, name]) => `<th>${e(name)}</th>`).join('')}<th class="num">Training time</th></tr>`;
  const body = rows.map((r) => `<tr><td>${e(r.host)}</td>${HOST_KINDS.map(([k]) => `<td>${e(r[k])}</td>`).join('')}<td class="num">${e(r.time)}</td></tr>`);
  return `<table id="hosts"><thead>${head}</thead><tbody>\n${body.join('\n')}\n</tbody></table>\n<p class="muted">Training time: the summed wall time of the finished runs, from start to end. A pre-training reused from an earlier experiment is counted there.</p>`;
}

function reproduceSection(table: Table1, report: Table1Report): string {
  const x = report.experiment;
  const d = report.dataset;
  const command = `npm run experiment -- --preset ${x.preset} --dataset ${x.datasetId} --labels ${x.labelCounts.join(',')} --repeats ${x.repeats}`;
  const backends = report.backends.length ? report.backends.map((b) => `${b.name} (${b.runs} run${b.runs === 1 ? '' : 's'}${b.reasons.length ? `: ${b.reasons.join('; ')}` : ''})`).join(' · ') : 'no run has started';
  const runRows = report.runs.map(
    (r) =>
      `<tr><td class="num">${r.id}</td><td>${e(r.kind)}</td><td class="num">${e(r.labelCount)}</td><td class="num">${r.repeat === null ? '—' : r.repeat + 1}</td><td class="num">${r.seed}</td><td>${e(r.status)}</td><td>${e(r.backend)}</td></tr>`,
  );
  return [
    '<h2>How to reproduce</h2>',
    `<p>Run the same plan on the dataset with the same fingerprint. From the command line (the plan below is authoritative if it overrides the preset):</p>`,
    `<pre>${e(command)}</pre>`,
    '<h3>Experiment</h3>',
    definitions([
      ['Id', x.id],
      ['Name', x.name],
      ['Preset', x.preset],
      ['Status', x.status],
      ['Label counts', x.labelCounts.join(', ')],
      ['Repeats', x.repeats],
      ['Pre-training run', x.pretrainRunId === null ? '—' : `#${x.pretrainRunId}`],
      ['SSL runs in Table 1', table.runIds.length ? table.runIds.map((id) => `#${id}`).join(', ') : '—'],
      ['Created', x.createdAt],
      ['Finished', x.finishedAt ?? '—'],
    ]),
    '<h3>Dataset</h3>',
    d
      ? definitions([
          ['Id', d.id],
          ['Name', d.name],
          ['Source', d.synthetic ? 'synthetic (generated, not CMU-MOSEI)' : d.source],
          ['Segments / videos / frames', `${d.segments} / ${d.videos} / ${d.frames}`],
          ['Features per frame', d.features],
          ['Fingerprint', d.fingerprint],
        ])
      : `<p>The dataset ${e(x.datasetId)} is no longer in the store.</p>`,
    '<h3>Backend and software</h3>',
    definitions([['Training backend', backends], ...report.versions.map((v): [string, unknown] => [v.name, v.version])]),
    '<h3>Where the runs trained</h3>',
    hostsTable(report),
    '<h3>Plan (full configuration)</h3>',
    `<pre id="plan">${e(JSON.stringify(report.plan, null, 2))}</pre>`,
    '<h3>Runs</h3>',
    `<table id="runs"><thead><tr><th class="num">Run</th><th>Kind</th><th class="num">Labels</th><th class="num">Repeat</th><th class="num">Seed</th><th>Status</th><th>Backend</th></tr></thead><tbody>\n${runRows.join('\n')}\n</tbody></table>`,
  ].join('\n');
}

export function table1Html(table: Table1, report: Table1Report): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(`${table1Title(table)} · experiment #${table.experimentId} ${table.experimentName}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    tableSection(table),
    conclusionsSection(report),
    figuresSection(report),
    reproduceSection(table, report),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
