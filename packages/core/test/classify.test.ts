import { expect } from 'chai';
import fc from 'fast-check';
import {
  ConfigError,
  NonRetryableError,
  classifyError,
  describeError,
  type ErrorClassifier,
  classifyDecodeError,
  RicochetError,
} from '@ricochet/core';
import { maxErrorMessageLength, maxErrorStackLength } from '@ricochet/core/internal';
import { isWellFormed } from './helpers.js';

describe('classifyError', () => {
  it('calls a NonRetryableError non-retryable', () => {
    expect(classifyError(new NonRetryableError('bad payload'))).to.equal('non-retryable');
  });

  it('calls a subclass of NonRetryableError non-retryable', () => {
    class PoisonPill extends NonRetryableError {}
    expect(classifyError(new PoisonPill('poison'))).to.equal('non-retryable');
  });

  it('calls any other error retryable', () => {
    expect(classifyError(new Error('timeout'))).to.equal('retryable');
    expect(classifyError(new TypeError('undefined is not a function'))).to.equal('retryable');
    expect(classifyError(new ConfigError('x', 'y'))).to.equal('retryable');
  });

  it('calls a non-Error throw retryable', () => {
    for (const thrown of ['boom', null, undefined, 42, { name: 'NonRetryableError' }]) {
      expect(classifyError(thrown), String(thrown)).to.equal('retryable');
    }
  });

  it('calls an error non-retryable when the classifier says so', () => {
    const classifier: ErrorClassifier = (error) =>
      error instanceof RangeError ? 'non-retryable' : undefined;
    expect(classifyError(new RangeError('amount < 0'), classifier)).to.equal('non-retryable');
  });

  it("falls back to Ricochet's rule when the classifier returns undefined", () => {
    const classifier: ErrorClassifier = () => undefined;
    expect(classifyError(new Error('timeout'), classifier)).to.equal('retryable');
    expect(classifyError(new NonRetryableError('bad'), classifier)).to.equal('non-retryable');
  });

  it('lets the classifier call an error retryable', () => {
    expect(classifyError(new Error('timeout'), () => 'retryable')).to.equal('retryable');
  });

  it('hands the classifier the thrown value itself', () => {
    const thrown = { status: 503 };
    const seen: unknown[] = [];
    classifyError(thrown, (error) => {
      seen.push(error);
      return undefined;
    });
    expect(seen).to.have.length(1);
    expect(seen[0]).to.equal(thrown);
  });

  it('does not let a classifier make a NonRetryableError retryable', () => {
    let called = false;
    const verdict = classifyError(new NonRetryableError('bad'), () => {
      called = true;
      return 'retryable';
    });
    expect(verdict).to.equal('non-retryable');
    expect(called).to.equal(false);
  });

  it('recognises a NonRetryableError-named error from another class (another copy of the package)', () => {
    class NonRetryableError extends Error {
      constructor(message: string) {
        super(message);
        this.name = 'NonRetryableError';
      }
    }
    const foreign = new NonRetryableError('from another copy');
    expect(foreign).not.to.be.instanceOf(ConfigError);
    expect(classifyError(foreign)).to.equal('non-retryable');

    const renamed = Object.assign(new Error('renamed'), { name: 'NonRetryableError' });
    expect(classifyError(renamed, () => 'retryable')).to.equal('non-retryable');
  });
});

