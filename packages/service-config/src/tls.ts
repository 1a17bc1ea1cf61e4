import { X509Certificate } from 'node:crypto';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { ConfigError } from '@ricochet/core';
import type { ConfigInput } from './config-input.js';
import { givenValue, type SettingReader } from './precedence.js';
import { spellingsOf, type SettingKey } from './settings.js';
import type { TlsFiles } from './types.js';
import { booleanValue, textValue } from './values.js';

const tlsFileKeys = ['tls.caFile', 'tls.certFile', 'tls.keyFile'] as const;

/**
 * The paths of the TLS files the settings name, for the edge to read before resolving. Lenient on
 * purpose: a bad value is left for resolution to report with everything else.
 */
export function tlsFilePaths(input: ConfigInput): string[] {
  return tlsFileKeys.flatMap((key) => {
    const value = givenValue(key, input)?.value;
    return typeof value === 'string' && value.trim() !== '' ? [value.trim()] : [];
  });
}

export interface ResolvedTls {
  readonly tls: TlsFiles | undefined;
  readonly ssl: true | TlsConnectionOptions | undefined;
}

export function resolveTls(reader: SettingReader, input: ConfigInput): ResolvedTls {
  const enabled = reader.read('tls.enabled', booleanValue, false);
  const files: TlsFiles = {
    caFile: reader.read('tls.caFile', textValue, undefined),
    certFile: reader.read('tls.certFile', textValue, undefined),
    keyFile: reader.read('tls.keyFile', textValue, undefined),
  };
  const named = tlsFileKeys.filter((key) => fileOf(files, key) !== undefined);
  const firstNamed = named[0];
  if (!enabled) {
    if (firstNamed !== undefined) {
      // A file alone does not switch TLS on: the contract's default is off, and guessing would
      // hide a layer (environment, file) that turned it off on purpose.
      throw new ConfigError(
        reader.sourceOf(firstNamed),
        `names a TLS file, but TLS is off; turn it on with ${spellingsOf('tls.enabled')}`,
      );
    }
    return { tls: undefined, ssl: undefined };
  }
  requirePair(reader, files, 'tls.certFile', 'tls.keyFile', 'a client certificate needs its key');
  requirePair(reader, files, 'tls.keyFile', 'tls.certFile', 'a client key needs its certificate');
  if (firstNamed === undefined) {
    return { tls: files, ssl: true };
  }
  const contents = (key: SettingKey, path: string | undefined) =>
    path === undefined ? undefined : readPem(reader.sourceOf(key), path, input);
  const ca = contents('tls.caFile', files.caFile);
  const cert = contents('tls.certFile', files.certFile);
  if (cert !== undefined && input.now !== undefined) {
    checkValidity(reader.sourceOf('tls.certFile'), files.certFile!, cert, input.now);
  }
  const key = contents('tls.keyFile', files.keyFile);
  return {
    tls: files,
    ssl: {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
    },
  };
}

function fileOf(files: TlsFiles, key: (typeof tlsFileKeys)[number]): string | undefined {
  return key === 'tls.caFile'
    ? files.caFile
    : key === 'tls.certFile'
      ? files.certFile
      : files.keyFile;
}

function requirePair(
  reader: SettingReader,
  files: TlsFiles,
  present: 'tls.certFile' | 'tls.keyFile',
  partner: 'tls.certFile' | 'tls.keyFile',
  problem: string,
): void {
  if (fileOf(files, present) !== undefined && fileOf(files, partner) === undefined) {
    throw new ConfigError(
      reader.sourceOf(present),
      `${problem}: set ${spellingsOf(partner)} as well`,
    );
  }
}

/**
 * A client certificate out of its validity period is refused by the broker with a TLS alert that
 * does not say why (certificate_unknown): said here, before connecting, with the dates.
 */
function checkValidity(source: string, path: string, pem: string, now: number): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    throw new ConfigError(source, `${path} holds no readable certificate`, { cause: error });
  }
  const notAfter = Date.parse(certificate.validTo);
  const notBefore = Date.parse(certificate.validFrom);
  if (now > notAfter) {
    throw new ConfigError(
      source,
      `the certificate in ${path} (${certificate.subject.replaceAll('\n', ', ')}) expired on ${new Date(notAfter).toISOString()}`,
    );
  }
  if (now < notBefore) {
    throw new ConfigError(
      source,
      `the certificate in ${path} (${certificate.subject.replaceAll('\n', ', ')}) is not valid before ${new Date(notBefore).toISOString()}`,
    );
  }
}

function readPem(source: string, path: string, input: ConfigInput): string {
  const read = input.tlsFiles?.get(path);
  if (read === undefined) {
    // The caller's mistake, not the user's: the edge reads every path tlsFilePaths returns.
    throw new Error(`the TLS file ${path} was not read; pass it in tlsFiles (see tlsFilePaths)`);
  }
  if ('problem' in read) {
    throw new ConfigError(source, `cannot read ${path}: ${read.problem}`);
  }
  // Node's TLS would refuse a DER file much later, with a message that names no file.
  if (!read.contents.includes('-----BEGIN ')) {
    throw new ConfigError(source, `${path} is not a PEM file (it has no -----BEGIN line)`);
  }
  return read.contents;
}
