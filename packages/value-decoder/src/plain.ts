import { decodeUtf8 } from '@ricochet/core';
import { hexDump } from './hex-dump.js';
import { prettyJson } from './json-text.js';

export interface PlainDescription {
  readonly format: 'empty' | 'json' | 'text' | 'binary';
  readonly text: string;
}

/** Any control character except tab, line feed and carriage return (C0, DEL and C1). */
const unreadableControl = /(?![\t\n\r])\p{Cc}/u;

/** Text a person can read on a terminal: no control characters but tab and line breaks. */
export function isReadableText(text: string): boolean {
  return !unreadableControl.test(text);
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Describes a value that no registry is involved in: JSON, readable text, or bytes. */
export function describePlain(value: Buffer): PlainDescription {
  if (value.length === 0) {
    return { format: 'empty', text: '(empty)' };
  }
  const text = decodeUtf8(value);
  if (text === undefined || !isReadableText(text)) {
    return { format: 'binary', text: hexDump(value) };
  }
  // JSON.parse also accepts surrounding whitespace and refuses raw control characters in
  // strings, so whatever passes here was readable text in the first place.
  if (parsesAsJson(text)) {
    return { format: 'json', text: prettyJson(text) };
  }
  return { format: 'text', text };
}
