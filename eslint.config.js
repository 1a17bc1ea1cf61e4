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
    files: ['scripts/**', 'test/**', 'packages/*/test/**', 'packages/cli/src/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The Kafka client is touched only in packages/kafka; tests may act on the cluster as an
    // outside party. The benchmark's kafkajs baselines measure kafkajs itself, and the roles'
    // consumers are built from the kafkajs client until the consumer port replaces them.
    files: ['packages/*/src/**'],
    ignores: [
      'packages/kafka/src/**',
      'packages/bench/src/sides/kafkajs-consume.ts',
      'packages/bench/src/sides/async-retry.ts',
      'packages/main-consumer/src/main-consumer.ts',
      'packages/delay-consumer/src/delay-consumer.ts',
      'packages/dlq-archiver/src/dlq-archiver.ts',
      'packages/testing/src/kafka-helpers.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kafkajs', message: "Use @ricochet/kafka's own types and functions." },
            {
              name: '@ricochet/kafka/kafkajs',
              message: "Use @ricochet/kafka's own types and functions.",
            },
          ],
        },
      ],
    },
  },
);
