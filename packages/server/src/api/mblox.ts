import type { SqlExecutor } from '@fleetkit/core';
import * as v from 'valibot';
import type { ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import { readJson } from '../store/json.ts';
import { addTables } from '../store/schema.ts';
import { method, type ServerMethod } from './method.ts';
import { account } from './params.ts';

// one row per account: the credentials an SMS wake-up plugin (the real exoport_mblox) sends with
addTables(`CREATE TABLE IF NOT EXISTS srv_mblox_parameters (account TEXT PRIMARY KEY, parameters TEXT NOT NULL)`);

const text = v.pipe(v.string(), v.minLength(1), v.maxLength(256));

/** The 1.x `set-mblox-parameters` fields (docs/sources.md, the real exodm server item 1). */
const parameterParams = {
  'application-id': text,
  'originating-msisdn': v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  'consumer-key': text,
  'secret-key': text,
  token: v.optional(text),
};

type Parameters = Partial<Record<keyof typeof parameterParams, string>>;

/** Forgets an account's parameters (the account is being deleted). */
export async function deleteMbloxParameters(db: SqlExecutor, account: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM srv_mblox_parameters WHERE account = $1 RETURNING account', [account]);
  return rows.length > 0;
}

/**
 * The 1.x account settings of the mblox SMS gateway (docs/sources.md, the real exodm server item 1
 * `set-`/`get-`/`delete-mblox-parameters`). The secret key is stored for the
 * gateway's use and never read back, as on the real server.
 */
export function mbloxMethods(server: ServerContext): ServerMethod[] {
  const { db } = server;
  return [
    method('exodm:set-mblox-parameters', {
      summary: "Sets the account's mblox SMS gateway credentials (1.x)",
      params: v.object({ account, ...parameterParams }),
      handler: async (p, call) => {
        const parameters: Parameters = {};
        for (const key of Object.keys(parameterParams) as (keyof typeof parameterParams)[]) {
          if (p[key] !== undefined) parameters[key] = p[key];
        }
        await db.run(
          `INSERT INTO srv_mblox_parameters (account, parameters) VALUES ($1, $2)
           ON CONFLICT (account) DO UPDATE SET parameters = excluded.parameters`,
          [call.account, JSON.stringify(parameters)],
        );
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:get-mblox-parameters', {
      summary: "The account's mblox SMS gateway parameters, without the secret key (1.x)",
      params: v.object({ account }),
      handler: async (_p, call) => {
        const rows = await db.query<{ parameters: string }>(
          'SELECT parameters FROM srv_mblox_parameters WHERE account = $1',
          [call.account],
        );
        if (rows[0] === undefined) fail(ResultCode.ObjectNotFound, `account ${call.account} has no mblox parameters`);
        const { 'secret-key': _secret, ...shown } = readJson<Parameters>(rows[0].parameters, {});
        return { result: ResultCode.Ok, ...shown };
      },
    }),
    method('exodm:delete-mblox-parameters', {
      summary: "Deletes the account's mblox SMS gateway parameters (1.x)",
      params: v.object({ account }),
      handler: async (_p, call) => {
        if (!(await deleteMbloxParameters(db, call.account))) {
          fail(ResultCode.ObjectNotFound, `account ${call.account} has no mblox parameters`);
        }
        return { result: ResultCode.Ok };
      },
    }),
  ];
}
