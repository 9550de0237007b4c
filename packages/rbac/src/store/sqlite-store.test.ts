import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '@fleetkit/core/sqlite';
import { afterAll } from 'vitest';
import { describeRbacStore } from '../testing/store-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleetkit-rbac-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRbacStore('sqlite (file, WAL)', () => openSqlite({ path: join(dir, 'rbac.db') }));
describeRbacStore('sqlite (:memory:)', () => openSqlite({ path: ':memory:' }));
