import type { ArchiveFilter } from '@ricochet/archive';
import { replayTarget, type ReplayRequest } from '@ricochet/replay';
import { checkTarget } from './actions.js';
import { defaultConsoleReplayRate } from './defaults.js';
import { ConsoleRequestError } from './errors.js';
import {
  filterFormFrom,
  filterFromForm,
  idsFromForm,
  queryString,
  type FilterForm,
} from './query.js';

/** The records an action names: the ids selected, or every record matching the filter fields. */
export interface Selection {
  readonly scope: 'selection' | 'filter';
  readonly ids: readonly number[];
  readonly form: FilterForm;
  readonly filter: ArchiveFilter;
  /** The filter as a query string, for links back to the records. */
  readonly filterQuery: string;
}

type Form = Readonly<Record<string, unknown>>;

/** A page form's selection: `scope` says which, the `id` fields and filter fields say what. */
export function selectionFromForm(body: Form, now: number): Selection {
  const form = filterFormFrom(body);
  const ids = idsFromForm(body.id);
  const filterQuery = queryString(form);
  if (body.scope === 'selection' || (body.scope !== 'filter' && ids.length > 0)) {
    if (ids.length === 0) {
      throw new ConsoleRequestError(400, 'select at least one record');
    }
    return { scope: 'selection', ids, form, filter: { ids }, filterQuery };
  }
  return { scope: 'filter', ids: [], form, filter: filterFromForm(form, now), filterQuery };
}

/** An API body's selection: `{ ids: [...] }` or `{ filter: { topic, ... } }`. */
export function selectionFromBody(body: Form, now: number): Selection {
  const ids = body.ids;
  if (ids !== undefined) {
    return selectionFromForm(
      { scope: 'selection', id: Array.isArray(ids) ? ids.map(String) : String(ids) },
      now,
    );
  }
  const filter =
    typeof body.filter === 'object' && body.filter !== null ? (body.filter as Form) : {};
  return selectionFromForm({ ...filter, scope: 'filter' }, now);
}

/** How a replay goes, as a form or an API body gives it. */
export interface ReplaySettings {
  /** Records per second; absent: the console's default cap; blank or null: no cap. */
  readonly rate?: unknown;
  /** The loop guard's limit; absent or blank: the replay engine's default. */
  readonly maxReplays?: unknown;
  /** Replay what the loop guard refuses: true, or a checked box. */
  readonly force?: unknown;
}

const blank = (value: unknown): boolean => value === null || value === '';

/** The replay of a selection; a selection of nothing or an empty filter is refused. */
export function replayRequestFrom(selection: Selection, settings: ReplaySettings): ReplayRequest {
  checkTarget(selection.filter);
  const force = settings.force === true || settings.force === 'on' || settings.force === 'true';
  const { rate, maxReplays } = settings;
  return {
    target: replayTarget(selection.ids, selection.filter, force),
    // A malformed number becomes NaN, which the replay engine refuses naming the field.
    ratePerSecond:
      rate === undefined ? defaultConsoleReplayRate : blank(rate) ? null : Number(rate),
    ...(maxReplays === undefined || blank(maxReplays) ? {} : { maxReplays: Number(maxReplays) }),
    force,
  };
}
