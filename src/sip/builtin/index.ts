/**
 * The built-in stateless SIP redirect/reject server (UDP and TCP), parsing with drachtio-srf's own SIP parser.
 */
export type { InviteHandler } from './dispatch.js';
export { createBuiltinSipServer, type BoundListener, type BuiltinListen, type BuiltinSipServer, type BuiltinSipServerOptions } from './server.js';
export type { BuiltinMetrics, FloodAction, TransactionTableStats } from './ports.js';
export { TCP_CLOSURES, TCP_REFUSALS, type BuiltinTcpMetrics, type TcpClosure, type TcpRefusal } from './ports.js';
