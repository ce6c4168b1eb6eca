import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError, formatPath, parseConfig, type ConfigProblem } from '../../src/config/parse.js';
import { repoPath } from '../support/paths.js';

const EXAMPLE_PATH = repoPath('config/example.yaml');
const EXAMPLE_TEXT = readFileSync(EXAMPLE_PATH, 'utf8');

type RawConfig = Record<string, any>;

/** The smallest valid config: two providers (one by RMD number + FRN, one by FRN only) and a trunk each. */
function minimalConfig(): RawConfig {
  return {
    sip: { defaultRoute: ['sip:127.0.0.1:5070'] },
    data: { rmd: { path: 'rmd.csv' } },
    providers: [
      { id: 'harborline', name: 'Harborline Communications LLC', rmdNumber: 'RMD0990001', frn: '0099000001' },
      { id: 'driftwood', name: 'Driftwood Dialers LLC', frn: '0099000099' },
    ],
    trunks: [
      { id: 'harborline-1', provider: 'harborline', sources: ['192.0.2.1/32'] },
      { id: 'driftwood-1', provider: 'driftwood', sources: ['192.0.2.2/32'] },
    ],
  };
}

function parseRaw(raw: RawConfig): ReturnType<typeof parseConfigText> {
  return parseConfigText(stringify(raw), 'test.yaml');
}

