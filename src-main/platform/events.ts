import type { EventName } from '@shared/api/channels';
import type { EventPayload } from '@shared/api/contract';

/** Where services publish contract events; each transport subscribes and forwards. */
export class EventSink {
  private readonly listeners = new Set<(name: EventName, payload: unknown) => void>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) l(name, payload);
  }

  subscribe(listener: (name: EventName, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
