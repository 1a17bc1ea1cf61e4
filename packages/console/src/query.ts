import type { ArchiveFilter, ArchiveStatus } from '@ricochet/archive';
import { ConfigError, parseTimeBound } from '@ricochet/core';

/** The Records page's form fields and the API's query parameters: the CLI's dlq list filters. */
export const filterFields = [
  'topic',
  'group',
  'errorClass',
  'reason',
  'status',
  'since',
  'until',
  'key',
  'grep',
] as const;

export type FilterField = (typeof filterFields)[number];
export type FilterForm = Partial<Record<FilterField, string>>;

const statuses: readonly ArchiveStatus[] = ['archived', 'replayed', 'purged'];

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** The filter fields a query or form carries, blank ones left out. */
export function filterFormFrom(query: Readonly<Record<string, unknown>>): FilterForm {
  const form: FilterForm = {};
  for (const field of filterFields) {
    const value = text(query[field]);
    if (value !== undefined) {
      form[field] = value;
    }
  }
  return form;
}

/**
 * The archive filter for a form, times as the CLI reads them (2h ago, or an ISO time); a bad
 * value is a ConfigError naming its field.
 */
export function filterFromForm(form: FilterForm, now: number): ArchiveFilter {
  if (form.status !== undefined && !statuses.includes(form.status as ArchiveStatus)) {
    throw new ConfigError('status', `must be one of ${statuses.join(', ')}`);
  }
  return {
    ...(form.topic === undefined ? {} : { originalTopic: form.topic }),
    ...(form.group === undefined ? {} : { retryGroup: form.group }),
    ...(form.errorClass === undefined ? {} : { errorClass: form.errorClass }),
    ...(form.reason === undefined ? {} : { deadLetterReason: form.reason }),
    ...(form.status === undefined ? {} : { status: form.status as ArchiveStatus }),
    ...(form.since === undefined ? {} : { since: parseTimeBound(form.since, now, 'since') }),
    ...(form.until === undefined ? {} : { until: parseTimeBound(form.until, now, 'until') }),
    ...(form.key === undefined ? {} : { key: form.key }),
    ...(form.grep === undefined ? {} : { grep: form.grep }),
  };
}

/** The form as a query string, for links that keep the filter (next page, sort). */
export function queryString(
  form: FilterForm,
  extra: Readonly<Record<string, string>> = {},
): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...form, ...extra })) {
    if (value !== undefined && value !== '') {
      parameters.set(name, value);
    }
  }
  const encoded = parameters.toString();
  return encoded === '' ? '' : `?${encoded}`;
}

/** Archive ids from a form's repeated `id` field: positive whole numbers, else ConfigError('id'). */
export function idsFromForm(value: unknown): number[] {
  const texts = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return texts.map((item) => {
    const id = typeof item === 'string' && /^\d{1,15}$/.test(item) ? Number(item) : Number.NaN;
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new ConfigError('id', `"${String(item)}" is not an archive id`);
    }
    return id;
  });
}
