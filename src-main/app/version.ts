/** Injected by the build from package.json; tests and scripts fall back to a marker. */
declare const __WORKBENCH_VERSION__: string | undefined;
export const WORKBENCH_VERSION = typeof __WORKBENCH_VERSION__ === 'string' ? __WORKBENCH_VERSION__ : '0.0.0-dev';
