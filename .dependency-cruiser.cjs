/**
 * Which way imports may flow. Inside src-main, from the bottom up:
 *   platform (events, processes, files, version) < config < store < data < training
 *   < experiments < export < app (composes the services and dispatches requests)
 *   < bridge (a transport of app's dispatch) < entry points (electron, cli, bench, tools, serve).
 * A folder imports its own layer and those below it. src-shared is the domain both sides
 * share and imports neither; the renderer and main never import each other; product
 * code never imports test builders or fixtures. Specs may compose across layers (an
 * integration spec starts a whole workbench) but never import the renderer from main.
 */
const layers = ['platform', 'config', 'store', 'data', 'training', 'experiments', 'export', 'app', 'bridge'];
const entryPoints = ['electron', 'cli', 'bench', 'tools', 'launcher', 'serve\\.ts'];

const upwardRules = layers.map((layer, i) => ({
  name: `${layer}-imports-only-below`,
  comment: `src-main/${layer} may import only ${layers.slice(0, i + 1).join(', ')} (and src-shared).`,
  severity: 'error',
  from: { path: `^src-main/${layer}/`, pathNot: '\\.spec\\.ts$' },
  to: { path: `^src-main/(${[...layers.slice(i + 1), ...entryPoints].join('|')})` },
}));

module.exports = {
  forbidden: [
    ...upwardRules,
    {
      name: 'shared-is-pure',
      comment: 'src-shared is imported by both sides and imports neither, nor Node built-ins.',
      severity: 'error',
      from: { path: '^src-shared/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(src-main|src-renderer)/|^node:|^(fs|path|os|child_process|worker_threads)$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'renderer-not-main',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/' },
    },
    {
      name: 'main-not-renderer',
      severity: 'error',
      from: { path: '^src-main/' },
      to: { path: '^src-renderer/' },
    },
    {
      name: 'product-not-test-code',
      comment: 'Test builders and fixtures live in test/; only specs and e2e import them.',
      severity: 'error',
      from: { path: '^src-(main|shared|renderer)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src-' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|node_modules|test-output)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.mts', '.mjs', '.js', '.svelte', '.json'] },
  },
};
