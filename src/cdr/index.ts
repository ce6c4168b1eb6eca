/**
 * Call records after the decision: the sinks (SQLite day files written by a worker thread, JSON lines, PostgreSQL
 * through a durable spool), and what is read back from them: tracebacks and what-if replays.
 */
export { CDR_LOSS_CAUSES, CDR_RECORD_TYPES, type CallQuery, type CdrRecordType, type CdrLossCause, type CdrQueryStore, type CdrSinkMetrics, type CdrSinkName, type SinkHealth, type StoreSink, type StoredCdr } from './ports.js';
export { createPgCdrReader } from './postgres/query.js';
export { createCdrSinks, sqliteStoreDir, type CdrConfig, type CdrSinksDeps } from './sinks.js';
export { createSqliteCdrReader, type SqliteCdrReader } from './sqlite/query.js';
export { answerBatch, type TracebackOutcome } from './traceback/batch.js';
export { TRACEBACK_FORMATS, formatOutcomes, type TracebackFormat } from './traceback/format.js';
export { createTracebackHandler } from './traceback/http.js';
export { hasZone, isTimeZone, parseDuration, parseTimeInput, parseTracebackTime, type Parsed, type TimeInputOptions } from './traceback/time.js';
export { answerTraceback, parseTracebackRequest, type TracebackAnswer, type TracebackRequest } from './traceback/traceback.js';
export { formatWhatIf } from './whatif/format.js';
export { replayCalls, type WhatIfReport } from './whatif/replay.js';
/** The match limit: closest to the time first, 0 = all (CLI --limit and HTTP limit). */
export { DEFAULT_TRACEBACK_LIMIT, parseTracebackLimit } from './traceback/traceback.js';
