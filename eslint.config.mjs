import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layers (docs/architecture.md): imports go one way. Each folder of controller/ lists the folders it may
 * import; everything else is forbidden, so a new upward import fails lint instead of a review.
 *   model <- specfiles; model <- plan (pure: the spec-loading stage pulls in fs, ajv and yaml);
 *   model <- aws <- observe <- export (which also uses plan's normalizers); telemetry <- model only;
 *   all of these <- reconcile <- cli.
 */
const LAYERS = ['model', 'specfiles', 'plan', 'aws', 'observe', 'export', 'reconcile', 'telemetry', 'cli'];
const MAY_IMPORT = {
  model: [],
  specfiles: ['model'],
  plan: ['model'],
  aws: ['model'],
  observe: ['model', 'aws'],
  export: ['model', 'aws', 'observe', 'plan'],
  telemetry: ['model'],
  reconcile: ['model', 'specfiles', 'plan', 'aws', 'observe', 'export', 'telemetry'],
  cli: LAYERS.filter((l) => l !== 'cli'),
};
// Node built-ins that do I/O or read the clock's environment: not in the pure layers.
const IO_MODULES = ['fs', 'fs/*', 'net', 'http', 'https', 'child_process', 'os', 'worker_threads'].flatMap(
  (m) => [m, `node:${m}`],
);
const PURE_LAYERS = new Set(['model', 'plan']);
const layerRules = LAYERS.map((layer) => {
  const forbidden = LAYERS.filter((l) => l !== layer && !MAY_IMPORT[layer].includes(l));
  const patterns = [];
  if (forbidden.length > 0) {
    patterns.push({
      group: forbidden.flatMap((l) => [`../${l}`, `../${l}/*`, `../../${l}`, `../../${l}/*`]),
      message: `controller/${layer}/ may import only ${MAY_IMPORT[layer].join(', ') || 'its own folder'} (see the layer list in eslint.config.mjs).`,
    });
  }
  // The SDK's types reach the layers above aws/ through model/aws-types.ts only.
  if (layer !== 'aws') {
    patterns.push({
      group: ['@aws-sdk/*'],
      message: 'Import AWS SDK types from controller/model/aws-types.ts; only controller/aws/ uses the SDK.',
    });
  }
  if (PURE_LAYERS.has(layer)) {
    patterns.push({ group: IO_MODULES, message: `controller/${layer}/ is pure: no I/O.` });
  }
  return {
    files: [`controller/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'jest.config.js', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // ignoreRestSiblings: `const { dropped, ...kept } = x` is how a copy leaves fields out.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  ...layerRules,
  {
    // The one place the model names the SDK's types.
    files: ['controller/model/aws-types.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Plain CommonJS launchers (bin/, scripts/*.js): no type information, Node globals.
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
        Buffer: 'readonly',
      },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
