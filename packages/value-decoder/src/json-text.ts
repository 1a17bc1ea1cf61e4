const jsonWhitespace = new Set([' ', '\t', '\n', '\r']);
const closerOf: Readonly<Record<string, string>> = { '{': '}', '[': ']' };

function skipWhitespace(source: string, from: number): number {
  let index = from;
  while (index < source.length && jsonWhitespace.has(source.charAt(index))) {
    index += 1;
  }
  return index;
}

/** The index just past the string literal that opens at `start`. */
function stringEnd(source: string, start: number): number {
  let index = start + 1;
  while (index < source.length) {
    const char = source.charAt(index);
    if (char === '\\') {
      index += 2;
    } else if (char === '"') {
      return index + 1;
    } else {
      index += 1;
    }
  }
  return source.length;
}

/**
 * Re-indents JSON text (which JSON.parse has already accepted) with two spaces, copying every
 * token as written instead of round-tripping values through JSON.parse and JSON.stringify: that
 * would print 12345678901234567890 as 12345678901234567000 and keep only the last of duplicate
 * keys, and a person inspecting a record must see what is actually there. For ordinary JSON the
 * result is exactly what JSON.stringify(value, null, 2) gives.
 */
export function prettyJson(source: string): string {
  const parts: string[] = [];
  let depth = 0;
  const newline = (): string => `\n${'  '.repeat(depth)}`;
  let index = 0;
  while (index < source.length) {
    const char = source.charAt(index);
    if (char === '"') {
      const end = stringEnd(source, index);
      parts.push(source.slice(index, end));
      index = end;
      continue;
    }
    const closer = closerOf[char];
    if (closer !== undefined) {
      const next = skipWhitespace(source, index + 1);
      if (source.charAt(next) === closer) {
        parts.push(char, closer);
        index = next + 1;
        continue;
      }
      depth += 1;
      parts.push(char, newline());
    } else if (char === '}' || char === ']') {
      depth -= 1;
      parts.push(newline(), char);
    } else if (char === ',') {
      parts.push(',', newline());
    } else if (char === ':') {
      parts.push(': ');
    } else if (!jsonWhitespace.has(char)) {
      parts.push(char); // numbers, true, false, null
    }
    index += 1;
  }
  return parts.join('');
}
