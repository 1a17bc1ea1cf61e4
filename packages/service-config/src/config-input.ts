/** A parsed config file; `name` is the path as the user gave it, so errors name it that way. */
export interface ConfigFile {
  readonly name: string;
  /** What the YAML or JSON held: a mapping of settings, or null for an empty file. */
  readonly content: unknown;
}

/** A TLS file as the edge read it: the file reading stays out of the resolution. */
export type TlsFileRead = { readonly contents: string } | { readonly problem: string };

/** Everything resolution looks at. No I/O happens past this point. */
export interface ConfigInput {
  /** Parsed flags keyed by flag name without dashes (`http-port`), as yargs gives them. */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly file?: ConfigFile | undefined;
  /** The TLS files named by the settings (see `tlsFilePaths`), keyed by path. */
  readonly tlsFiles?: ReadonlyMap<string, TlsFileRead> | undefined;
  /**
   * Epoch milliseconds to check the client certificate's validity against (the edge gives the
   * clock's time); no check without it.
   */
  readonly now?: number | undefined;
  /** Whether logs go to a terminal: the default log format depends on it. */
  readonly isTerminal?: boolean | undefined;
}

/** A value some source gave, and that source as the user spelled it. */
export interface GivenValue {
  readonly value: unknown;
  readonly source: string;
}
