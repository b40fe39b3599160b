import type { ExperimentHost, HostJobCounts } from '../api/entities';
import { formatDuration } from '../format';

/**
 * The per-host breakdown of an experiment's runs in words, as the Experiments view, the
 * command line and the HTML report show it: one row per machine, each kind's runs by state,
 * and the summed training time of the finished ones.
 */
export interface HostRowText {
  host: string;
  pretrain: string;
  baseline: string;
  finetune: string;
  /** Summed wall time of its finished runs, start to end. */
  time: string;
}

export const HOST_KINDS = [
  ['pretrain', 'Pre-trainings'],
  ['baseline', 'Baselines'],
  ['finetune', 'Fine-tunes'],
] as const;

export function hostLabel(h: Pick<ExperimentHost, 'host' | 'thisMachine'>): string {
  if (h.thisMachine) return `this machine (${h.host})`;
  return h.host === null ? 'on the cluster, no worker yet' : `worker on ${h.host}`;
}

/** "2 done, 1 running, 3 queued"; the cluster's row says "waiting for a worker"; a dash when there are none. */
export function countsText(c: HostJobCounts, waitingRow = false): string {
  const parts = [
    c.done ? `${c.done} done` : '',
    c.running ? `${c.running} running` : '',
    c.queued ? `${c.queued} ${waitingRow ? 'waiting for a worker' : 'queued'}` : '',
    c.stopped ? `${c.stopped} stopped` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : '—';
}

export function hostSeconds(h: ExperimentHost): number {
  return h.pretrain.seconds + h.baseline.seconds + h.finetune.seconds;
}

export function hostRows(hosts: readonly ExperimentHost[]): HostRowText[] {
  return hosts.map((h) => {
    const waitingRow = !h.thisMachine && h.host === null;
    return {
      host: hostLabel(h),
      pretrain: countsText(h.pretrain, waitingRow),
      baseline: countsText(h.baseline, waitingRow),
      finetune: countsText(h.finetune, waitingRow),
      time: waitingRow ? '—' : formatDuration(hostSeconds(h)),
    };
  });
}

/** One line per host for the command line: "this machine (lab-pc): pre-trainings 1 done; baselines —; fine-tunes 24 done; training time 3 min 05 s". */
export function hostLines(hosts: readonly ExperimentHost[]): string[] {
  return hostRows(hosts).map((r) => `${r.host}: ${HOST_KINDS.map(([k, name]) => `${name.toLowerCase()} ${r[k]}`).join('; ')}; training time ${r.time}`);
}
