/**
 * The boundaries of the repository, checked by `npm test` (scripts/test.ts: "boundaries"):
 * `npx depcruise collector tracker widgets plugins --config .dependency-cruiser.cjs`.
 * Each rule says why it exists; collector/ARCHITECTURE.md draws the layers.
 */
const COLLECTOR = '^collector/src/';
/** Folders of the collector below the HTTP layer: none of them may reach up into http/. */
const BELOW_HTTP = `${COLLECTOR}(accounts|sites|enrich|ingest|store|stats|rollup|protocol|mail|seed)/|${COLLECTOR}(config|errors|logger|maintenance|rate-limit|services|time)\\.ts$`;
const TESTS = '\\.(test|e2e\\.test)\\.ts$|\\.suite\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Files that import each other in a loop cannot be understood, tested or moved one at a time.',
      from: { path: '^(collector|tracker|widgets|plugins)/' },
      to: { circular: true },
    },
    {
      name: 'drivers-only-in-their-adapter',
      severity: 'error',
      comment: 'Only store/<adapter>/ may import a database driver (ARCHITECTURE.md §6): the rest of the collector speaks the Store interface.',
      from: { pathNot: `${COLLECTOR}store/duckdb/` },
      to: { path: 'node_modules/@duckdb/' },
    },
    {
      name: 'mongodb-driver-only-in-its-adapter',
      severity: 'error',
      comment: 'Only store/mongodb/ may import the MongoDB driver.',
      from: { pathNot: `${COLLECTOR}store/mongodb/` },
      to: { path: 'node_modules/mongodb/' },
    },
    {
      name: 'protocol-stands-alone',
      severity: 'error',
      comment: 'protocol/ is the wire format other packages read the types of: it imports nothing else of the collector.',
      from: { path: `${COLLECTOR}protocol/` },
      to: { path: COLLECTOR, pathNot: `${COLLECTOR}protocol/` },
    },
    {
      name: 'nothing-below-reaches-up-into-http',
      severity: 'error',
      comment: 'Domain code (accounts, sites, ingest, store, stats, …) is called by the HTTP layer, never the other way round.',
      from: { path: BELOW_HTTP, pathNot: TESTS },
      to: { path: `${COLLECTOR}(http|realtime|cli)/|${COLLECTOR}collector\\.ts$` },
    },
    {
      name: 'store-below-the-domain',
      severity: 'error',
      comment: 'The store implements the Store interface for the domain: it imports no domain folder.',
      from: { path: `${COLLECTOR}store/`, pathNot: TESTS },
      to: { path: `${COLLECTOR}(accounts|sites|enrich|ingest|stats|rollup|mail|seed)/` },
    },
    {
      name: 'packages-read-only-protocol-types',
      severity: 'error',
      comment:
        'The tracker, the widgets and the plugins talk to the collector over HTTP (STYLE.md): they import its protocol types only, never its code. Their tests may start a collector with @cairn/collector/testing.',
      from: { path: '^(tracker|widgets|plugins)/', pathNot: `${TESTS}|/testing/|/tests/` },
      to: { path: COLLECTOR, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'packages-read-only-the-protocol',
      severity: 'error',
      comment: 'Not even the types of collector internals: the protocol is the contract.',
      from: { path: '^(tracker|widgets|plugins)/', pathNot: `${TESTS}|/testing/|/tests/` },
      to: { path: COLLECTOR, pathNot: `${COLLECTOR}protocol/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.cache|fixture|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'], extensions: ['.ts', '.js', '.d.ts'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
