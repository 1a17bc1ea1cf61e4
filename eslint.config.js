import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const portOnly = 'Use the port in @ricochet/kafka; only that package talks to the client.';
const kafkaClientPaths = { group: ['kafkajs/*', '@ricochet/kafka/kafkajs'], message: portOnly };
const internals = {
  group: ['@ricochet/*/internal'],
  message: 'A package exports ./internal for its own tests; import its public entry point.',
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.state/**', 'infra/kafka/libs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        TextDecoder: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // The console's one browser script: the browser's globals, and Chart.js's from its UMD file.
    files: ['packages/console/static/**'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        document: 'readonly',
        window: 'readonly',
        fetch: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Chart: 'readonly',
      },
    },
  },
  {
    // The Kafka client is touched only in @ricochet/kafka (its port); a package's ./internal
    // entry point exists for its tests, never for other packages' code.
    files: ['packages/*/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kafkajs', message: portOnly }],
          patterns: [kafkaClientPaths, internals],
        },
      ],
    },
  },
  {
    // The package that is the port.
    files: ['packages/kafka/src/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [internals] }] },
  },
  {
    // The bench's kafkajs baselines measure kafkajs itself, so they drive its client: through the
    // port's own ./kafkajs entry, which exists for them, never by importing kafkajs.
    files: [
      'packages/bench/src/sides/kafkajs-consume.ts',
      'packages/bench/src/sides/async-retry.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kafkajs', message: portOnly }],
          patterns: [{ group: ['kafkajs/*'], message: portOnly }, internals],
        },
      ],
    },
  },
  {
    files: ['scripts/**', 'test/**', 'packages/*/test/**', 'packages/cli/src/**'],
    rules: { 'no-console': 'off' },
  },
);
