import type { SqlDriver, SqlExecutor } from '@fleetkit/core';
import { invalid } from '../_internal/fail.ts';
import type { MethodIndex } from '../methods.ts';
import { RbacModel } from '../model.ts';
import { isRole, type Role, roleBit } from '../roles.ts';
import { schema, type Tables, tables } from './schema.ts';

/**
 * The SQL side of the RBAC engine: schema, a full load into a fresh
 * {@link RbacModel}, and one statement group per change, each run by the
 * engine inside the transaction of that change.
 */
export class SqlRbacStore {
  readonly #db: SqlDriver;
  readonly #t: Tables;

  constructor(db: SqlDriver, prefix: string) {
    this.#db = db;
    this.#t = tables(prefix);
  }

  get driver(): SqlDriver {
    return this.#db;
  }

  init(): Promise<void> {
    return this.#db.exec(schema(this.#t));
  }

  /** Reads every row into a new model (one read transaction, one snapshot). */
  load(methods: MethodIndex): Promise<RbacModel> {
    const t = this.#t;
    return this.#db.transaction(async (tx) => {
      // PostgreSQL's default READ COMMITTED gives each SELECT its own snapshot
      if (tx.dialect === 'postgres') await tx.run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const model = new RbacModel(methods);
      for (const r of await tx.query<{ name: string }>(`SELECT name FROM ${t.accounts}`)) model.putAccount(r.name);
      for (const r of await tx.query<{ name: string; password_hash: string }>(
        `SELECT name, password_hash FROM ${t.users}`,
      )) {
        model.putUser(r.name, r.password_hash);
      }
      for (const r of await tx.query<{ account: string; user_name: string }>(
        `SELECT account, user_name FROM ${t.members}`,
      )) {
        model.setRoles(r.user_name, r.account, 0);
      }
      for (const r of await tx.query<Row>(`SELECT account, user_name, role FROM ${t.roles}`)) {
        const mask = model.roles(r.user_name, r.account) ?? 0;
        model.setRoles(r.user_name, r.account, mask | roleBit(storedRole(t.roles, r.role)));
      }
      for (const r of await tx.query<{ account: string; role: string; package: string; rpc: string }>(
        `SELECT account, role, package, rpc FROM ${t.grants}`,
      )) {
        const mask = model.grantMask(r.account, r.package, r.rpc);
        model.setGrant(r.account, r.package, r.rpc, mask | roleBit(storedRole(t.grants, r.role)));
      }
      return model;
    });
  }

  async insertAccount(tx: SqlExecutor, name: string): Promise<void> {
    await tx.run(`INSERT INTO ${this.#t.accounts} (name) VALUES ($1)`, [name]);
  }

  async deleteAccount(tx: SqlExecutor, name: string): Promise<void> {
    const t = this.#t;
    await tx.run(`DELETE FROM ${t.roles} WHERE account = $1`, [name]);
    await tx.run(`DELETE FROM ${t.members} WHERE account = $1`, [name]);
    await tx.run(`DELETE FROM ${t.grants} WHERE account = $1`, [name]);
    await tx.run(`DELETE FROM ${t.accounts} WHERE name = $1`, [name]);
  }

  async insertUser(tx: SqlExecutor, name: string, hash: string): Promise<void> {
    await tx.run(`INSERT INTO ${this.#t.users} (name, password_hash) VALUES ($1, $2)`, [name, hash]);
  }

  async updatePassword(tx: SqlExecutor, name: string, hash: string): Promise<void> {
    await tx.run(`UPDATE ${this.#t.users} SET password_hash = $2 WHERE name = $1`, [name, hash]);
  }

  async deleteUser(tx: SqlExecutor, name: string): Promise<void> {
    const t = this.#t;
    await tx.run(`DELETE FROM ${t.roles} WHERE user_name = $1`, [name]);
    await tx.run(`DELETE FROM ${t.members} WHERE user_name = $1`, [name]);
    await tx.run(`DELETE FROM ${t.users} WHERE name = $1`, [name]);
  }

  async insertMember(tx: SqlExecutor, account: string, user: string): Promise<void> {
    await tx.run(`INSERT INTO ${this.#t.members} (account, user_name) VALUES ($1, $2)`, [account, user]);
  }

  async deleteMember(tx: SqlExecutor, account: string, user: string): Promise<void> {
    await tx.run(`DELETE FROM ${this.#t.roles} WHERE account = $1 AND user_name = $2`, [account, user]);
    await tx.run(`DELETE FROM ${this.#t.members} WHERE account = $1 AND user_name = $2`, [account, user]);
  }

  async insertRole(tx: SqlExecutor, account: string, user: string, role: Role): Promise<void> {
    await tx.run(`INSERT INTO ${this.#t.roles} (account, user_name, role) VALUES ($1, $2, $3)`, [account, user, role]);
  }

  async deleteRole(tx: SqlExecutor, account: string, user: string, role: Role): Promise<void> {
    await tx.run(`DELETE FROM ${this.#t.roles} WHERE account = $1 AND user_name = $2 AND role = $3`, [
      account,
      user,
      role,
    ]);
  }

  async insertGrant(tx: SqlExecutor, g: GrantRow): Promise<void> {
    await tx.run(`INSERT INTO ${this.#t.grants} (account, role, package, rpc) VALUES ($1, $2, $3, $4)`, [
      g.account,
      g.role,
      g.package,
      g.rpc,
    ]);
  }

  async deleteGrant(tx: SqlExecutor, g: GrantRow): Promise<void> {
    const sql = `DELETE FROM ${this.#t.grants} WHERE account = $1 AND role = $2 AND package = $3 AND rpc = $4`;
    await tx.run(sql, [g.account, g.role, g.package, g.rpc]);
  }
}

/** One grant row: `add-role-execution-permission` (account, role, package, RPC). */
export interface GrantRow {
  readonly account: string;
  readonly role: Role;
  readonly package: string;
  readonly rpc: string;
}

type Row = {
  readonly account: string;
  readonly user_name: string;
  readonly role: string;
};

function storedRole(table: string, role: string): Role {
  if (isRole(role)) return role;
  return invalid(`${table}.role`, 'one of the six roles of Table 2', role, `load ${table}`);
}
