/** JSON-lines logger on stdout (one object per line, like the API's pino output). */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(
  level: Level = 'info',
  base: Record<string, unknown> = {},
  write = defaultWrite,
): Logger {
  const emit = (l: Level, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[l] < ORDER[level]) return;
    const entry: Record<string, unknown> = { level: l, time: new Date().toISOString(), ...base, msg };
    for (const [k, v] of Object.entries(fields ?? {})) entry[k] = v instanceof Error ? v.message : v;
    write(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

function defaultWrite(line: string): void {
  process.stdout.write(line + '\n');
}

/** A logger that discards everything (benchmarks, quiet tests). */
export const silentLogger: Logger = createLogger('error', {}, () => undefined);
