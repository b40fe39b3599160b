import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import { createThemeStore } from './theme';

function fakeMedia(matches: boolean) {
  const listeners: Array<(e: { matches: boolean }) => void> = [];
  return {
    matches,
    addEventListener: (_: string, l: (e: { matches: boolean }) => void) => listeners.push(l),
    flip: (m: boolean) => listeners.forEach((l) => l({ matches: m })),
  };
}

describe('theme store', () => {
  it('follows the operating system until a theme is chosen, and keeps the choice', () => {
    const saved = new Map<string, string>();
    const storage = { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v) };
    const media = fakeMedia(false);
    const theme = createThemeStore({ storage, media: media as unknown as MediaQueryList });
    const seen: string[] = [];
    theme.effective.subscribe((t) => seen.push(t));
    media.flip(true);
    expect(get(theme.effective)).toBe('dark');
    theme.choose('light');
    media.flip(true);
    expect(get(theme.effective)).toBe('light');
    expect(seen).toEqual(['light', 'dark', 'light']);
    // A new window starts with the choice.
    expect(get(createThemeStore({ storage, media: fakeMedia(true) as unknown as MediaQueryList }).effective)).toBe('light');
    expect(get(createThemeStore({ storage }).preference)).toBe('light');
  });
});
