export { type FleetServer, openServer, type ServerOptions } from './server.ts';
export type { ServerContext, ServerSettings } from './context.ts';
export { DEFAULT_SETTINGS } from './settings.ts';
export { Outcome, ResultCode } from './result-code.ts';
export { ServerError, ServerErrorCode } from './errors.ts';
export { recordAddress } from './app.ts';
