// The settings entry only: the package's root loads the SQLite and PostgreSQL drivers.
import { defaultStatementTimeoutMs, defaultStoreUrl } from '@ricochet/archive/settings';
import {
  checkTopicName,
  compileTopicPatterns,
  ConfigError,
  defaultLadderText,
  formatTierLadder,
  parseDeadLetterGuard,
  parseTierLadder,
  parseTierReference,
} from '@ricochet/core';
// The roles' defaults entries only: their roots load the services themselves.
import {
  defaultMaxWaitMilliseconds,
  defaultReadAheadBytes,
  defaultReadAheadMilliseconds,
  delayGroupId,
} from '@ricochet/delay-consumer/defaults';
import {
  deadLetterFormats,
  defaultArchiverGroupId,
  defaultDeadLetterFormat,
} from '@ricochet/dlq-archiver/defaults';
import {
  defaultConsumerMaxWaitMilliseconds,
  defaultPublishTimeoutMilliseconds,
  maxPartitionsConsumedConcurrently,
} from '@ricochet/kafka';
import {
  defaultConcurrency,
  defaultFromBeginning,
  defaultMaxBytesPerPartition,
  defaultMaxInFlight,
  defaultMaxWaitingPerKey,
  defaultOnDeadLetter,
  defaultOrdering,
  defaultRedelivery,
  onDeadLetterChoices,
  orderings,
  redeliveryChoices,
} from '@ricochet/main-consumer/defaults';
import type { GivenValue } from './config-input.js';
import type { SettingReader } from './precedence.js';
import { defaultAllTiers } from './role-setting-definitions.js';
import { primarySpelling, spellingsOf, type SettingKey } from './settings.js';
import type { DelayServiceConfig, DlqServiceConfig, MainServiceConfig } from './types.js';
import {
  booleanValue,
  choiceValue,
  integerValue,
  listValue,
  redactUrl,
  shown,
  textValue,
} from './values.js';

export function resolveMainSettings(
  reader: SettingReader,
  dlqTopic: string,
): Pick<MainServiceConfig, 'group' | 'main' | 'publishTimeoutMs'> {
  const topicsGiven = required(reader, 'main.topics');
  const topics = [
    ...new Set(listValue(topicsGiven).map((topic) => checkTopicName(topic, topicsGiven.source))),
  ];
  const handler = textValue(required(reader, 'main.handler'));
  const tiersGiven = reader.given('tiers');
  const ladder = parseTierLadder(
    tiersGiven === undefined ? defaultLadderText : textValue(tiersGiven),
    tiersGiven?.source ?? 'tiers',
  );
  const internalTopics = new Set([dlqTopic, ...ladder.map((tier) => tier.topic)]);
  const internal = topics.find((topic) => internalTopics.has(topic));
  if (internal !== undefined) {
    throw new ConfigError(
      topicsGiven.source,
      `"${internal}" is a retry tier or the dead-letter topic, not a source topic`,
    );
  }
  const ordering = reader.read(
    'main.ordering',
    (value) => choiceValue(value, orderings),
    defaultOrdering,
  );
  const redelivery = reader.read(
    'main.redelivery',
    (value) => choiceValue(value, redeliveryChoices),
    defaultRedelivery,
  );
  if (redelivery === 'group' && ordering === 'key-strict') {
    throw new ConfigError(
      reader.sourceOf('main.redelivery'),
      `group does not work with ordering key-strict (${reader.sourceOf('main.ordering')}), whose blocked keys expect their retries on the source partition; use source`,
    );
  }
  return {
    main: {
      topics,
      handler,
      tiers: formatTierLadder(ladder),
      concurrency: reader.read(
        'main.concurrency',
        (value) => integerValue(value, 1, maxPartitionsConsumedConcurrently),
        defaultConcurrency,
      ),
      ordering,
      redelivery,
      onDeadLetter: reader.read(
        'main.onDeadLetter',
        (value) => choiceValue(value, onDeadLetterChoices),
        defaultOnDeadLetter,
      ),
      maxWaitingPerKey: reader.read(
        'main.maxWaitingPerKey',
        (value) => integerValue(value, 1),
        defaultMaxWaitingPerKey,
      ),
      maxInFlight: reader.read(
        'main.maxInFlight',
        (value) => integerValue(value, 1),
        defaultMaxInFlight,
      ),
      maxWaitMs: reader.read(
        'main.maxWaitMs',
        (value) => integerValue(value, 1),
        defaultConsumerMaxWaitMilliseconds,
      ),
      maxBytesPerPartition: reader.read(
        'main.maxBytesPerPartition',
        (value) => integerValue(value, 1),
        defaultMaxBytesPerPartition,
      ),
      // Undefined when not given: the main consumer owns the default.
      revokeGraceMs: reader.read(
        'main.revokeGraceMs',
        (value) => integerValue(value, 1),
        undefined,
      ),
      fromBeginning: reader.read('main.fromBeginning', booleanValue, defaultFromBeginning),
      // Undefined when not given: the main consumer owns the defaults.
      handlerTimeoutMs: reader.read(
        'main.handlerTimeoutMs',
        (value) => integerValue(value, 1),
        undefined,
      ),
      maxHandlerCrashes: reader.read(
        'main.maxHandlerCrashes',
        (value) => integerValue(value, 1),
        undefined,
      ),
      stallTimeoutMs: reader.read(
        'main.stallTimeoutMs',
        (value) => integerValue(value, 1),
        undefined,
      ),
      // Undefined when not given: no guard.
      deadLetterGuard: reader.read(
        'main.deadLetterGuard',
        (value) => parseDeadLetterGuard(textValue(value), value.source),
        undefined,
      ),
    },
    group: textValue(required(reader, 'group', 'main')),
    publishTimeoutMs: publishTimeoutMs(reader),
  };
}