function problemsOf(run: () => unknown): readonly ConfigProblem[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

describe('config/example.yaml', () => {
  it('passes validation', () => {
    const { config } = parseConfigText(EXAMPLE_TEXT, EXAMPLE_PATH);

    expect(config.mode).toBe('enforce');
    expect(config.node.id).toBe('gate-lab-1');
    expect(config.providers.map((p) => p.id)).toEqual(['harborline', 'driftwood', 'tallgrass']);
    expect(config.trunks.map((t) => [t.id, t.provider, t.sources])).toEqual([
      ['harborline-1', 'harborline', ['127.0.0.1/32']],
      ['driftwood-1', 'driftwood', ['127.0.0.2/32']],
      ['tallgrass-1', 'tallgrass', ['127.0.0.3/32']],
    ]);
    expect(config.policy.designated).toEqual({ 'c-cist': 'block' });
    expect(config.policy.redress).toEqual({ url: 'https://gate.example.net/redress' });
  });

  it('fills in documented defaults for keys the example leaves out', () => {
    const { config } = parseConfigText(EXAMPLE_TEXT, EXAMPLE_PATH);

    expect(config.sip.maxMessageBytes).toBe(65535);
    expect(config.sip.transactionTtlMs).toBe(32000);
    expect(config.sip.serverHeader).toBe('rmdgate');
    expect(config.sip).toMatchObject({
      maxTcpConnections: 1024, tcpTrunkReserve: 128, maxTcpConnectionsPerSource: 8, maxTcpConnectionsPerTrunkSource: 64,
      tcpIdleTimeoutMs: 120000, tcpMessageTimeoutMs: 5000, tcpMaxBufferedBytes: 131072,
    });
    expect(config.providers.every((p) => p.rmdRequired)).toBe(true);
    expect(config.cdr.maxQueue).toBe(100000);
  });

  it('versions the config by the first 12 hex chars of the text\'s sha256', () => {
    const a = parseConfigText(EXAMPLE_TEXT, EXAMPLE_PATH);
    const b = parseConfigText(`${EXAMPLE_TEXT}\n# a comment changes the version\n`, EXAMPLE_PATH);

    expect(a.version).toMatch(/^[0-9a-f]{12}$/);
    expect(b.version).not.toBe(a.version);
  });

  it('resolves data paths against the config file\'s folder', () => {
    const loaded = parseConfigText(EXAMPLE_TEXT, '/etc/rmdgate/config.yaml');

    expect(loaded.resolvePath('samples/rmd.csv')).toBe('/etc/rmdgate/samples/rmd.csv');
    expect(loaded.resolvePath('/var/data/rmd.csv')).toBe('/var/data/rmd.csv');
  });
});

describe('parseConfigText: invalid configs', () => {
  it('accepts the minimal config used by the cases below', () => {
    expect(parseRaw(minimalConfig()).config.trunks).toHaveLength(2);
  });

  it.each<{ name: string; change: (c: RawConfig) => void; path: string; message: string }>([
    { name: 'a CIDR with host bits set', change: (c) => { c.trunks[0].sources = ['192.0.2.1/24']; }, path: 'trunks[0].sources[0]', message: 'host bits set beyond /24 (did you mean 192.0.2.0/24?)' },
    { name: 'a source that is not an address', change: (c) => { c.trunks[0].sources = ['sbc.example.net']; }, path: 'trunks[0].sources[0]', message: 'not an IP address: "sbc.example.net"' },
    { name: 'an IPv4 prefix of 33', change: (c) => { c.trunks[0].sources = ['192.0.2.0/33']; }, path: 'trunks[0].sources[0]', message: 'prefix length must be 0..32' },
    { name: 'a second bad source of a trunk', change: (c) => { c.trunks[1].sources = ['192.0.2.2/32', '2001:db8::1/64']; }, path: 'trunks[1].sources[1]', message: 'host bits set beyond /64' },
    { name: 'a trunk without sources', change: (c) => { c.trunks[0].sources = []; }, path: 'trunks[0].sources', message: 'Too small' },
    { name: 'a reference to an unknown provider', change: (c) => { c.trunks[1].provider = 'nobody'; }, path: 'trunks[1].provider', message: 'no provider with id "nobody"' },
    { name: 'a duplicate trunk id', change: (c) => { c.trunks[1].id = 'harborline-1'; }, path: 'trunks[1].id', message: 'duplicate trunk id "harborline-1" (first at trunks[0])' },
    { name: 'the reserved trunk id "unknown"', change: (c) => { c.trunks[0].id = 'unknown'; }, path: 'trunks[0].id', message: '"unknown" is reserved for unmatched sources' },
    { name: 'a trunk id with a space', change: (c) => { c.trunks[0].id = 'harbor line'; }, path: 'trunks[0].id', message: 'it is a metric label' },
    { name: 'a provider with neither rmdNumber nor frn', change: (c) => { c.providers[1] = { id: 'driftwood', name: 'Driftwood Dialers LLC' }; }, path: 'providers[1]', message: 'needs rmdNumber or frn' },
    { name: 'a duplicate provider id', change: (c) => { c.providers[1].id = 'harborline'; c.trunks[1].provider = 'harborline'; }, path: 'providers[1].id', message: 'duplicate provider id "harborline" (first at providers[0])' },
    { name: 'an FRN of 8 digits', change: (c) => { c.providers[0].frn = '99000001'; }, path: 'providers[0].frn', message: 'must be 10 digits with leading zeros' },
    { name: 'an FRN with letters', change: (c) => { c.providers[0].frn = '00990000AB'; }, path: 'providers[0].frn', message: 'must be 10 digits with leading zeros' },
    { name: 'an RMD number with too few digits', change: (c) => { c.providers[0].rmdNumber = 'RMD123'; }, path: 'providers[0].rmdNumber', message: 'must be RMD followed by 7 digits' },
    { name: 'a lower-case RMD number', change: (c) => { c.providers[0].rmdNumber = 'rmd0990001'; }, path: 'providers[0].rmdNumber', message: 'must be RMD followed by 7 digits' },
    { name: 'no providers at all', change: (c) => { c.providers = []; c.trunks = []; }, path: 'providers', message: 'Too small' },
    { name: 'an unknown top-level key', change: (c) => { c.modee = 'enforce'; }, path: 'modee', message: 'unknown key; did you mean "mode"?' },
    { name: 'an unknown key in a trunk', change: (c) => { c.trunks[0].tgrpp = 'TG1'; }, path: 'trunks[0].tgrpp', message: 'unknown key; did you mean "tgrp"?' },
    { name: 'an unknown key in sip', change: (c) => { c.sip.verdictheader = 'X-V'; }, path: 'sip.verdictheader', message: 'unknown key; did you mean "verdictHeader"?' },
    { name: 'an unknown key in a reason setting', change: (c) => { c.policy = { reasons: { 'unknown-trunk': { statuss: 403 } } }; }, path: 'policy.reasons.unknown-trunk.statuss', message: 'unknown key; did you mean "status"?' },
    { name: 'a misspelt reason', change: (c) => { c.policy = { reasons: { 'provider-designatd': { action: 'block' } } }; }, path: 'policy.reasons.provider-designatd', message: 'unknown key; did you mean "provider-designated"?' },
    { name: 'an unknown list kind', change: (c) => { c.policy = { designated: { k5: 'block' } }; }, path: 'policy.designated.k5', message: 'unknown key; did you mean "k4"?' },
    { name: 'an unknown key in receivedOn', change: (c) => { c.trunks[0].receivedOn = { adress: '10.0.0.1' }; }, path: 'trunks[0].receivedOn.adress', message: 'unknown key; did you mean "address"?' },
    { name: '603plus without a redress method', change: (c) => { c.policy = { reasons: { 'provider-designated': { style: '603plus' } } }; }, path: 'policy.reasons.provider-designated.style', message: '603plus needs at least one redress method' },
    { name: '603plus with status 403', change: (c) => { c.policy = { reasons: { 'provider-designated': { style: '603plus', status: 403 } }, redress: { url: 'https://x/r' } }; }, path: 'policy.reasons.provider-designated.status', message: '603plus is always status 603' },
    { name: '603plus with a custom phrase', change: (c) => { c.policy = { reasons: { 'provider-designated': { style: '603plus', phrase: 'Blocked' } }, redress: { url: 'https://x/r' } }; }, path: 'policy.reasons.provider-designated.phrase', message: 'always uses the phrase "Network Blocked"' },
    { name: 'status 999', change: (c) => { c.policy = { reasons: { 'unknown-trunk': { status: 999 } } }; }, path: 'policy.reasons.unknown-trunk.status', message: 'must be one of 403, 480, 486, 488, 500, 503, 603, 607, 608' },
    { name: 'status 302 (not a reject)', change: (c) => { c.policy = { reasons: { 'unknown-trunk': { status: 302 } } }; }, path: 'policy.reasons.unknown-trunk.status', message: 'must be one of' },
    { name: 'status given as a string', change: (c) => { c.policy = { reasons: { 'unknown-trunk': { status: '403' } } }; }, path: 'policy.reasons.unknown-trunk.status', message: 'must be one of' },
    { name: 'an unknown action', change: (c) => { c.policy = { reasons: { 'unknown-trunk': { action: 'drop' } } }; }, path: 'policy.reasons.unknown-trunk.action', message: 'Invalid option' },
    { name: 'a redress url with a quote', change: (c) => { c.policy = { redress: { url: 'https://x/"r' } }; }, path: 'policy.redress.url', message: 'must not contain quotes' },
    { name: 'headerValue without sip.trunkHeader', change: (c) => { c.trunks[0].headerValue = 'blue'; }, path: 'trunks[0].headerValue', message: 'needs sip.trunkHeader' },
    { name: 'two trunks with identical source and no narrowing', change: (c) => { c.trunks[1].sources = ['192.0.2.1/32']; }, path: 'trunks[1].sources[0]', message: 'same source and narrowing as trunks[0].sources[0]: the trunks cannot be told apart' },
    { name: 'identical sources written as a bare address and a /32', change: (c) => { c.trunks[1].sources = ['192.0.2.1']; }, path: 'trunks[1].sources[0]', message: 'same source and narrowing as trunks[0].sources[0]' },
    { name: 'identical sources written as IPv4-mapped IPv6 and IPv4', change: (c) => { c.trunks[1].sources = ['::ffff:192.0.2.1']; }, path: 'trunks[1].sources[0]', message: 'same source and narrowing as trunks[0].sources[0]' },
    { name: 'identical sources written in two IPv6 forms', change: (c) => { c.trunks[0].sources = ['2001:db8::/48']; c.trunks[1].sources = ['2001:0db8:0000::/48']; }, path: 'trunks[1].sources[0]', message: 'same source and narrowing as trunks[0].sources[0]' },
    { name: 'identical source and identical tgrp', change: (c) => { c.trunks[0].tgrp = 'TG1'; c.trunks[1].tgrp = 'TG1'; c.trunks[1].sources = ['192.0.2.1/32']; }, path: 'trunks[1].sources[0]', message: 'cannot be told apart' },
    { name: 'a default route that is not a SIP URI', change: (c) => { c.sip.defaultRoute = ['http://core.example.net']; }, path: 'sip.defaultRoute[0]', message: 'must be a sip: or sips: URI' },
    { name: 'a trunk route in angle brackets', change: (c) => { c.trunks[0].route = ['<sip:core.example.net>']; }, path: 'trunks[0].route[0]', message: 'without spaces, quotes or angle brackets' },
    { name: 'an empty default route', change: (c) => { c.sip.defaultRoute = []; }, path: 'sip.defaultRoute', message: 'Too small' },
    { name: 'a missing default route', change: (c) => { delete c.sip.defaultRoute; }, path: 'sip.defaultRoute', message: 'expected array' },
    { name: 'a verdict header name with a space', change: (c) => { c.sip.verdictHeader = 'X Verdict'; }, path: 'sip.verdictHeader', message: 'must be a SIP header name' },
    { name: 'a TCP trunk reserve as large as the connection limit', change: (c) => { c.sip.maxTcpConnections = 64; c.sip.tcpTrunkReserve = 64; }, path: 'sip.tcpTrunkReserve', message: 'must be less than sip.maxTcpConnections (64)' },
    { name: 'a TCP buffer cap below two messages', change: (c) => { c.sip.maxMessageBytes = 8192; c.sip.tcpMaxBufferedBytes = 16000; }, path: 'sip.tcpMaxBufferedBytes', message: 'at least 2 × sip.maxMessageBytes (16384)' },
    { name: 'a TCP message deadline under 100 ms', change: (c) => { c.sip.tcpMessageTimeoutMs = 50; }, path: 'sip.tcpMessageTimeoutMs', message: 'Too small' },
    { name: 'a receivedOn port above 65535', change: (c) => { c.trunks[0].receivedOn = { port: 70000 }; }, path: 'trunks[0].receivedOn.port', message: 'Too big' },
    { name: 'an unknown mode', change: (c) => { c.mode = 'enforcing'; }, path: 'mode', message: 'Invalid option' },
    { name: 'a duplicate blocklist name', change: (c) => { c.data.blocklists = [{ name: 'k4', path: 'a.yaml' }, { name: 'k4', path: 'b.yaml' }]; }, path: 'data.blocklists[1].name', message: 'duplicate list name "k4"' },
    { name: 'an unknown log level', change: (c) => { c.log = { level: 'verbose' }; }, path: 'log.level', message: 'Invalid option' },
  ])('reports $name at $path', ({ change, path, message }) => {
    const raw = minimalConfig();
    change(raw);

    const problems = problemsOf(() => parseRaw(raw));

    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe(path);
    expect(problems[0]?.message).toContain(message);
  });

  it('reports a receivedOn address that is not an IP address', () => {
    const raw = minimalConfig();
    raw.trunks[0].receivedOn = { address: '198.51.100.300' };

    const problems = problemsOf(() => parseRaw(raw));

    expect(problems.map((p) => p.path)).toEqual(['trunks[0].receivedOn.address']);
  });

  it('reports two trunks on one source whose trunk-context differs only in case', () => {
    const raw = minimalConfig();
    raw.trunks[0].trunkContext = 'example.com';
    raw.trunks[1].trunkContext = 'EXAMPLE.com';
    raw.trunks[1].sources = ['192.0.2.1/32'];

    const problems = problemsOf(() => parseRaw(raw));

    expect(problems.map((p) => p.path)).toEqual(['trunks[1].sources[0]']);
  });

  it('accepts two trunks on one source that differ by tgrp', () => {
    const raw = minimalConfig();
    raw.trunks[0].tgrp = 'TG1';
    raw.trunks[1].tgrp = 'TG2';
    raw.trunks[1].sources = ['192.0.2.1/32'];

    expect(parseRaw(raw).config.trunks.map((t) => t.tgrp)).toEqual(['TG1', 'TG2']);
  });

  it('accepts headerValue when sip.trunkHeader names the header', () => {
    const raw = minimalConfig();
    raw.sip.trunkHeader = 'X-Trunk';
    raw.trunks[0].headerValue = 'blue';

    expect(parseRaw(raw).config.trunks[0]?.headerValue).toBe('blue');
  });

  it('accepts a provider with neither number when rmdRequired is false', () => {
    const raw = minimalConfig();
    raw.providers[1] = { id: 'driftwood', name: 'Driftwood PBX', rmdRequired: false };

    expect(parseRaw(raw).config.providers[1]?.rmdRequired).toBe(false);
  });
});

describe('parseConfig: removed keys and list file names', () => {
  it.each([
    { key: 'decisionDeadlineMs', value: 500, says: /removed: screening is synchronous/ },
    { key: 'onDeadline', value: 'open', says: /removed: .*policy\.reasons\.screening-error/ },
  ])('refuses sip.drachtio.$key, saying it was removed and what to do', ({ key, value, says }) => {
    const raw = minimalConfig();
    raw['sip'].drachtio = { [key]: value };

    const problems = problemsOf(() => parseConfig(raw));

    expect(problems).toEqual([{ path: `sip.drachtio.${key}`, message: expect.stringMatching(says) }]);
  });

  it('lists a removed key beside the other problems of the file, once', () => {
    const raw = minimalConfig();
    raw['sip'].drachtio = { decisionDeadlineMs: 500, onDeadline: 'closed' };
    raw['mode'] = 'sometimes';

    expect(problemsOf(() => parseConfig(raw)).map((p) => p.path)).toEqual(['sip.drachtio.decisionDeadlineMs', 'sip.drachtio.onDeadline', 'mode']);
  });

  it('refuses a blocklist file whose name gives no format, and accepts .yaml, .yml and .csv', () => {
    const raw = minimalConfig();
    raw['data'].blocklists = [{ name: 'a', path: 'lists/a.txt' }, { name: 'b', path: 'b.yml' }, { name: 'c', path: 'C.CSV' }, { name: 'd', path: 'd.yaml' }];

    expect(problemsOf(() => parseConfig(raw))).toEqual([{ path: 'data.blocklists[0].path', message: expect.stringContaining('must end in .yaml, .yml or .csv') }]);
  });
});

describe('parseConfigText: YAML-level problems', () => {
  const MINIMAL_YAML = [
    'sip:',
    '  defaultRoute: [sip:127.0.0.1:5070]',
    'data:',
    '  rmd: { path: rmd.csv }',
    'providers:',
    '  - id: harborline',
    '    name: Harborline Communications LLC',
    '    frn: "0099000001"',
    'trunks:',
    '  - { id: harborline-1, provider: harborline, sources: [192.0.2.1/32] }',
    '',
  ].join('\n');

  it('accepts the minimal YAML', () => {
    expect(parseConfigText(MINIMAL_YAML, 'test.yaml').config.providers[0]?.frn).toBe('0099000001');
  });

  it('reports an FRN written as a YAML number (leading zeros lost) at its path', () => {
    const problems = problemsOf(() => parseConfigText(MINIMAL_YAML.replace('frn: "0099000001"', 'frn: 0099000001'), 'test.yaml'));

    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('providers[0].frn');
    expect(problems[0]?.message).toContain('must be a quoted string of 10 digits');
  });

  it('reports a YAML syntax error with its line and column', () => {
    const broken = MINIMAL_YAML.replace('  rmd: { path: rmd.csv }', '  rmd: { path: rmd.csv');

    const problems = problemsOf(() => parseConfigText(broken, 'test.yaml'));

    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0]?.path).toMatch(/^line [45]:\d+$/);
    expect(problems[0]?.message).not.toContain('\n');
  });

  it('gives a YAML problem\'s location once, in its path, not again in the message', () => {
    const broken = MINIMAL_YAML.replace('  rmd: { path: rmd.csv }', '  rmd: { path: rmd.csv');

    const err = (() => {
      try {
        parseConfigText(broken, 'test.yaml');
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();

    for (const p of err.problems) expect(p.message).not.toMatch(/line \d+|column \d+/);
    expect(err.message.match(/line \d+/g)).toHaveLength(err.problems.length);
  });

  it('reports a duplicate YAML key with the line of the second occurrence', () => {
    const dup = MINIMAL_YAML.replace('    name: Harborline Communications LLC\n', '    name: Harborline Communications LLC\n    name: Harborline Again\n');

    const problems = problemsOf(() => parseConfigText(dup, 'test.yaml'));

    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('line 8:5');
    expect(problems[0]?.message).toContain('Map keys must be unique');
  });

  it('reports a duplicate top-level key', () => {
    const problems = problemsOf(() => parseConfigText(`${MINIMAL_YAML}mode: monitor\nmode: enforce\n`, 'test.yaml'));

    expect(problems).toEqual([{ path: 'line 12:1', message: expect.stringContaining('Map keys must be unique') }]);
  });

  it('reports several YAML documents in one file', () => {
    const problems = problemsOf(() => parseConfigText(`${MINIMAL_YAML}---\nmode: monitor\n`, 'test.yaml'));

    expect(problems[0]?.path).toBe('line 11:1');
    expect(problems[0]?.message).toContain('multiple documents');
  });

  it.each([
    { name: 'an empty file', text: '', message: 'expected object, received null' },
    { name: 'a scalar document', text: 'hello', message: 'expected object, received string' },
    { name: 'a list document', text: '- a\n- b\n', message: 'expected object, received array' },
  ])('reports $name at the root', ({ text, message }) => {
    expect(problemsOf(() => parseConfigText(text, 'test.yaml'))).toEqual([{ path: '', message: expect.stringContaining(message) }]);
  });

  it('reports an alias bomb (billion laughs) as a ConfigError rather than throwing a ReferenceError', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...['b', 'c', 'd', 'e', 'f'].map((k, i) => {
      const prev = 'abcde'[i];
      return `${k}: &${k} [${Array.from({ length: 10 }, () => `*${prev}`).join(', ')}]`;
    })].join('\n');

    expect(() => parseConfigText(bomb, 'test.yaml')).toThrow(ConfigError);
  });
});

