import { describe, expect, it } from 'vitest';
import { experimentResults } from '../../test/builders/resultsFixtures';
import { experimentFigureSvgs } from '../figures/experimentFigures';
import { HOSTILE_NAME, hostileTable } from '../../test/builders/table1Fixtures';
import { inlineSvg, table1Html, type Table1Report } from './table1Html';

const none = { done: 0, running: 0, queued: 0, stopped: 0, seconds: 0 };

function report(): Table1Report {
  const results = experimentResults(9);
  const experiment = { ...results.experiment, name: HOSTILE_NAME, datasetId: '<ds>' };
  return {
    experiment,
    plan: { labelCounts: [20, 50, 200], repeats: 2, pretrain: { note: '</pre><script>x</script>' } },
    dataset: {
      id: '<ds>', name: HOSTILE_NAME, source: 'import', synthetic: false, segments: 10, videos: 2, frames: 300, features: 74,
      nonFiniteReplaced: 0, fingerprint: 'fp-0123456789abcdef', createdAt: '2025-01-01T00:00:00.000Z', defaultSplit: null, control: null,
    },
    backends: [{ name: 'wasm', runs: 7, reasons: ['fallback: <tfjs-node> not installed'] }],
    versions: [
      { name: 'MOSEI SSL Workbench', version: '1.2.3' },
      { name: 'TensorFlow.js', version: '4.22.0' },
    ],
    runs: [{ id: 5, kind: 'finetune', labelCount: 200, repeat: 0, seed: 1, status: 'done', backend: 'wasm' }],
    hosts: [
      { host: 'lab<pc>', thisMachine: true, pretrain: none, baseline: none, finetune: { ...none, done: 6, seconds: 12 } },
      { host: 'gpu-01', thisMachine: false, pretrain: { ...none, done: 1, seconds: 600 }, baseline: { ...none, done: 5, running: 1, seconds: 300 }, finetune: none },
    ],
    conclusions: ['SSL beats the baseline at <20> labels & more.'],
    figures: experimentFigureSvgs({ ...results, experiment }),
  };
}

describe('the HTML report', () => {
  const html = table1Html(hostileTable(), report());

  it('escapes every text and carries no script', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('50% &amp; $x_1$ {y} ~ ^ \\');
    expect(html).not.toMatch(/\son\w+=/i);
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;');
  });

  it('loads nothing from elsewhere: no URL, and a CSP that forbids it', () => {
    expect(html).not.toMatch(/https?:|\/\/[a-z]/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('says where the runs trained, host by host, with this machine named as such', () => {
    expect(html).toContain('<h3>Where the runs trained</h3>\n<table id="hosts">');
    expect(html).toContain('<tr><td>this machine (lab&lt;pc&gt;)</td><td>—</td><td>—</td><td>6 done</td><td class="num">12 s</td></tr>');
    expect(html).toContain('<tr><td>worker on gpu-01</td><td>1 done</td><td>5 done, 1 running</td><td>—</td><td class="num">15 min 00 s</td></tr>');
  });

  it('says what the results support before the figures', () => {
    expect(html).toContain('<h2>What the results support</h2>\n<ul id="conclusions"><li>SSL beats the baseline at &lt;20&gt; labels &amp; more.</li></ul>\n<h2>Figures 4–7</h2>');
  });

  it('holds the table, its notes and Figures 4 to 7 inline', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<tr class="(runs|reference|literature)" data-source="(runs|reference|literature)">/g)).toHaveLength(hostileTable().rows.length);
    expect(html.match(/<tr class="reference" data-source="reference">/g)).toHaveLength(1);
    expect(html).toContain('<td class="num">0.771 ± 0.012 [0.741, 0.802]</td>');
    // The degenerate cell is marked, its footnote among the notes.
    expect(html).toContain('<td class="num flagged">0.773 ± 0.012 [0.743, 0.804]<sup class="flag" title="degenerate predictions: see the notes">†</sup></td>');
    expect(html).toContain('<strong>F1 definition.</strong>');
    for (const n of [4, 5, 6, 7]) expect(html).toContain(`<figure id="figure-${n}">`);
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).not.toContain('<?xml');
  });

  it('says how to reproduce it: plan, dataset fingerprint, backend and versions', () => {
    expect(html).toContain('fp-0123456789abcdef');
    expect(html).toContain('&quot;repeats&quot;: 2');
    expect(html).toContain('wasm (7 runs: fallback: &lt;tfjs-node&gt; not installed)');
    expect(html).toContain('<dt>TensorFlow.js</dt><dd>4.22.0</dd>');
    expect(html).toContain('npm run experiment -- --preset quick --dataset &lt;ds&gt; --labels 20,50,200 --repeats 2');
  });

  it('is the same every time for the same input', () => {
    expect(table1Html(hostileTable(), report())).toBe(html);
  });
});

describe('inlineSvg', () => {
  it('drops the XML prolog and the namespace URL', () => {
    expect(inlineSvg('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1">\n</svg>\n')).toBe('<svg role="img" width="1">\n</svg>');
  });
});
