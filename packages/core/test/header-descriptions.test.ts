import { expect } from 'chai';
import {
  ConnectDeadLetterHeader,
  headerDescriptions,
  RetryHeader,
  SpringDeadLetterHeader,
  WaitingHeader,
} from '../src/index.js';

describe('headerDescriptions', () => {
  it('explains every header of the three dead-letter contracts', () => {
    const names = [
      ...Object.values(RetryHeader),
      ...Object.values(WaitingHeader),
      ...Object.values(SpringDeadLetterHeader),
      ...Object.values(ConnectDeadLetterHeader),
    ];
    expect(names.filter((name) => !headerDescriptions.has(name))).to.deep.equal([]);
  });

  it('says who writes each', () => {
    expect(headerDescriptions.get(RetryHeader.tryCount)?.source).to.equal('ricochet');
    expect(headerDescriptions.get(SpringDeadLetterHeader.originalOffset)?.source).to.equal(
      'spring',
    );
    expect(headerDescriptions.get(ConnectDeadLetterHeader.stage)?.source).to.equal('connect');
  });
});
