'use strict';
/*
 * The layers of src/, top first. A module may import from its own layer and from layers below it, never from a layer
 * above: one call flows one way, down. `src/index.ts` (the entry) sits above every layer; `src/version.ts` below all.
 * Checked by `npm test` (depcruise --config test/architecture/layers.cjs src); ARCHITECTURE.md draws the same list.
 */
const LAYERS = [
  ['testing', 'the harness of otel-facade/testing: an in-memory runtime and what it recorded'],
  ['api', 'the public functions: recording, lifecycle, tracing helpers, middleware'],
  ['global', 'the slot on globalThis shared by copies of the package, and its compatibility check'],
  ['runtime', 'the composition root built by initialize(), and the idle runtime'],
  ['export', 'one pipeline per signal: chunking, transport, breaker guard, Prometheus endpoint'],
  ['tracing', 'the TracerProvider side: spans, sampler, baggage limits'],
  ['metrics', 'the pure metric store: series table, recording, snapshots, sweep'],
  ['protection', 'limiters, circuit breaker, PII redaction'],
  ['health', 'counters, export status, the Health shape'],
  ['diagnostics', 'the library\'s voice'],
  ['config', 'configuration types, profiles, environment, validation'],
];

const upward = LAYERS.map(([layer], i) => ({
  name: `${layer}-imports-downward-only`,
  comment: `src/${layer}/ may import only from ${LAYERS.slice(i).map(([l]) => l).join(', ')} (and version.ts)`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: i === 0 ? '^src/index\\.ts$' : `^src/(${LAYERS.slice(0, i).map(([l]) => l).join('|')})/|^src/index\\.ts$` },
})).filter((rule) => rule.to.path !== '');

const config = {
  forbidden: [
    ...upward,
    {
      name: 'version-is-a-leaf',
      comment: 'src/version.ts is read by every layer and imports nothing of ours',
      severity: 'error',
      from: { path: '^src/version\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'no-circular',
      comment: 'modules do not depend on each other in a cycle',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unknown-folder',
      comment: 'every module of src/ belongs to a layer (add a new folder to LAYERS in test/architecture/layers.cjs)',
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/(${LAYERS.map(([l]) => l).join('|')})/`, '^src/index\\.ts$', '^src/version\\.ts$', '^src/esm/'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/esm/' },
  },
};

module.exports = config;
// For the test that checks the rules catch what they should (not part of dependency-cruiser's schema).
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });
