import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ConfigError } from '@ricochet/core';
import { minimumTokenLength } from './defaults.js';

/** viewer: reads everything; operator: also replays and purges. */
export type Role = 'viewer' | 'operator';

/** Who a request comes from, as the audit records them. */
export interface Principal {
  readonly actor: string;
  readonly role: Role;
}

interface TokenCredential {
  readonly digest: Buffer;
  readonly role: Role;
  /** The actor the audit names: the role's token and a short fingerprint, never the token. */
  readonly actor: string;
}

interface UserCredential {
  readonly name: string;
  readonly digest: Buffer;
  readonly role: Role;
}

/** The console's secrets, read once at start-up from the environment. */
export interface Credentials {
  readonly tokens: readonly TokenCredential[];
  readonly users: readonly UserCredential[];
}

export const ConsoleEnvironment = {
  operatorToken: 'RICOCHET_CONSOLE_OPERATOR_TOKEN',
  viewerToken: 'RICOCHET_CONSOLE_VIEWER_TOKEN',
  users: 'RICOCHET_CONSOLE_USERS',
  sessionSecret: 'RICOCHET_CONSOLE_SESSION_SECRET',
} as const;

const roles: readonly Role[] = ['viewer', 'operator'];

/** Compared as digests: equal lengths for timingSafeEqual, whatever was typed. */
const digestOf = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

const sameSecret = (digest: Buffer, typed: string): boolean =>
  timingSafeEqual(digest, digestOf(typed));

/** A short, stable name for a token in the audit and the logs: it cannot be turned back into it. */
export function tokenFingerprint(token: string): string {
  return digestOf(token).toString('hex').slice(0, 8);
}

function readTokens(variable: string, text: string | undefined, role: Role): TokenCredential[] {
  if (text === undefined || text.trim() === '') {
    return [];
  }
  // Several, comma-separated, so a token can be rotated without a moment with none.
  return text.split(',').map((raw) => {
    const token = raw.trim();
    if (token.length < minimumTokenLength || /\s/.test(token)) {
      throw new ConfigError(
        variable,
        `each token must be at least ${minimumTokenLength} characters without spaces (comma-separated)`,
      );
    }
    return { digest: digestOf(token), role, actor: `${role}-token:${tokenFingerprint(token)}` };
  });
}

/**
 * `name:role:password`, entries separated by commas; the password is everything after the second
 * colon (it may hold colons, not commas).
 */
function readUsers(text: string | undefined): UserCredential[] {
  if (text === undefined || text.trim() === '') {
    return [];
  }
  const seen = new Set<string>();
  return text.split(',').map((entry, index) => {
    const match = /^\s*([A-Za-z0-9._@-]{1,64}):([a-z]+):(.+)$/.exec(entry);
    const where = `${ConsoleEnvironment.users} entry ${index + 1}`;
    if (match === null) {
      throw new ConfigError(where, 'must be name:role:password (name of letters, digits, ._@-)');
    }
    const [, name, role, password] = match as unknown as [string, string, string, string];
    if (!roles.includes(role as Role)) {
      throw new ConfigError(where, `role must be viewer or operator, got "${role}"`);
    }
    if (password.length < 8) {
      throw new ConfigError(where, 'the password must be at least 8 characters');
    }
    if (seen.has(name)) {
      throw new ConfigError(where, `user ${name} is named twice`);
    }
    seen.add(name);
    return { name, role: role as Role, digest: digestOf(password) };
  });
}

/** Reads the console's credentials; ConfigError naming the variable for a bad one. */
export function credentialsFromEnvironment(environment: NodeJS.ProcessEnv): Credentials {
  return {
    tokens: [
      ...readTokens(
        ConsoleEnvironment.operatorToken,
        environment[ConsoleEnvironment.operatorToken],
        'operator',
      ),
      ...readTokens(
        ConsoleEnvironment.viewerToken,
        environment[ConsoleEnvironment.viewerToken],
        'viewer',
      ),
    ],
    users: readUsers(environment[ConsoleEnvironment.users]),
  };
}

