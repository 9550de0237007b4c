/**
 * Rows of the server's matrix (Table 2 and EXTRA_ROWS) that no method
 * family defines yet: a call passes access control and then meets -32601,
 * and rpc.discover does not list them. Each entry says why; once a method
 * is implemented its entry must go (table-2 and discover tests fail until
 * it does).
 */
export const NOT_IMPLEMENTED: Readonly<Record<string, string>> = {
  'exodm:create-package': 'packages (manual §5.6) are a later issue',
  'exodm:add-package-members': 'packages (manual §5.6) are a later issue',
  'exodm:push-package': 'packages (manual §5.6) are a later issue',
  'exodm:list-packages': 'packages (manual §5.6) are a later issue',
  'exodm:get-package-status': 'packages (manual §5.6) are a later issue',
};
