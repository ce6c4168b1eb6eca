/**
 * What operators see and touch: the metrics registry (the only place metric names are written), the logger, the ops
 * listener (/metrics, /healthz, /readyz) with its readiness checks, and the bearer-protected admin listener.
 */
export { createCoreAdminRoutes, toAdminStatus, type AdminActions, type AdminStatus } from './admin-routes.js';
export { createAdminServer, type AdminReply, type AdminRequest, type AdminRoute, type AdminServer } from './admin-server.js';
export { refreshStatus, toFeedRefreshReply } from './feed-refresh-reply.js';
export { createLogger } from './logger.js';
export { createMetrics, type Metrics, type MetricsOptions } from './metrics.js';
export { createOpsServer, exposeMetrics, type OpsServer } from './ops-server.js';
export { createCdrWritableCheck, createFrontCheck, createReadiness, type CheckResult, type Readiness, type ReadinessCheck, type ReadinessReport } from './readiness.js';