export function hasCredentials(credentials: Credentials): boolean {
  return credentials.tokens.length > 0 || credentials.users.length > 0;
}

/** Only these names reach the machine itself; anything else may be reached from the network. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') {
    return true;
  }
  if (isIP(bare) === 4) {
    return bare.startsWith('127.');
  }
  return bare === '::1';
}

/**
 * The rule for binding: on a loopback address the console may run open (whoever can reach it is
 * on this machine); on any other, a missing secret is a start-up error, not an open console.
 */
export function checkBind(host: string, credentials: Credentials): void {
  if (!isLoopbackHost(host) && !hasCredentials(credentials)) {
    throw new ConfigError(
      '--host',
      `${host} is not a loopback address, so the console needs authentication: set ` +
        `${ConsoleEnvironment.operatorToken}, ${ConsoleEnvironment.viewerToken} or ` +
        `${ConsoleEnvironment.users} (or bind 127.0.0.1)`,
    );
  }
}

/** The principal a token names, or undefined. */
export function principalForToken(credentials: Credentials, token: string): Principal | undefined {
  const found = credentials.tokens.find((credential) => sameSecret(credential.digest, token));
  return found === undefined ? undefined : { actor: found.actor, role: found.role };
}

/** The principal a name and password name, or undefined. */
export function principalForPassword(
  credentials: Credentials,
  name: string,
  password: string,
): Principal | undefined {
  // Every user is compared, so the time taken does not tell which names exist.
  let found: UserCredential | undefined;
  for (const user of credentials.users) {
    const matches = sameSecret(user.digest, password) && user.name === name;
    found = matches ? user : found;
  }
  return found === undefined ? undefined : { actor: found.name, role: found.role };
}

/**
 * An `Authorization` header: `Bearer <token>` or `Basic <base64 name:password>`. Undefined when
 * the header is absent; null when it is there but names nobody.
 */
export function principalForAuthorization(
  credentials: Credentials,
  header: string | undefined,
): Principal | undefined | null {
  if (header === undefined) {
    return undefined;
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer !== null) {
    return principalForToken(credentials, bearer[1]!) ?? null;
  }
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic !== null) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0
      ? null
      : (principalForPassword(credentials, decoded.slice(0, colon), decoded.slice(colon + 1)) ??
          null);
  }
  return null;
}

/** A signed-in browser's session, kept in a signed cookie: what it was signed in with. */
export interface SessionClaim {
  /** `t:<fingerprint>` for a token, `u:<name>` for a user. */
  readonly subject: string;
  readonly expiresAt: number;
}

export function sessionSubject(credentials: Credentials, principal: Principal): string {
  const token = credentials.tokens.find((credential) => credential.actor === principal.actor);
  return token === undefined ? `u:${principal.actor}` : `t:${principal.actor}`;
}

/**
 * The principal a session stands for now: its credential is looked up again, so a token or user
 * removed from the environment (and the console restarted) ends the sessions signed in with it.
 */
export function principalForSession(
  credentials: Credentials,
  claim: SessionClaim,
  now: number,
): Principal | undefined {
  if (claim.expiresAt <= now) {
    return undefined;
  }
  if (claim.subject.startsWith('t:')) {
    const actor = claim.subject.slice(2);
    const token = credentials.tokens.find((credential) => credential.actor === actor);
    return token === undefined ? undefined : { actor, role: token.role };
  }
  const name = claim.subject.slice(2);
  const user = credentials.users.find((credential) => credential.name === name);
  return user === undefined ? undefined : { actor: user.name, role: user.role };
}

export function encodeSession(claim: SessionClaim): string {
  return Buffer.from(JSON.stringify(claim), 'utf8').toString('base64url');
}

export function decodeSession(text: string): SessionClaim | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    const claim = parsed as Partial<SessionClaim>;
    return typeof claim.subject === 'string' && typeof claim.expiresAt === 'number'
      ? { subject: claim.subject, expiresAt: claim.expiresAt }
      : undefined;
  } catch {
    // A cookie that is not ours (it is signed, so only an old format could get here) is no session.
    return undefined;
  }
}
