import { describe, expect, it } from 'vitest';
import type { ExperimentHost, HostJobCounts } from '../api/entities';
import { countsText, hostLines, hostRows } from './hostBreakdown';

const none: HostJobCounts = { done: 0, running: 0, queued: 0, stopped: 0, seconds: 0 };
const c = (over: Partial<HostJobCounts>): HostJobCounts => ({ ...none, ...over });

const hosts: ExperimentHost[] = [
  { host: 'lab-pc', thisMachine: true, pretrain: none, baseline: none, finetune: c({ done: 20, running: 1, queued: 3, seconds: 65 }) },
  { host: 'gpu-01', thisMachine: false, pretrain: c({ done: 1, seconds: 3600 }), baseline: c({ done: 10, running: 2, stopped: 1, seconds: 1800 }), finetune: none },
  { host: null, thisMachine: false, pretrain: none, baseline: c({ queued: 4 }), finetune: none },
];

describe('the per-host breakdown in words', () => {
  it('names this machine, each worker and the runs waiting for one, kind by kind, with the training time of the finished runs', () => {
    expect(hostRows(hosts)).toEqual([
      { host: 'this machine (lab-pc)', pretrain: '—', baseline: '—', finetune: '20 done, 1 running, 3 queued', time: '1 min 05 s' },
      { host: 'worker on gpu-01', pretrain: '1 done', baseline: '10 done, 2 running, 1 stopped', finetune: '—', time: '1 h 30 min' },
      { host: 'on the cluster, no worker yet', pretrain: '—', baseline: '4 waiting for a worker', finetune: '—', time: '—' },
    ]);
  });

  it('gives the command line one line per host', () => {
    expect(hostLines(hosts.slice(0, 1))).toEqual(['this machine (lab-pc): pre-trainings —; baselines —; fine-tunes 20 done, 1 running, 3 queued; training time 1 min 05 s']);
    expect(countsText(none)).toBe('—');
  });
});
