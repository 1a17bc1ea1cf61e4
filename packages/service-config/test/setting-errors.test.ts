import { expect } from 'chai';
import { ConfigError } from '@ricochet/core';
import { asSetting, asSettingAsync, sourceOf } from '@ricochet/service-config';
import { configErrorOf, required, resolve } from './helpers.js';

describe('naming settings in errors raised after resolution', () => {
  const config = resolve('dlq', {
    flags: required.dlq,
    environment: { RICOCHET_STORE: 'sqlite:./a.db' },
  });

  it('names a setting by where its value came from, or by its flag for a default', () => {
    expect(sourceOf(config, 'archiver.store')).to.equal('RICOCHET_STORE');
    expect(sourceOf(config, 'registry')).to.equal('--registry');
    expect(sourceOf(config, 'sasl.password')).to.equal('RICOCHET_SASL_PASSWORD');
  });

  it("renames a library's ConfigError to the setting, keeping its problem and cause", () => {
    const cause = new Error('disk');
    const error = configErrorOf(() =>
      asSetting('RICOCHET_STORE', () => {
        throw new ConfigError('store', 'the SQLite path is empty', { cause });
      }),
    );
    expect(error.message).to.equal('RICOCHET_STORE: the SQLite path is empty');
    expect(error.cause).to.equal(cause);
  });

  it('passes other errors and results through', async () => {
    expect(asSetting('--store', () => 42)).to.equal(42);
    const failure = new TypeError('not a config problem');
    let caught: unknown;
    await asSettingAsync('--store', () => Promise.reject(failure)).catch((error: unknown) => {
      caught = error;
    });
    expect(caught).to.equal(failure);
  });
});
