import type { ClusterStatus } from '@shared/api/entities';
import { counted } from '@shared/format';
import type { EventSink } from '../platform/events';
import type { ClusterDispatch } from '../cluster/clusterDispatch';

/** One line per change of the cluster a command uses: Redis reached or not, its workers; and where remote runs start. */
export function clusterLine(status: ClusterStatus): string {
  if (status.state !== 'connected') return `Cluster ${status.redis}: ${status.state === 'connecting' ? 'connecting' : `unreachable (${status.error ?? 'no answer'}); retrying, and training here meanwhile`}`;
  const workers = status.workers.map((w) => `${w.host} (${w.backend}, ${w.poolSize} at once)`).join(', ');
  return `Cluster ${status.redis}: ${counted(status.workers.length, 'worker')}${workers ? `: ${workers}` : ' (pre-trainings and baselines train here until one holds the dataset)'}`;
}

export function followCluster(cluster: ClusterDispatch, events: EventSink, log: (line: string) => void): void {
  let last = clusterLine(cluster.status());
  log(last);
  events.subscribe((name, payload) => {
    if (name === 'cluster.status') {
      const line = clusterLine(payload as ClusterStatus);
      if (line !== last) log((last = line));
    }
    if (name === 'run.status') {
      const s = payload as { runId: number; status: string };
      const where = cluster.hostOf(s.runId);
      if (s.status === 'running' && where) log(`Run #${s.runId} started on ${where}`);
    }
    if (name === 'log') {
      const l = payload as { level: string; message: string };
      if (l.level === 'warn' && /on the cluster|started again on/.test(l.message)) log(`Warning: ${l.message}`);
    }
  });
}
