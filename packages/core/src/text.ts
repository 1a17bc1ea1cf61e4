// ignoreBOM keeps a leading U+FEFF: the decoder would otherwise strip it, and header text must
// read back exactly as it was written.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8, or returns undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Cuts text to at most `maxLength` UTF-16 units without splitting a surrogate pair (which would
 * turn into U+FFFD once encoded), marking the cut with an ellipsis.
 */
export function truncateText(text: string, maxLength: number): string {
  if (text.length <= maxLength) {
    return text;
  }
  if (maxLength < 1) {
    return ''; // not even the ellipsis fits
  }
  let end = Math.max(0, maxLength - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) {
    end -= 1;
  }
  return `${text.slice(0, end)}…`;
}

/**
 * Beyond the control characters (\p{Cc}: C0, DEL and C1) a terminal acts on instead of showing
 * (ESC starts OSC 52 clipboard writes, OSC 8 hyperlinks, title changes and screen clears; CR
 * overwrites a line; U+009B is a one-character CSI): the bidirectional marks, embeddings,
 * overrides and isolates that reorder what a line seems to say, and the Unicode line and
 * paragraph separators.
 */
const formattingControls = '\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

const terminalControl = new RegExp(`[\\p{Cc}${formattingControls}]`, 'gu');

/** The same set less line feed and tab, for text shown on several lines (a stack, a value). */
const terminalControlButLineBreaks = new RegExp(`(?![\\n\\t])[\\p{Cc}${formattingControls}]`, 'gu');

/** What JSON.stringify leaves raw although a terminal acts on it: all but C0 (it escapes C0). */
const terminalControlInJson = new RegExp(`[\\u007f-\\u009f${formattingControls}]`, 'gu');

function visibleEscape(character: string): string {
  const code = character.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

function jsonEscape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Text safe to print on a terminal: every control character a terminal would act on is written
 * out visibly (`\x1b`, `\u202e`), so a person sees the attempt instead of its effect. With
 * `keepLineBreaks`, line feeds and tabs stay as they are (carriage returns are still escaped).
 */
export function escapeTerminalText(
  text: string,
  options: { keepLineBreaks?: boolean } = {},
): string {
  return text.replace(
    options.keepLineBreaks === true ? terminalControlButLineBreaks : terminalControl,
    visibleEscape,
  );
}

/**
 * JSON text (from JSON.stringify) safe to print on a terminal and still the same JSON: the
 * controls JSON.stringify leaves raw (DEL, C1, bidirectional controls, U+2028/9) become `\uXXXX`.
 */
export function escapeTerminalJson(json: string): string {
  return json.replace(terminalControlInJson, jsonEscape);
}
