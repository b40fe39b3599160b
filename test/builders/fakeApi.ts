import type { EventName, RequestName } from '@shared/api/channels';
import type { Api } from '../../src-renderer/api/client';

/** A scripted Api for store specs: answers from a table and lets a test emit events. */
export function fakeApi(answers: Partial<Record<RequestName, (params: unknown) => unknown>>) {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const calls: Array<{ name: RequestName; params: unknown }> = [];
  const api: Api = {
    async request(name, params) {
      calls.push({ name, params });
      const answer = answers[name];
      if (!answer) throw new Error(`fakeApi: no answer for ${name}`);
      return answer(params) as never;
    },
    on(name, listener) {
      const set = listeners.get(name) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(name, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
  return {
    api,
    calls,
    emit(name: EventName, payload: unknown) {
      for (const l of listeners.get(name) ?? []) l(payload);
    },
  };
}