export function resolveDelaySettings(
  reader: SettingReader,
  dlqTopic: string,
): Pick<DelayServiceConfig, 'delay' | 'publishTimeoutMs'> {
  const topics = delayTierTopics(reader);
  const bad = topics.find((topic) => topic.topic === dlqTopic);
  if (bad !== undefined) {
    throw new ConfigError(bad.source, `${bad.topic} is also the dead-letter topic`);
  }
  const groupGiven = reader.given('group');
  const onlyTier = topics.length === 1 ? topics[0] : undefined;
  if (groupGiven !== undefined && onlyTier === undefined) {
    throw new ConfigError(
      groupGiven.source,
      `names one consumer group, but ${topics.length} tiers are served and each keeps its own (${topics.map(({ topic }) => delayGroupId(topic)).join(', ')}); give it with a single --tier`,
    );
  }
  const tiers = topics.map(({ topic }) => ({
    topic,
    group:
      groupGiven !== undefined && onlyTier !== undefined
        ? textValue(groupGiven)
        : delayGroupId(topic),
  }));
  return {
    delay: {
      tiers,
      maxWaitMs: reader.read(
        'delay.maxWaitMs',
        (value) => integerValue(value, 1),
        defaultMaxWaitMilliseconds,
      ),
      readAheadMs: reader.read(
        'delay.readAheadMs',
        (value) => integerValue(value, 1),
        defaultReadAheadMilliseconds,
      ),
      readAheadBytes: reader.read(
        'delay.readAheadBytes',
        (value) => integerValue(value, 1),
        defaultReadAheadBytes,
      ),
      allowedTopics: reader.read('delay.allowedTopics', topicPatternsValue, undefined),
    },
    publishTimeoutMs: publishTimeoutMs(reader),
  };
}

interface NamedTier {
  readonly topic: string;
  /** Where it was named, for a message about it. */
  readonly source: string;
}

/**
 * The tier topics a delay process serves: those --tier names, or the whole ladder with
 * --all-tiers. The ladder is read only when given or needed: without it, --tier may name any tier
 * (a ladder of the main consumers' own that this process is not told of).
 */
