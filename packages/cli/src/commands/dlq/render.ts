import type { ArchivedHeader, ArchivedRecord } from '@ricochet/archive';
import { decodeUtf8, escapeTerminalText, truncateText } from '@ricochet/core';
import { isReadableText, type ValueDescription } from '@ricochet/value-decoder';
import { formatTable } from '../../table.js';

export function isoTime(epochMilliseconds: number | null): string {
  return epochMilliseconds === null ? '-' : new Date(epochMilliseconds).toISOString();
}

/** Bytes as text when they are printable UTF-8, else as `0x` hex. */
export function printableBytes(bytes: Buffer | null): string {
  if (bytes === null) {
    return '(null)';
  }
  const text = decodeUtf8(bytes);
  return text !== undefined && isReadableText(text) ? text : `0x${bytes.toString('hex')}`;
}

function position(record: ArchivedRecord): string {
  return record.originalTopic === null
    ? '-'
    : `${record.originalTopic}[${record.originalPartition ?? '?'}]@${record.originalOffset ?? '?'}`;
}

export function renderList(records: readonly ArchivedRecord[]): string {
  return formatTable(
    ['ID', 'ARCHIVED AT', 'ORIGINAL', 'GROUP', 'TRY', 'ERROR', 'REASON', 'STATUS'],
    records.map((record) => [
      String(record.id),
      isoTime(record.archivedAt),
      position(record),
      record.retryGroup ?? '-',
      record.tryCount === null ? '-' : String(record.tryCount),
      truncateText(
        `${record.errorClass ?? '?'}: ${(record.errorMessage ?? '').replace(/\s+/g, ' ')}`,
        60,
      ),
      record.deadLetterReason ?? '-',
      record.status,
    ]),
  );
}

function renderHeaders(headers: readonly ArchivedHeader[]): string {
  if (headers.length === 0) {
    return '  (none)';
  }
  return headers
    .map(
      (header) =>
        `  ${escapeTerminalText(header.name)}: ${escapeTerminalText(truncateText(printableBytes(header.value), 200))}`,
    )
    .join('\n');
}

/** Text on several lines, indented so that none of them can pass for the command's own output. */
function indented(text: string): string {
  return escapeTerminalText(text, { keepLineBreaks: true })
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

export function renderRecord(record: ArchivedRecord, value: ValueDescription): string {
  const fields: Array<[string, string]> = [
    ['id', String(record.id)],
    [
      'status',
      record.status +
        (record.replayCount > 0
          ? ` (replayed ${record.replayCount}x, last ${isoTime(record.replayedAt)})`
          : ''),
    ],
    ['archived at', isoTime(record.archivedAt)],
    ['original', position(record)],
    ['original time', isoTime(record.originalTimestamp)],
    ['retry group', record.retryGroup ?? '-'],
    ['try count', record.tryCount === null ? '-' : String(record.tryCount)],
    ['reason', record.deadLetterReason ?? '-'],
    ['error', `${record.errorClass ?? '?'}: ${record.errorMessage ?? ''}`],
    ['first failure', isoTime(record.firstFailureAt)],
    ['last failure', isoTime(record.lastFailureAt)],
    ['dead-letter at', `${record.dlqTopic}[${record.dlqPartition}]@${record.dlqOffset}`],
    ['key', printableBytes(record.key)],
  ];
  const width = Math.max(...fields.map(([name]) => name.length));
  const valueHeading = `value (${value.format}${value.schemaId === undefined ? '' : `, schema id ${value.schemaId}`})`;
  return [
    // Each field on its one line: a line break in what a record carried could forge a line.
    ...fields.map(([name, text]) => `${name.padEnd(width)}  ${escapeTerminalText(text)}`),
    '',
    'headers:',
    renderHeaders(record.headers),
    '',
    `${valueHeading}:`,
    indented(value.text),
    ...(value.decodeError === undefined
      ? []
      : ['', `could not decode: ${escapeTerminalText(value.decodeError)}`]),
    ...(record.errorStack ? ['', 'stack:', indented(record.errorStack)] : []),
  ].join('\n');
}
