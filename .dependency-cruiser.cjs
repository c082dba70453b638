// The house rules for imports, checked by `npm run check` (npm run deps).
// - The harness (lib/, reporters/, suites/) never reaches into the rehearsal wing, the tests or
//   the benchmarks: it must run against a real backend with none of them present.
// - No cycles: a module knot makes every change ripple.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'harness-imports-rehearsal',
      severity: 'error',
      comment:
        'lib/, reporters/ and suites/ run against real backends: the rehearsal wing is handed in by scripts/cutover.ts (lib/runner/rehearsal-wing.ts).',
      from: { path: '^(lib|reporters|suites)/' },
      to: { path: '^(rehearsal|test|bench)/' },
    },
    {
      name: 'scripts-import-tests',
      severity: 'error',
      comment: 'The guarded scripts and the CLI entry ship to operators; tests and benchmarks do not.',
      from: { path: '^scripts/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'guarded-scripts-import-rehearsal',
      severity: 'error',
      comment: 'Only the CLI entry (scripts/cutover.ts) joins the harness and the rehearsal.',
      from: { path: '^scripts/', pathNot: '^scripts/cutover\\.ts$' },
      to: { path: '^rehearsal/' },
    },
    {
      name: 'frame-imports-its-users',
      severity: 'error',
      comment: 'lib/command/ is the frame the CLI and the guarded scripts stand on; it never reaches up into either.',
      from: { path: '^lib/command/' },
      to: { path: '^(lib/cli|lib/runner|scripts)/|^lib/guard/(args|script)\\.ts$' },
    },
    {
      name: 'core-imports-upwards',
      severity: 'error',
      comment: 'config, evidence, secrets and the runbook catalogue are what everything else builds on: they import only each other.',
      from: { path: '^lib/(config|secrets|runbook|evidence)' },
      to: { path: '^(lib|reporters|suites|scripts)/', pathNot: '^lib/(config|secrets|runbook|evidence|project-root)' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles tie modules into knots; move the shared part into a module of its own.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|reports)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
