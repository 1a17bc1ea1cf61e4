import { expect } from 'chai';
import { credentialsFromEnvironment } from '@ricochet/console';
import { isLoopbackHost } from '@ricochet/console/internal';
import { ConfigError } from '@ricochet/core';
import { normaliseErrorMessage, topErrorMessages } from '../src/insight.js';

describe('normaliseErrorMessage', () => {
  it('counts one failure with varying ids, numbers and quoted values as one message', () => {
    expect(normaliseErrorMessage('order 17 timed out after 5003 ms')).to.equal(
      normaliseErrorMessage('order 42 timed out after 5001 ms'),
    );
    expect(
      normaliseErrorMessage(
        'user "bob" 3f2b8c1e-9d4a-4e6f-8a7b-1c2d3e4f5a6b at https://x.io/a?b=1',
      ),
    ).to.equal('user <text> <uuid> at <url>');
  });

  it('groups records by it, largest group first, with the newest as example', () => {
    const groups = topErrorMessages(
      [
        { id: 1, errorMessage: 'a 1' },
        { id: 2, errorMessage: 'b' },
        { id: 3, errorMessage: 'a 2' },
      ],
      5,
    );
    expect(groups).to.deep.equal([
      { message: 'a <n>', count: 2, exampleId: 3 },
      { message: 'b', count: 1, exampleId: 2 },
    ]);
  });
});

describe('console credentials', () => {
  it('reads tokens and users with their roles', () => {
    const credentials = credentialsFromEnvironment({
      RICOCHET_CONSOLE_OPERATOR_TOKEN: 'a'.repeat(16) + ',' + 'b'.repeat(20),
      RICOCHET_CONSOLE_USERS: 'ann:viewer:pass:with:colons',
    });
    expect(credentials.tokens.map((token) => token.role)).to.deep.equal(['operator', 'operator']);
    expect(credentials.users.map((user) => [user.name, user.role])).to.deep.equal([
      ['ann', 'viewer'],
    ]);
  });

  it('names the variable of a bad secret', () => {
    const bad: Array<[NodeJS.ProcessEnv, string]> = [
      [{ RICOCHET_CONSOLE_VIEWER_TOKEN: 'short' }, 'RICOCHET_CONSOLE_VIEWER_TOKEN'],
      [{ RICOCHET_CONSOLE_USERS: 'ann:admin:password1' }, 'RICOCHET_CONSOLE_USERS entry 1'],
      [{ RICOCHET_CONSOLE_USERS: 'ann:viewer:short' }, 'RICOCHET_CONSOLE_USERS entry 1'],
    ];
    for (const [environment, field] of bad) {
      expect(() => credentialsFromEnvironment(environment))
        .to.throw(ConfigError)
        .with.property('field', field);
    }
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].every(isLoopbackHost)).to.equal(
      true,
    );
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].some(isLoopbackHost)).to.equal(false);
  });
});
