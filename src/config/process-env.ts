/**
 * Makes `process.env` a plain object holding a copy of the environment.
 *
 * drachtio-srf's SIP parser (used unchanged by both fronts) reads `process.env.DRACHTIO_PRESERVE_HEADER_NAMES` for
 * every header line it parses, about 20 times per INVITE + ACK. Each read of the real `process.env` is a native
 * getenv() under a lock, several times a plain object's property read (docs/benchmarks.md has the cost per call).
 * rmdgate reads its environment only while it starts (config/load.ts), so nothing is lost:
 * the copy holds the same values (DRACHTIO_PRESERVE_HEADER_NAMES included), child processes inherit it, and a later
 * assignment to `process.env.X` is seen by this process as before.
 */
export function useEnvironmentCopy(): void {
  if (ENV_COPIED.has(process.env)) return;
  const copy: NodeJS.ProcessEnv = { ...process.env };
  ENV_COPIED.add(copy);
  process.env = copy;
}

const ENV_COPIED = new WeakSet<object>();