describe('describeError', () => {
  it('describes an Error by its name, message and stack', () => {
    const error = new Error('timeout');
    const description = describeError(error);
    expect(description.className).to.equal('Error');
    expect(description.message).to.equal('timeout');
    expect(description.stack).to.equal(error.stack);
    expect(description.stack).to.include('timeout');
  });

  it('uses the name of a built-in or Ricochet error class', () => {
    expect(describeError(new TypeError('x')).className).to.equal('TypeError');
    expect(describeError(new NonRetryableError('x')).className).to.equal('NonRetryableError');
    expect(describeError(new ConfigError('tiers', 'x')).className).to.equal('ConfigError');
  });

  it('uses a custom name the error class sets', () => {
    class PaymentDeclined extends Error {
      override name = 'PaymentDeclined';
    }
    expect(describeError(new PaymentDeclined('card expired')).className).to.equal(
      'PaymentDeclined',
    );
  });

  it('falls back to the constructor name when the name is empty', () => {
    class Timeout extends Error {}
    const error = new Timeout('slow');
    error.name = '';
    expect(describeError(error).className).to.equal('Timeout');
  });

  it('describes an Error with no message or stack as empty texts', () => {
    const error = new Error();
    delete error.stack;
    const description = describeError(error);
    expect(description.message).to.equal('');
    expect(description.stack).to.equal('');
  });

  it(`bounds the message to ${maxErrorMessageLength} characters`, () => {
    const description = describeError(new Error('x'.repeat(50_000)));
    expect(description.message).to.have.length(maxErrorMessageLength);
    expect(description.message.endsWith('…')).to.equal(true);
    expect(description.message.slice(0, -1)).to.equal('x'.repeat(maxErrorMessageLength - 1));
  });

  it('leaves a message of exactly the bound intact', () => {
    const message = 'y'.repeat(maxErrorMessageLength);
    expect(describeError(new Error(message)).message).to.equal(message);
  });

  it('does not split an emoji at the message bound', () => {
    for (const padding of [maxErrorMessageLength - 3, maxErrorMessageLength - 2]) {
      const message = `${'a'.repeat(padding)}${'😀'.repeat(10)}`;
      const described = describeError(new Error(message)).message;
      expect(described.length).to.be.at.most(maxErrorMessageLength);
      expect(isWellFormed(described), `padding ${padding}`).to.equal(true);
      expect(described.endsWith('…')).to.equal(true);
    }
  });

  it(`bounds the stack to ${maxErrorStackLength} characters`, () => {
    const error = new Error('deep');
    error.stack = `Error: deep\n${'    at frame (file.ts:1:1)\n'.repeat(1_000)}`;
    const description = describeError(error);
    expect(description.stack).to.have.length(maxErrorStackLength);
    expect(description.stack.startsWith('Error: deep\n')).to.equal(true);
    expect(description.stack.endsWith('…')).to.equal(true);
  });

  it('describes a thrown string', () => {
    expect(describeError('boom')).to.deep.equal({
      className: 'string',
      message: 'boom',
      stack: '',
    });
  });

  it('describes a thrown null and undefined', () => {
    expect(describeError(null)).to.deep.equal({ className: 'null', message: 'null', stack: '' });
    expect(describeError(undefined)).to.deep.equal({
      className: 'undefined',
      message: 'undefined',
      stack: '',
    });
  });

  it('describes a thrown object, number and bigint', () => {
    expect(describeError({ code: 'E42' })).to.deep.equal({
      className: 'object',
      message: '[object Object]',
      stack: '',
    });
    expect(describeError({ toString: () => 'custom failure' }).message).to.equal('custom failure');
    expect(describeError(42)).to.deep.equal({ className: 'number', message: '42', stack: '' });
    expect(describeError(10n).className).to.equal('bigint');
  });

  it('bounds the message of a thrown string', () => {
    expect(describeError('z'.repeat(5_000)).message).to.have.length(maxErrorMessageLength);
  });

  it('does not throw for a thrown object that cannot be turned into a string', () => {
    const bare = Object.create(null) as object;
    const hostile = {
      toString(): string {
        throw new Error('no');
      },
    };
    for (const thrown of [bare, hostile]) {
      const description = describeError(thrown);
      expect(description.className).to.equal('object');
      expect(description.message).to.be.a('string');
      expect(description.stack).to.equal('');
    }
  });

  it('does not throw for an Error whose fields are not strings', () => {
    const error = new Error('x');
    Object.assign(error, { message: 42, stack: { frames: [] }, name: 7 });
    const description = describeError(error);
    expect(description.className).to.equal('7');
    expect(description.message).to.equal('42');
    expect(description.stack).to.be.a('string');
  });
});

