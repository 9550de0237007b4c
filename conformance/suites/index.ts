import type { Suite } from '../runner/suite.ts';
import { agentFlow } from './agent-flow.ts';
import { brokerLifecycle } from './broker-lifecycle.ts';
import { configLifecycle } from './config-lifecycle.ts';
import { deviceTransaction } from './device-transaction.ts';
import { groupRouting } from './group-routing.ts';
import { groupTransaction } from './group-transaction.ts';
import { jsonrpc } from './jsonrpc.ts';
import { packages } from './packages.ts';
import { rbacMatrix } from './rbac-matrix.ts';
import { timeouts } from './timeouts.ts';

/** Every suite, in the order a full run takes them. */
export const SUITES: readonly Suite[] = [
  deviceTransaction,
  groupTransaction,
  configLifecycle,
  rbacMatrix,
  groupRouting,
  timeouts,
  jsonrpc,
  packages,
  agentFlow,
  brokerLifecycle,
];