describe('parseConfigText: all problems together', () => {
  it('lists every shape problem of a config at once', () => {
    const raw = minimalConfig();
    raw.mode = 'enforcing';
    raw.node = { id: 'bad id!' };
    raw.sip.defaultRoute = ['http://core'];
    raw.providers[0].frn = '123';
    raw.providers[1].rmdNumber = 'RMD1';
    raw.trunks[0].sources = ['192.0.2.1/24'];
    raw.trunks[1].sources = [];
    raw.extra = true;
    raw.policy = { reasons: { 'unknown-trunk': { status: 999 } } };
    raw.cdr = { flushIntervalMs: 5 };

    const problems = problemsOf(() => parseRaw(raw));

    expect(problems.map((p) => p.path).sort()).toEqual([
      'cdr.flushIntervalMs',
      'extra',
      'mode',
      'node.id',
      'policy.reasons.unknown-trunk.status',
      'providers[0].frn',
      'providers[1].rmdNumber',
      'sip.defaultRoute[0]',
      'trunks[0].sources[0]',
      'trunks[1].sources',
    ]);
    expect(problems).toHaveLength(10);
  });

  it('lists every cross-reference problem of a shape-valid config at once', () => {
    const raw = minimalConfig();
    raw.providers.push({ id: 'harborline', name: 'Dup', rmdNumber: 'RMD0990002' });
    raw.providers.push({ id: 'nonumbers', name: 'No Numbers LLC' });
    raw.trunks.push({ id: 'harborline-1', provider: 'harborline', sources: ['192.0.2.3/32'] });
    raw.trunks.push({ id: 'unknown', provider: 'ghost', sources: ['192.0.2.4/32'], headerValue: 'blue' });
    raw.trunks.push({ id: 'copy', provider: 'driftwood', sources: ['192.0.2.2'] });
    raw.policy = { reasons: { 'provider-designated': { style: '603plus', status: 607, phrase: 'Go away' } } };
    raw.data.blocklists = [{ name: 'k4', path: 'a.yaml' }, { name: 'k4', path: 'b.yaml' }];

    const err = (() => {
      try {
        parseRaw(raw);
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual([
      { path: 'providers[2].id', message: 'duplicate provider id "harborline" (first at providers[0])' },
      { path: 'providers[3]', message: 'needs rmdNumber or frn to be checked against the RMD (or rmdRequired: false)' },
      { path: 'trunks[2].id', message: 'duplicate trunk id "harborline-1" (first at trunks[0])' },
      { path: 'trunks[3].id', message: '"unknown" is reserved for unmatched sources' },
      { path: 'trunks[3].provider', message: 'no provider with id "ghost"' },
      { path: 'trunks[3].headerValue', message: 'needs sip.trunkHeader to name the header it is compared with' },
      { path: 'trunks[4].sources[0]', message: 'same source and narrowing as trunks[1].sources[0]: the trunks cannot be told apart' },
      { path: 'policy.reasons.provider-designated.style', message: '603plus needs at least one redress method in policy.redress (url, tel or email)' },
      { path: 'policy.reasons.provider-designated.status', message: '603plus is always status 603' },
      { path: 'policy.reasons.provider-designated.phrase', message: '603plus always uses the phrase "Network Blocked"' },
      { path: 'data.blocklists[1].name', message: 'duplicate list name "k4"' },
    ]);
    expect(problems).toHaveLength(11);
    expect((err as ConfigError).code).toBe('ERR_CONFIG_INVALID');
    expect((err as ConfigError).message).toContain('test.yaml: 11 problem(s):\n  providers[2].id: duplicate provider id');
  });

  it('names the root as "(root)" in the error message', () => {
    expect(() => parseConfigText('hello', 'test.yaml')).toThrow(/^test\.yaml: 1 problem\(s\):\n {2}\(root\): .*expected object, received string$/);
  });

  it('reports each unknown key at its own path, with a suggestion only when one is close, beside every other problem', () => {
    const raw = minimalConfig();
    raw.typo = 1;
    raw.providrs = [];
    raw.sip.fornt = 'builtin';
    raw.sip.flod = {};
    raw.cdr = { flush: 100 };
    raw.mode = 'sometimes';

    const problems = problemsOf(() => parseRaw(raw));

    expect(problems).toEqual(expect.arrayContaining([
      { path: 'typo', message: 'unknown key' },
      { path: 'providrs', message: 'unknown key; did you mean "providers"?' },
      { path: 'sip.fornt', message: 'unknown key; did you mean "front"?' },
      { path: 'sip.flod', message: 'unknown key; did you mean "flood"?' },
      { path: 'cdr.flush', message: 'unknown key; did you mean "flushIntervalMs"?' },
      { path: 'mode', message: expect.stringContaining('Invalid option') },
    ]));
    expect(problems).toHaveLength(6);
    expect(() => parseRaw(raw)).toThrow('\n  sip.fornt: unknown key; did you mean "front"?\n');
  });
});

describe('parseConfigText: environment overrides', () => {
  it('applies LOG_LEVEL over the file\'s log.level', () => {
    const { config } = parseConfigText(EXAMPLE_TEXT, EXAMPLE_PATH, { LOG_LEVEL: 'debug' });

    expect(config.log.level).toBe('debug');
  });

  it('applies LOG_LEVEL when the file has no log section', () => {
    const { config } = parseConfigText(stringify(minimalConfig()), 'test.yaml', { LOG_LEVEL: 'warn' });

    expect(config.log.level).toBe('warn');
  });

  it('keeps the file\'s level when LOG_LEVEL is empty', () => {
    const { config } = parseConfigText(EXAMPLE_TEXT, EXAMPLE_PATH, { LOG_LEVEL: '' });

    expect(config.log.level).toBe('info');
  });

  it('validates an overridden LOG_LEVEL like the file value', () => {
    const problems = problemsOf(() => parseConfigText(EXAMPLE_TEXT, EXAMPLE_PATH, { LOG_LEVEL: 'verbose' }));

    expect(problems.map((p) => p.path)).toEqual(['log.level']);
  });

  it('applies RMDGATE_MODE over the file\'s mode', () => {
    const { config } = parseConfigText(EXAMPLE_TEXT, EXAMPLE_PATH, { RMDGATE_MODE: 'monitor' });

    expect(config.mode).toBe('monitor');
  });

  it('reads no environment unless one is passed', () => {
    const before = process.env['LOG_LEVEL'];
    process.env['LOG_LEVEL'] = 'trace';
    try {
      expect(parseConfigText(EXAMPLE_TEXT, EXAMPLE_PATH).config.log.level).toBe('info');
    } finally {
      if (before === undefined) delete process.env['LOG_LEVEL'];
      else process.env['LOG_LEVEL'] = before;
    }
  });
});

describe('parseConfig: the returned config', () => {
  it('is deeply frozen', () => {
    const raw = minimalConfig();
    raw.trunks[0].receivedOn = { address: '198.51.100.1', port: 5060 };
    const { config } = parseRaw(raw);

    const nested = [
      config, config.sip, config.sip.listen, config.sip.listen[0], config.sip.defaultRoute, config.providers, config.providers[0],
      config.trunks, config.trunks[0], config.trunks[0]?.sources, config.trunks[0]?.receivedOn, config.policy, config.policy.reasons,
      config.policy.designated, config.policy.redress, config.data, config.data.rmd, config.data.blocklists, config.cdr, config.log, config.ops,
    ];

    expect(nested.map((o) => Object.isFrozen(o))).toEqual(nested.map(() => true));
  });

  it('throws on mutation attempts (ESM is strict mode)', () => {
    const { config } = parseRaw(minimalConfig());

    expect(() => {
      (config.trunks as unknown as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (config as { mode: string }).mode = 'monitor';
    }).toThrow(TypeError);
  });

  it('does not freeze or alter the raw input', () => {
    const raw = minimalConfig();

    parseConfig(raw);

    expect(Object.isFrozen(raw)).toBe(false);
    expect(Object.isFrozen(raw['trunks'])).toBe(false);
    expect(raw['policy']).toBeUndefined();
  });

  it('gives each parse its own objects for defaulted sections', () => {
    const a = parseConfig(minimalConfig());
    const b = parseConfig(minimalConfig());

    expect(b.policy).not.toBe(a.policy);
    expect(b.sip.listen).not.toBe(a.sip.listen);
    expect(b.policy).toEqual(a.policy);
  });
});

describe('formatPath', () => {
  it.each([
    { name: 'the root', path: [], expected: '' },
    { name: 'a key', path: ['mode'], expected: 'mode' },
    { name: 'nested keys', path: ['sip', 'listen'], expected: 'sip.listen' },
    { name: 'indexes', path: ['trunks', 3, 'sources', 0], expected: 'trunks[3].sources[0]' },
    { name: 'a kebab-case key', path: ['policy', 'reasons', 'unknown-trunk', 'status'], expected: 'policy.reasons.unknown-trunk.status' },
  ])('formats $name', ({ path, expected }) => {
    expect(formatPath(path)).toBe(expected);
  });
});
