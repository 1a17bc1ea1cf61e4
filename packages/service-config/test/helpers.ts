import { expect } from 'chai';
import { ConfigError } from '@ricochet/core';
import {
  type ConfigInput,
  type ServiceConfigFor,
  type ServiceRole,
  type TlsFileRead,
} from '@ricochet/service-config';
import { parseConfigText, resolveServiceConfig } from '@ricochet/service-config/internal';

export interface TestInput {
  readonly flags?: Record<string, unknown>;
  readonly environment?: Record<string, string | undefined>;
  /** YAML text of a file named config.yaml. */
  readonly yaml?: string;
  readonly tlsFiles?: Record<string, TlsFileRead>;
  readonly isTerminal?: boolean;
  readonly now?: number;
}

/** The settings every role needs, so that a test can vary one thing. */
export const required: Record<ServiceRole, Record<string, unknown>> = {
  main: { brokers: 'kafka:9092', topic: ['orders'], group: 'billing', handler: './handler.mjs' },
  delay: { brokers: 'kafka:9092', tier: '5s' },
  dlq: { brokers: 'kafka:9092' },
};

export function inputOf(input: TestInput): ConfigInput {
  return {
    flags: input.flags ?? {},
    environment: input.environment ?? {},
    file: input.yaml === undefined ? undefined : parseConfigText(input.yaml, 'config.yaml'),
    tlsFiles: new Map(Object.entries(input.tlsFiles ?? {})),
    isTerminal: input.isTerminal,
    now: input.now,
  };
}

export function resolve<Role extends ServiceRole>(
  role: Role,
  input: TestInput = {},
): ServiceConfigFor<Role> {
  return resolveServiceConfig(role, inputOf(input));
}

/** The ConfigError resolving throws; fails the test when it resolves instead. */
export function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail('expected a ConfigError');
}

export const pem = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
