export { type Serving, type ServingOptions, serve } from './adapters/serve.ts';
export { recordAddress } from './app.ts';
export type { ServerContext, ServerSettings } from './context.ts';
export { ServerError, ServerErrorCode } from './errors.ts';
export { Outcome, ResultCode } from './result-code.ts';
export { type FleetServer, openServer, type ServerOptions } from './server.ts';
export { DEFAULT_SETTINGS } from './settings.ts';
