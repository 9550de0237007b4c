// Every example of the JSON-RPC 2.0 specification §7 "Examples"
// (https://www.jsonrpc.org/specification, JSON-RPC Working Group, 2010-03-26,
// reproduced as test vectors), request text as printed there and the response
// it shows, or `undefined` where the specification shows none.

export interface SpecExample {
  readonly name: string;
  readonly request: string;
  readonly response: string | undefined;
}

export const specExamples: readonly SpecExample[] = [
  {
    name: 'rpc call with positional parameters',
    request: '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}',
    response: '{"jsonrpc": "2.0", "result": 19, "id": 1}',
  },
  {
    name: 'rpc call with positional parameters, reversed',
    request: '{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}',
    response: '{"jsonrpc": "2.0", "result": -19, "id": 2}',
  },
  {
    name: 'rpc call with named parameters',
    request: '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
    response: '{"jsonrpc": "2.0", "result": 19, "id": 3}',
  },
  {
    name: 'rpc call with named parameters, other order',
    request: '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
    response: '{"jsonrpc": "2.0", "result": 19, "id": 4}',
  },
  {
    name: 'a Notification',
    request: '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}',
    response: undefined,
  },
  {
    name: 'a Notification of a method that does not exist',
    request: '{"jsonrpc": "2.0", "method": "foobar"}',
    response: undefined,
  },
  {
    name: 'rpc call of non-existent method',
    request: '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}',
    response: '{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}',
  },
  {
    name: 'rpc call with invalid JSON',
    request: '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
    response: '{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}',
  },
  {
    name: 'rpc call with invalid Request object',
    request: '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
    response: '{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}',
  },
  {
    name: 'rpc call Batch, invalid JSON',
    request: `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`,
    response: '{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}',
  },
  {
    name: 'rpc call with an empty Array',
    request: '[]',
    response: '{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}',
  },
  {
    name: 'rpc call with an invalid Batch (but not empty)',
    request: '[1]',
    response: '[{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]',
  },
  {
    name: 'rpc call with invalid Batch',
    request: '[1,2,3]',
    response: `[
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
]`,
  },
  {
    name: 'rpc call Batch',
    request: `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
  {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
  {"foo": "boo"},
  {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
  {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
]`,
    response: `[
  {"jsonrpc": "2.0", "result": 7, "id": "1"},
  {"jsonrpc": "2.0", "result": 19, "id": "2"},
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
  {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
  {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
]`,
  },
  {
    name: 'rpc call Batch (all notifications)',
    request: `[
  {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
  {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
]`,
    response: undefined,
  },
];
