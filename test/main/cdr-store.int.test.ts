import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteCdrReader } from '../../src/cdr/sqlite/query.js';
import { createTracebackHandler } from '../../src/cdr/traceback/http.js';
import { parseConfigText } from '../../src/config/load.js';
import { start } from '../../src/main.js';
import { createUdpSipClient, sipRequest } from '../support/sip-client.js';
import { repoPath } from '../support/paths.js';

const RMD = repoPath('config/samples/rmd.csv');

function yaml(cdrDir: string): string {
  return `node: { id: store-test }
sip:
  listen: [ { transport: udp, address: 127.0.0.1, port: 0 } ]
  defaultRoute: [ "sip:127.0.0.1:5070;transport=udp" ]
data: { rmd: { path: ${JSON.stringify(RMD)} } }
providers: [ { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990001, frn: "0099000001" } ]
trunks: [ { id: harborline-1, provider: harborline, sources: [127.0.0.1/32] } ]
cdr: { dir: ${JSON.stringify(cdrDir)}, flushIntervalMs: 50 }
log: { level: fatal }
ops: { listen: false }
admin: { listen: false }
`;
}

describe('rmdgate with the default SQLite CDR store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rmdgate-app-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores one CDR per screened INVITE that a traceback then finds, with the provider contact', async () => {
    const loaded = parseConfigText(yaml(join(dir, 'cdr')), join(dir, 'gate.yaml'), {});
    const app = await start(loaded, { logDestination: new Writable({ write: (_c, _e, done) => done() }), defaultMetrics: false });
    const port = app.sip.find((l) => l.transport === 'udp')!.port;
    const client = await createUdpSipClient('127.0.0.1', port);
    const at = new Date();
    try {
      await client.send(sipRequest({ uri: 'sip:+12025550123@127.0.0.1', from: '"C" <sip:+13035550100@example.net>;tag=1', callId: 'store-call-1@test' }));
      expect((await client.response()).status).toBe(302);
    } finally {
      await client.close();
      await app.stop();
    }
    const reader = createSqliteCdrReader(join(dir, 'cdr'));
    const handle = createTracebackHandler({ store: reader, rmd: () => app.world().rmd });

    const res = await handle(new URL(`http://x/admin/traceback?calling=3035550100&called=2025550123&at=${encodeURIComponent(at.toISOString())}&tz=America/Chicago`));
    await reader.close();

    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { matches: { callId: string; trunkId: string; contactName: string; source: string }[] };
    expect(body.matches).toHaveLength(1);
    expect(body.matches[0]).toMatchObject({ callId: 'store-call-1@test', trunkId: 'harborline-1', contactName: 'Avery Calloway' });
    expect(body.matches[0]?.source).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
