import { derived, readable, writable, type Readable } from 'svelte/store';

export type ThemePreference = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'mosei-workbench-theme';

/**
 * The colour theme: the user's choice (kept in this browser's storage) or, by default, the
 * operating system's (prefers-color-scheme, followed live). The effective theme is set on the
 * document as data-theme, which app.css reads.
 */
export function createThemeStore(env: { storage?: Pick<Storage, 'getItem' | 'setItem'>; media?: Pick<MediaQueryList, 'matches' | 'addEventListener'> } = {}) {
  const stored = env.storage?.getItem(STORAGE_KEY);
  const preference = writable<ThemePreference>(stored === 'light' || stored === 'dark' ? stored : 'system');
  const systemDark: Readable<boolean> = readable(env.media?.matches ?? false, (set) => {
    const onChange = (e: { matches: boolean }) => set(e.matches);
    env.media?.addEventListener('change', onChange as (e: MediaQueryListEvent) => void);
  });
  const effective = derived([preference, systemDark], ([p, dark]): Theme => (p === 'system' ? (dark ? 'dark' : 'light') : p));
  return {
    preference: { subscribe: preference.subscribe },
    effective,
    choose(p: ThemePreference) {
      preference.set(p);
      env.storage?.setItem(STORAGE_KEY, p);
    },
  };
}
export type ThemeStore = ReturnType<typeof createThemeStore>;
