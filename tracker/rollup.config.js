// Builds dist/t.js (the script tag), dist/t-v.js (the Web Vitals chunk), dist/index.js (ESM
// for bundlers) with dist/react.js (@cairn/tracker/react, which shares index.js's tracker), and
// dist/server.js (@cairn/tracker/server) with dist/nestjs.js (@cairn/tracker/nestjs, on server.js)
// and dist/integration.js (@cairn/tracker/integration, the integration-key API for app servers).
// Size matters for t.js: see `npm run size`.
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const ts = () => typescript({ tsconfig: './tsconfig.build.json', declaration: false, emitDeclarationOnly: false, noEmit: false, outDir: 'dist' });
// t.js declares with `let` only: terser joins neighbouring `let` declarations into one, which it
// cannot do across `const` and `let`. Safe: TypeScript has already rejected any write to a const.
const letOnly = () => ({
  name: 'let-only',
  renderChunk(code) {
    const starts = [];
    const visit = (node) => {
      if (node?.type == 'VariableDeclaration' && node.kind == 'const') starts.push(node.start);
      for (const child of Object.values(node ?? {})) if (child && typeof child == 'object') (Array.isArray(child) ? child : [child]).forEach(visit);
    };
    visit(this.parse(code));
    // From the end, so that earlier positions stay valid; 'let  ' keeps the length of 'const'.
    for (const at of starts.sort((a, b) => b - a)) code = `${code.slice(0, at)}let  ${code.slice(at + 5)}`;
    return code;
  },
});
// The tiny t.js gets every size trick; bundled libraries (web-vitals) only safe ones.
const min = (tight = false) =>
  terser({
    ecma: 2020,
    toplevel: true,
    compress: tight ? { passes: 5, unsafe: true, unsafe_arrows: true, unsafe_methods: true, unsafe_comps: true, pure_getters: true, booleans_as_integers: true, keep_fargs: false } : { passes: 2 },
    format: { comments: false },
  });

export default [
  { input: 'src/script.ts', output: { file: 'dist/t.js', format: 'iife', strict: false }, plugins: [ts(), letOnly(), min(true)] },
  { input: 'src/vitals-script.ts', output: { file: 'dist/t-v.js', format: 'iife', strict: false }, plugins: [resolve(), ts(), min()] },
  // The peers (react) stay imports: the app's own copy is the one used.
  {
    input: { index: 'src/index.ts', react: 'src/react.ts' },
    external: ['react'],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    plugins: [resolve(), ts(), min()],
  },
  // @cairn/tracker/server, /nestjs and /integration: for Node and other server runtimes, not minified (stack
  // traces stay readable); the Nest packages and rxjs are the app's own, node: built-ins the runtime's.
  {
    input: { server: 'src/server.ts', nestjs: 'src/nestjs.ts', integration: 'src/integration.ts' },
    external: [/^@nestjs\//, /^rxjs/, 'reflect-metadata', /^node:/],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    plugins: [ts()],
  },
];
