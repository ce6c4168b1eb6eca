/**
 * Makes `process.env` a plain object holding a copy of the environment.
 *
 * drachtio-srf's SIP parser (used unchanged by both fronts) reads `process.env.DRACHTIO_PRESERVE_HEADER_NAMES` for
 * every header line it parses. On Node 20 each read of the real `process.env` is a native getenv() under a lock
 * (≈ 260 ns here against ≈ 40 ns for a plain object), about 20 reads per INVITE + ACK: ≈ 5 µs per call, 4–5 % of the
 * event loop at 8,000 calls/s. rmdgate reads its environment only while it starts (config/load.ts), so nothing is lost:
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
