import { type StatusCode, statusString } from '../status.ts';
import type { TxEvent, TxEventType } from '../types.ts';
import type { Operation } from './context.ts';
import { countsOf, isFinal, parseJson, type TxRow } from './rows.ts';

/**
 * Writes the event of a transition into the outbox in the same SQL
 * transaction as the transition itself, so a committed transition always has
 * its event and a rolled-back one never does.
 */
export async function recordEvent(
  operation: Operation,
  row: TxRow,
  type: TxEventType,
  status?: StatusCode,
): Promise<void> {
  await insertEvent(operation, row, eventBody(row, type, operation.now, status));
}

/**
 * Writes a group transaction's `member` event: `member` finished (manual
 * §5.8: a notification per member device). It is the group's event, so it
 * takes its place in the order of the group's own events.
 */
export async function recordMemberEvent(operation: Operation, group: TxRow, member: TxRow): Promise<void> {
  await insertEvent(operation, group, memberEventBody(group, member, operation.now));
}

async function insertEvent(operation: Operation, row: TxRow, body: string): Promise<void> {
  await operation.sql.run(operation.context.dialect.insertEventSql, [row.target, row.id, body]);
  operation.effects.events++;
}

/**
 * The SQL expression of an event body made by the statement of the
 * transition itself (the PostgreSQL fast paths, dialects/postgres/fast.ts), byte for byte what
 * {@link eventBody} gives for the row it writes: the row's client id, kind, tag and
 * notification target are spliced between the parts this side knows
 * ({@link eventBodyParts}). `mid` and `tail` are SQL text parameters. Concatenation, not
 * `json_build_object` → `json_strip_nulls` → `jsonb`: that parsed the JSON
 * twice and jsonb sorted the keys of the body and of the device's result
 * (docs/decisions/txqueue-006-statement-cost.md).
 */
export function eventBodySql(type: 'delivered' | 'final', mid: string, tail: string): string {
  return `'{"type":"${type}"' || coalesce(',"clientId":' || to_json(client_id)::text, '') || ',"kind":' || to_json(kind)::text
    || coalesce(',"tag":' || to_json(tag)::text, '') || ${mid}
    || coalesce(',"notify":' || to_json(notify)::text, '') || ${tail}`;
}

/**
 * The parts of an event body around the row's own columns (see
 * {@link eventBodySql}): `mid` from the state to `final`, `tail` from `at` to
 * the end. `result` is the stored result text (a final event's).
 */
export function eventBodyParts(
  state: string,
  status: StatusCode,
  final: boolean,
  now: number,
  result: string | null,
): { mid: string; tail: string } {
  const key = `${state} ${status} ${final}`;
  let mid = mids.get(key);
  if (mid === undefined) {
    mid = `,"state":${JSON.stringify(state)},"status":${JSON.stringify(status)},"statusString":${JSON.stringify(statusString(status))},"final":${final}`;
    mids.set(key, mid);
  }
  return { mid, tail: `,"at":${now}${result === null ? '' : `,"result":${result}`}}` };
}

/** `mid` parts by state, status and final: a handful of combinations, each made once. */
const mids = new Map<string, string>();

/** A stored event body being built: everything but the seq, target and id columns. */
type EventBodyDraft = { -readonly [K in keyof Omit<TxEvent, 'seq' | 'target' | 'transactionId'>]?: TxEvent[K] };

/** The stored body of an event: everything but the seq, target and id columns. */
export function eventBody(row: TxRow, type: TxEventType, now: number, status?: StatusCode): string {
  const reported = status ?? (row.status as StatusCode);
  const counts = countsOf(row);
  // target and transaction id live in their own columns (the dispatcher adds
  // them). Optional members are assigned, not spread in: one object instead
  // of one per member (decision txqueue-004). The key order is the insertion
  // order.
  const body: EventBodyDraft = { type };
  if (row.client_id !== null) body.clientId = row.client_id;
  body.kind = row.kind as TxEvent['kind'];
  if (row.tag !== null) body.tag = row.tag;
  body.state = row.state as TxEvent['state'];
  body.status = reported;
  body.statusString = statusString(reported);
  body.final = type === 'final' && isFinal(row);
  if (row.notify !== null) body.notify = row.notify;
  body.at = now;
  if (type === 'progress' && row.progress !== null) body.progress = parseJson(row.progress);
  if (type === 'final' && row.result !== null) body.result = parseJson(row.result);
  if (counts !== undefined) body.counts = counts;
  return JSON.stringify(body);
}

/**
 * The body of a `member` event: the group transaction's caller id, kind, tag
 * and notification target, the member's state, status and result, and which
 * member it is. `final` is false: it speaks of the group transaction, whose
 * own `final` event comes once every member has finished.
 */
function memberEventBody(group: TxRow, member: TxRow, now: number): string {
  const status = member.status as StatusCode;
  const body: EventBodyDraft = { type: 'member' };
  if (group.client_id !== null) body.clientId = group.client_id;
  body.kind = group.kind as TxEvent['kind'];
  if (group.tag !== null) body.tag = group.tag;
  body.state = member.state as TxEvent['state'];
  body.status = status;
  body.statusString = statusString(status);
  body.final = false;
  if (group.notify !== null) body.notify = group.notify;
  body.at = now;
  if (member.result !== null) body.result = parseJson(member.result);
  body.member = { device: member.target.slice(2), transactionId: Number(member.id) };
  return JSON.stringify(body);
}