function delayTierTopics(reader: SettingReader): NamedTier[] {
  const allGiven = reader.given('delay.allTiers');
  const all = allGiven === undefined ? defaultAllTiers : booleanValue(allGiven);
  const tierGiven = reader.given('delay.tier');
  const ladderGiven = reader.given('tiers');
  const ladder =
    ladderGiven === undefined && !all
      ? undefined
      : parseTierLadder(
          ladderGiven === undefined ? defaultLadderText : textValue(ladderGiven),
          ladderGiven?.source ?? 'tiers',
        );
  if (allGiven !== undefined && all) {
    if (tierGiven !== undefined) {
      throw new ConfigError(
        allGiven.source,
        `serves every tier of the ladder; it cannot be given with ${tierGiven.source}: give one or the other`,
      );
    }
    return (ladder ?? []).map(({ topic }) => ({ topic, source: allGiven.source }));
  }
  if (tierGiven === undefined) {
    throw new ConfigError(
      primarySpelling('delay.tier'),
      `required for delay unless ${primarySpelling('delay.allTiers')}; set ${spellingsOf('delay.tier')}`,
    );
  }
  const named: NamedTier[] = [];
  const entries = listValue(tierGiven);
  for (const [index, text] of entries.entries()) {
    const source = entries.length === 1 ? tierGiven.source : `${tierGiven.source}[${index}]`;
    const { topic } = parseTierReference(text, source);
    if (named.some((earlier) => earlier.topic === topic)) {
      throw new ConfigError(source, `${topic} is named twice; each tier is served once`);
    }
    if (ladder !== undefined && !ladder.some((tier) => tier.topic === topic)) {
      throw new ConfigError(
        source,
        `${topic} is not a tier of the ladder ${formatTierLadder(ladder)} (${ladderGiven?.source ?? 'tiers'})`,
      );
    }
    named.push({ topic, source });
  }
  return named;
}

export function resolveDlqSettings(
  reader: SettingReader,
): Pick<DlqServiceConfig, 'group' | 'archiver'> {
  return {
    archiver: {
      store: reader.read('archiver.store', storeUrlValue, defaultStoreUrl),
      statementTimeoutMs: reader.read(
        'archiver.statementTimeoutMs',
        (value) => integerValue(value, 1),
        defaultStatementTimeoutMs,
      ),
      maxWaitMs: reader.read(
        'archiver.maxWaitMs',
        (value) => integerValue(value, 1),
        defaultConsumerMaxWaitMilliseconds,
      ),
      format: reader.read(
        'archiver.format',
        (value) => choiceValue(value, deadLetterFormats),
        defaultDeadLetterFormat,
      ),
      registry: reader.read('registry', registryUrlValue, undefined),
    },
    group: reader.read('group', textValue, defaultArchiverGroupId),
  };
}

/** Checked here so that a bad pattern is refused at start-up, naming where it was given. */
function topicPatternsValue(given: GivenValue): string[] {
  const patterns = [...new Set(listValue(given))];
  compileTopicPatterns(patterns, given.source);
  return patterns;
}

/** The roles that hand records on (main, delay) give up after publishes kept failing this long. */
function publishTimeoutMs(reader: SettingReader): number {
  return reader.read(
    'publishTimeoutMs',
    (value) => integerValue(value, 1),
    defaultPublishTimeoutMilliseconds,
  );
}

function required(reader: SettingReader, key: SettingKey, role?: string): GivenValue {
  const given = reader.given(key);
  if (given === undefined) {
    throw new ConfigError(
      primarySpelling(key),
      `required${role === undefined ? '' : ` for ${role}`}; set ${spellingsOf(key)}`,
    );
  }
  return given;
}

/**
 * Only the scheme is checked here: @ricochet/archive reads the rest when the store opens. The
 * value is shown without its password.
 */
function storeUrlValue(given: GivenValue): string {
  const url = textValue(given);
  if (!url.startsWith('sqlite:') && !/^postgres(ql)?:\/\//i.test(url)) {
    throw new ConfigError(
      given.source,
      `expected sqlite:<path> or postgres://user@host/database, got ${shown(redactUrl(url))}`,
    );
  }
  return url;
}

function registryUrlValue(given: GivenValue): string {
  const url = textValue(given);
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ConfigError(
      given.source,
      `expected an http:// or https:// URL, got ${shown(redactUrl(url))}`,
    );
  }
  return url;
}
