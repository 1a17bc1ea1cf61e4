import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type ErrorClassifier } from '@ricochet/core';
import type { RecordHandler, ValueDecoder } from '@ricochet/main-consumer';

export interface HandlerModule {
  readonly handler: RecordHandler<unknown>;
  readonly classify: ErrorClassifier | undefined;
  readonly decode: ValueDecoder<unknown> | undefined;
}

/**
 * Loads the user's handler module: `export default` or `export const handler`, plus optional
 * `classify` and `decode`. `field` names the setting the path came from.
 */
export async function loadHandlerModule(path: string, field: string): Promise<HandlerModule> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(field, `cannot load ${path}`, { cause: error });
  }
  const handler = loaded.handler ?? loaded.default;
  if (typeof handler !== 'function') {
    throw new ConfigError(
      field,
      `${path} exports no handler function (export default or export const handler)`,
    );
  }
  const optionalFunction = <T>(name: string): T | undefined => {
    const value = loaded[name];
    if (value !== undefined && typeof value !== 'function') {
      throw new ConfigError(field, `${path} exports ${name}, but it is not a function`);
    }
    return value as T | undefined;
  };
  return {
    handler: handler as RecordHandler<unknown>,
    classify: optionalFunction<ErrorClassifier>('classify'),
    decode: optionalFunction<ValueDecoder<unknown>>('decode'),
  };
}
