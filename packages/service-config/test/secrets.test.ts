import { expect } from 'chai';
import { parseConfigText } from '@ricochet/service-config/internal';
import { configErrorOf, required, resolve, type TestInput } from './helpers.js';

const password = 'hunter2-do-not-print';
const withPassword = { RICOCHET_SASL_PASSWORD: password };
const sasl = { ...required.dlq, 'sasl-mechanism': 'plain', 'sasl-username': 'svc' };

describe('service config never repeats a secret', () => {
  const failures: [string, TestInput][] = [
    ['the password given without a mechanism', { flags: required.dlq, environment: withPassword }],
    ['another setting wrong', { flags: { ...sasl, 'http-port': 'x' }, environment: withPassword }],
    [
      'a missing username',
      { flags: { ...required.dlq, 'sasl-mechanism': 'plain' }, environment: withPassword },
    ],
    [
      'the password in the file as a list',
      { flags: sasl, yaml: `sasl:\n  password: [${password}]` },
    ],
    ['the password in the file as a number', { flags: sasl, yaml: 'sasl:\n  password: 123456789' }],
    ['the password under a misspelt key', { flags: sasl, yaml: `sasl:\n  pasword: ${password}` }],
    ['the password flag', { flags: { ...sasl, 'sasl-password': password } }],
  ];
  for (const [problem, input] of failures) {
    it(`when the problem is ${problem}`, () => {
      const error = configErrorOf(() => resolve('dlq', input));
      expect(error.message).to.not.include(password);
      expect(error.message).to.not.include('123456789');
    });
  }

  it('refuses the password as a flag, saying where it belongs', () => {
    const error = configErrorOf(() =>
      resolve('dlq', { flags: { ...sasl, 'sasl-password': password } }),
    );
    expect(error.field).to.equal('--sasl-password');
    expect(error.message).to.include('set RICOCHET_SASL_PASSWORD or sasl.password');
  });

  it('when the file around the password does not parse (the parser would quote the line)', () => {
    for (const [text, name] of [
      [`sasl:\n  password: "${password}\n`, 'c.yaml'],
      [`sasl: {password: ${password}\n`, 'c.yaml'],
      [`{"sasl": {"password": ${password}}}`, 'c.json'],
      [`{"sasl": {"password": "${password}"} "x": 1}`, 'c.json'],
    ] as const) {
      const error = configErrorOf(() => parseConfigText(text, name));
      expect(error.message, text).to.not.include(password);
      expect(error.message, text).to.match(/at line \d+, column \d+/);
    }
  });

  it('when a store or registry URL is refused', () => {
    const store = configErrorOf(() =>
      resolve('dlq', { flags: { ...required.dlq, store: `mysql://u:${password}@db/x` } }),
    );
    expect(store.message).to.include('mysql://u:***@db/x');
    const registry = configErrorOf(() =>
      resolve('dlq', { flags: { ...required.dlq, registry: `ftp://u:${password}@r` } }),
    );
    expect(registry.message).to.not.include(password);
  });
});
