import type { Params } from '@shared/api/contract';
import type { ChosenFile } from '@shared/api/entities';
import type { Api } from './client';

export type PickKind = Params<'app.pickPath'>['kind'];

/** The desktop's file dialog: the chosen file's one-time handle, or null when the dialog was closed. */
export type PickFile = (kind: PickKind, title: string, defaultName?: string) => Promise<ChosenFile | null>;

export function desktopFilePicker(api: Api): PickFile {
  return async (kind, title, defaultName) => (await api.request('app.pickPath', { kind, title, defaultName })).file;
}
