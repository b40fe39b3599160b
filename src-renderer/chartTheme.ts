import { Chart } from 'chart.js';

/** A CSS variable of the document's current theme. */
export function themeColour(name: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * Charts take their text and grid colours from the theme: the defaults every chart resolves its
 * options from, then every chart drawn so far redrawn with them.
 */
export function applyChartTheme(): void {
  Chart.defaults.color = themeColour('--muted', '#5d6675');
  Chart.defaults.borderColor = themeColour('--line', '#dde1e7');
  for (const chart of Object.values(Chart.instances)) chart.update('none');
}