/** Thrown values whose every inspection runs hostile code: getters, Proxy traps, revocation. */
function hostileThrowables(): unknown[] {
  const throwing = (): never => {
    throw new Error('hostile');
  };
  const nameThrows = new Error('x');
  Object.defineProperty(nameThrows, 'name', { get: throwing });
  const everyFieldThrows = new Error('x');
  // stack first: redefining it formats the stack, which reads the name.
  for (const field of ['stack', 'name', 'message', 'constructor']) {
    Object.defineProperty(everyFieldThrows, field, { get: throwing });
  }
  const revoked = Proxy.revocable(new Error('x'), {});
  revoked.revoke();
  const revokedPlain = Proxy.revocable({}, {});
  revokedPlain.revoke();
  const trapsThrow = new Proxy(new Error('x'), {
    get: throwing,
    getPrototypeOf: throwing,
    has: throwing,
    ownKeys: throwing,
    getOwnPropertyDescriptor: throwing,
  });
  const errorLikeTrapsThrow = new Proxy(new Error('x'), { get: throwing });
  const nameIsRevoked = Object.assign(new Error('x'), { name: revokedPlain.proxy });
  return [
    nameThrows,
    everyFieldThrows,
    revoked.proxy,
    revokedPlain.proxy,
    trapsThrow,
    errorLikeTrapsThrow,
    nameIsRevoked,
  ];
}

describe('describeError with hostile throwables', () => {
  it('describes an Error whose name getter throws by its class', () => {
    const error = new Error('x');
    Object.defineProperty(error, 'name', {
      get: () => {
        throw new Error('hostile');
      },
    });
    expect(describeError(error).className).to.equal('Error');
    expect(describeError(error).message).to.equal('x');
  });

  it('describes a revoked Proxy without throwing', () => {
    const revoked = Proxy.revocable(new Error('x'), {});
    revoked.revoke();
    expect(describeError(revoked.proxy)).to.deep.equal({
      className: 'object',
      message: '[unprintable value]',
      stack: '',
    });
  });

  it('never throws and stays bounded for any value, hostile or not, and the classifiers neither', () => {
    const hostile = hostileThrowables();
    // Picked by index: fast-check itself inspects the values it generates, and a revoked Proxy
    // would throw inside fast-check.
    const anyOrHostile = fc.oneof(
      fc.anything().map((value) => ({ index: undefined, value })),
      fc.nat({ max: hostile.length - 1 }).map((index) => ({ index, value: undefined })),
    );
    fc.assert(
      fc.property(anyOrHostile, ({ index, value }) => {
        const thrown = index === undefined ? value : hostile[index];
        const description = describeError(thrown);
        expect(description.className).to.be.a('string').with.length.above(0);
        expect(description.message.length).to.be.at.most(maxErrorMessageLength);
        expect(description.stack.length).to.be.at.most(maxErrorStackLength);
        expect(classifyError(thrown)).to.be.oneOf(['retryable', 'non-retryable']);
        expect(classifyDecodeError(thrown)).to.be.oneOf(['retryable', 'non-retryable']);
      }),
    );
  });
});

describe('classifyDecodeError', () => {
  it('holds a decode failure to be the value’s (non-retryable) unless the decoder marks it retriable', () => {
    expect(classifyDecodeError(new SyntaxError('not JSON'))).to.equal('non-retryable');
    expect(classifyDecodeError(new NonRetryableError('unknown schema id'))).to.equal(
      'non-retryable',
    );
    expect(classifyDecodeError('a thrown string')).to.equal('non-retryable');
    expect(classifyDecodeError(Object.assign(new Error('down'), { retriable: 'yes' }))).to.equal(
      'non-retryable',
    );
    const unavailable = new RicochetError('registry down', { code: 'X', retriable: true });
    expect(classifyDecodeError(unavailable)).to.equal('retryable');
  });
});
