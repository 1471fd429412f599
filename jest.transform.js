/**
 * How jest turns the TypeScript of test/, controller/ and bench/ into JavaScript: @swc/jest, which
 * only strips types (types are checked once by `tsc --noEmit`, which `npm test` runs first; tsconfig
 * sets isolatedModules, so every file transpiles on its own). It replaced ts-jest in transpile-only
 * mode: the unit project went from 75 s to 52 s on 2 cores with a cold cache, as on every CI run.
 * ES2022 as in tsconfig.json: class fields stay native, with the same semantics as tsc's output.
 */
module.exports = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};
