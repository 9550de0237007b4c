/**
 * Rows of the server's matrix (Table 2 and EXTRA_ROWS) that no method
 * family defines yet: a call passes access control and then meets -32601,
 * and rpc.discover does not list them. Each entry says why; once a method
 * is implemented its entry must go (table-2 and discover tests fail until
 * it does).
 */
export const NOT_IMPLEMENTED: Readonly<Record<string, string>> = {};
