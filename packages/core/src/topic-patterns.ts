import { ConfigError } from './errors.js';
import { topicNameCharacters } from './topic-names.js';

/** A topic name in which `*` stands for any run of characters (none included). */
const topicPatternSyntax = new RegExp(`^[${topicNameCharacters}*]+$`);

/** Which topics a list of patterns admits. */
export interface TopicPatterns {
  /** The patterns as given, for messages and logs. */
  readonly patterns: readonly string[];
  matches(topic: string): boolean;
}

/**
 * Compiles topic patterns such as `orders`, `orders.*` or `*-events`: globs, not regular
 * expressions, as a topic name's own `.` would otherwise match any character. A pattern matches
 * the whole name. Throws a ConfigError naming `field` for an empty list or a pattern with a
 * character no topic name has.
 */
export function compileTopicPatterns(patterns: readonly string[], field: string): TopicPatterns {
  if (patterns.length === 0) {
    throw new ConfigError(field, 'name at least one topic or pattern, e.g. orders or orders.*');
  }
  const expressions = patterns.map((pattern) => {
    if (!topicPatternSyntax.test(pattern)) {
      throw new ConfigError(
        field,
        `"${pattern}" is not a topic pattern; use letters, digits, ".", "_", "-" and * for any run of characters`,
      );
    }
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.]/g, '\\.'))
      .join('.*');
    return new RegExp(`^${source}$`);
  });
  return {
    patterns: [...patterns],
    matches: (topic) => expressions.some((expression) => expression.test(topic)),
  };
}
