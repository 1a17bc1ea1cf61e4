import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // The Kafka client is touched only in @ricochet/kafka (its port). The bench's baseline sides
    // are the exception by definition: they are plain kafkajs, measured against Ricochet.
    files: ['packages/*/src/**'],
    ignores: [
      'packages/kafka/src/**',
      'packages/bench/src/sides/kafkajs-consume.ts',
      'packages/bench/src/sides/async-retry.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kafkajs',
              message: 'Use the port in @ricochet/kafka; only that package talks to the client.',
            },
          ],
          patterns: [
            {
              group: ['kafkajs/*'],
              message: 'Use the port in @ricochet/kafka; only that package talks to the client.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**', 'test/**', 'packages/*/test/**', 'packages/cli/src/**'],
    rules: { 'no-console': 'off' },
  },
);
