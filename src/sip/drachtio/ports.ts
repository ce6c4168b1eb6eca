/**
 * What the drachtio front reports to besides the fronts' shared FrontMetrics. `server` names the configured
 * drachtio-server endpoint (from config, e.g. `host:port`); no series exist until the drachtio front reports.
 */

/** Drachtio link metrics (`rmdgate_drachtio_*`). */
export interface DrachtioMetrics {
  /** The link to `server` went up (true) or down (false). */
  connected(server: string, up: boolean): void;
  /** A reconnect attempt to `server` started. */
  reconnect(server: string): void;
}
