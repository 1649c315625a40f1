import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of packages/streams/src and what each may import (besides itself). The DSL builds the logical graph,
// the topology compiles it into the physical topology, the runtime runs that on stores and a backend. api/ and
// serde/ are importable from everywhere; nothing imports dsl/ but the entry points (src/index.ts) and testing/.
const streamsLayers = {
  api: [],
  serde: ['api'],
  state: ['api', 'serde'],
  backend: ['api', 'serde'],
  processor: ['api', 'serde', 'state'],
  graph: ['api', 'serde', 'state', 'processor'],
  topology: ['api', 'serde', 'state', 'processor', 'graph'],
  runtime: ['api', 'serde', 'state', 'processor', 'topology', 'backend'],
  dsl: ['api', 'serde', 'state', 'processor', 'graph', 'topology'],
  testing: ['api', 'serde', 'state', 'processor', 'topology', 'backend', 'runtime', 'dsl'],
};

const layerRules = Object.entries(streamsLayers).map(([layer, allowed]) => {
  const forbidden = Object.keys(streamsLayers).filter((other) => other !== layer && !allowed.includes(other));
  return {
    files: [`packages/streams/src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
              message: `${layer}/ may import only ${[...allowed, layer].join(', ')} (see packages/streams/ARCHITECTURE.md)`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'tools/kafka/libs/**', 'bench/work/**', '.kafka/**', 'data/**', '.tmp/**', 'bench/node_modules/**', 'api-docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', Response: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Promise rules need type information: a promise nobody awaits or catches turns an error into an unhandled
  // rejection (which ends the process) or loses it. TypeScript files only; the .mjs scripts have no project.
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test/describe/it return promises the runner itself awaits and reports.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  ...layerRules,
);
