// The gate config the front benchmarks share: the built-in front on 127.0.0.1 (UDP, ephemeral port), one trunk
// 127.0.0.1 → a provider listed in config/samples/rmd.csv (so every call is allowed: 302 + ACK), CDRs in `dir`.
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** YAML text; `ops` true opens the ops listener on an ephemeral port; `logLevel` defaults to warn. */
export function benchGateConfig({ dir, ops = false, logLevel = 'warn' }) {
  return `mode: enforce
sip:
  listen: [ { transport: udp, address: 127.0.0.1, port: 0 } ]
  defaultRoute: [ "sip:127.0.0.1:5070;transport=udp" ]
data:
  rmd: { path: ${JSON.stringify(join(ROOT, 'config/samples/rmd.csv'))} }
feeds: { stateDir: ${JSON.stringify(join(dir, 'state'))} }
providers:
  - { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990001, frn: "0099000001" }
trunks:
  - { id: harborline-1, provider: harborline, sources: [127.0.0.1/32] }
cdr: { dir: ${JSON.stringify(join(dir, 'cdr'))} }
log: { level: ${logLevel} }
ops: { listen: ${ops ? '{ address: 127.0.0.1, port: 0 }' : 'false'} }
admin: { listen: false }
`;
}
