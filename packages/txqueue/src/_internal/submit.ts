// Queuing a transaction: checking what the caller gave, resolving a group's
// members, and inserting it once per caller id (on PostgreSQL, a device
// transaction without a caller id is one statement).
import { invalid, TxQueueError, TxQueueErrorCode } from '../errors.ts';
import type { EnqueueInput, EnqueueResult, PushOptions, Target, TxKind } from '../types.ts';
import { checkBoolean, checkKind, checkMs, checkName, checkOptionalString, checkTarget } from '../validate.ts';
import { canonicalJson } from './canonical-json.ts';
import type { Operation } from './context.ts';
import type { Engine } from './engine.ts';
import { findByClientId, insertTransaction, type NewTransaction } from './enqueue.ts';
import { targetKey } from './keys.ts';
import type { TxRow } from './rows.ts';
import { takeStaged } from './staging.ts';

/** See {@link TxQueue.enqueue}. */
export async function enqueueTransaction(engine: Engine, input: EnqueueInput): Promise<EnqueueResult> {
  const prepared = await prepare(engine, input.target, checkKind(input.kind), canonicalJson(input.payload), input);
  const fastPaths = engine.fastPaths;
  if (fastPaths && prepared.members === undefined && prepared.clientId === undefined) {
    const row = await engine.fast(async (effects, now) => {
      const created = await fastPaths.enqueue(prepared, now);
      if (created) {
        // a NOTIFY only when a call-in somewhere may be waiting on the device (dialects/postgres/notify.ts)
        (created.listening ? effects.wake : effects.wakeHere).add(prepared.key);
        effects.deadline = Number(created.deadline);
        effects.events = 1;
      }
      return created;
    });
    if (row) return { transaction: await engine.view(row), created: true };
  }
  const inserted = await engine.write((operation) => insertOnce(operation, prepared));
  return { transaction: await engine.view(inserted.row), created: inserted.created };
}

/** See {@link TxQueue.push}. */
export async function pushStaged(engine: Engine, target: Target, options: PushOptions): Promise<EnqueueResult> {
  if (options.packages !== undefined && !Array.isArray(options.packages))
    throw invalid('options.packages', 'an array of package names', options.packages);
  const packages = options.packages?.map((name, i) => checkName(name, `options.packages[${i}]`));
  const key = targetKey(checkTarget(target));
  const prepared = await prepare(engine, target, 'config', '', options);
  const inserted = await engine.write(async (operation) => {
    const payloadJson = await takeStaged(operation.sql, key, packages);
    return insertOnce(operation, { ...prepared, payloadJson });
  });
  return { transaction: await engine.view(inserted.row), created: inserted.created };
}

async function prepare(
  engine: Engine,
  target: Target,
  kind: TxKind,
  payloadJson: string,
  input: Omit<PushOptions, 'packages'>,
): Promise<NewTransaction> {
  const checked = checkTarget(target);
  const members = 'group' in checked ? await groupMembers(engine, checked.group) : undefined;
  return {
    key: targetKey(checked),
    kind,
    tag: checkOptionalString(input.tag, 'tag', 256),
    payloadJson,
    timeoutMs: input.timeoutMs === undefined ? engine.context.defaultTimeoutMs : checkMs(input.timeoutMs, 'timeoutMs'),
    notify: checkOptionalString(input.notify, 'notify'),
    clientId: checkOptionalString(input.clientId, 'clientId', 256),
    members,
    memberEvents: input.memberEvents === undefined ? false : checkBoolean(input.memberEvents, 'memberEvents'),
  };
}

async function insertOnce(
  operation: Operation,
  transaction: NewTransaction,
): Promise<{ row: TxRow; created: boolean }> {
  const existing = await findByClientId(operation.sql, transaction);
  if (existing) return { row: existing, created: false };
  return { row: await insertTransaction(operation, transaction), created: true };
}

async function groupMembers(engine: Engine, group: string): Promise<string[]> {
  const groups = engine.context.groups;
  if (!groups) {
    throw new TxQueueError(
      TxQueueErrorCode.NoGroupResolver,
      `Cannot queue for group "${group}": the queue was opened without a group resolver`,
      {
        details: { group },
      },
    );
  }
  const members: unknown = await groups.members(group);
  if (!Array.isArray(members)) throw invalid(`groups.members("${group}")`, 'an array of device ids', members);
  const checked = members.map((member, i) => checkName(member, `groups.members("${group}")[${i}]`));
  // sorted: concurrent fan-outs lock device counters in one order (no deadlock)
  return [...new Set(checked)].sort();
}
