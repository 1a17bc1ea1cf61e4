import { resolve } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '@ricochet/core';
import { defaultStoreUrl, parseStoreUrl } from '@ricochet/archive';
import { redactStoreUrl } from '@ricochet/archive/internal';

describe('parseStoreUrl', () => {
  it('reads SQLite paths, relative to the working directory, and :memory:', () => {
    expect(parseStoreUrl(defaultStoreUrl)).to.deep.equal({
      kind: 'sqlite',
      path: resolve('ricochet-dlq.db'),
    });
    expect(parseStoreUrl('sqlite:/var/lib/ricochet/dlq.db')).to.deep.equal({
      kind: 'sqlite',
      path: '/var/lib/ricochet/dlq.db',
    });
    expect(parseStoreUrl('sqlite::memory:')).to.deep.equal({ kind: 'sqlite', path: ':memory:' });
  });

  it('reads PostgreSQL URLs, taking the schema parameter for itself', () => {
    expect(
      parseStoreUrl('postgresql://u:p@db:5433/dlq?schema=ricochet&sslmode=require'),
    ).to.deep.equal({
      kind: 'postgres',
      connectionString:
        'postgresql://u:p@db:5433/dlq?sslmode=require&options=-c+search_path%3Dricochet',
      schema: 'ricochet',
    });
    const withOptions = parseStoreUrl('postgres://db/dlq?options=-c%20work_mem%3D8MB&schema=s');
    expect(
      withOptions.kind === 'postgres' &&
        new URL(withOptions.connectionString).searchParams.get('options'),
    ).to.equal('-c work_mem=8MB -c search_path=s');
    expect(parseStoreUrl('postgres://db/dlq')).to.deep.equal({
      kind: 'postgres',
      connectionString: 'postgres://db/dlq',
      schema: undefined,
    });
  });

  it('names the bad URL, without its password', () => {
    const error = (() => {
      try {
        parseStoreUrl('mongodb://admin:hunter2@db/dlq');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).field).to.equal('store');
    expect((error as ConfigError).message).to.include('mongodb://admin:***@db/dlq');
    expect((error as ConfigError).message).not.to.include('hunter2');
  });
});

describe('redactStoreUrl', () => {
  it('hides passwords in URLs, in parameters and in text that is not a URL', () => {
    expect(redactStoreUrl('postgres://u:p%40ss@db/dlq')).to.equal('postgres://u:***@db/dlq');
    expect(redactStoreUrl('postgres://u@db/dlq?password=pw')).to.equal(
      'postgres://u@db/dlq?password=***',
    );
    expect(redactStoreUrl('postgres://u:pw@bad host/dlq')).to.equal(
      'postgres://u:***@bad host/dlq',
    );
    expect(redactStoreUrl('sqlite:./ricochet-dlq.db')).to.equal('sqlite:./ricochet-dlq.db');
  });
});
