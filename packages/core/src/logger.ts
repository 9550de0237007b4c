/** Severity of a log record, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured fields attached to a log record. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Logging as engines see it: structured, levelled, with child contexts. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record. */
  child(fields: LogFields): Logger;
}

/** One record as a {@link LogSink} receives it. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/** Where records go. */
export type LogSink = (record: LogRecord) => void;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Records below this level are dropped. Default `info`. */
  readonly level?: LogLevel;
  /** Default: one JSON line per record on the console's error stream. */
  readonly sink?: LogSink;
  /** Fields added to every record. */
  readonly fields?: LogFields;
}

/** Writes a record as one JSON line to `console.error` (stderr on servers). */
export const jsonLineSink: LogSink = (record) => {
  console.error(JSON.stringify({ level: record.level, msg: record.message, ...record.fields }, errorReplacer));
};

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    return typeof json === 'function' ? json.call(value) : { name: value.name, message: value.message };
  }
  return typeof value === 'bigint' ? value.toString() : value;
}

/** A levelled structured logger over a sink. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? 'info'];
  const sink = options.sink ?? jsonLineSink;
  const base = options.fields ?? {};
  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (RANK[level] < min) return;
    sink({ level, message, fields: fields === undefined ? base : { ...base, ...fields } });
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ level: options.level ?? 'info', sink, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ sink: () => {} });

/** A logger that keeps its records in memory, for tests that assert on logs. */
export function memoryLogger(level: LogLevel = 'debug'): Logger & { readonly records: LogRecord[] } {
  const records: LogRecord[] = [];
  return Object.assign(createLogger({ level, sink: (r) => records.push(r) }), { records });
}
