/**
 * deploy/: the compose file passes the admin token and ships Grafana (profile metrics) with the Prometheus data source
 * and the dashboard provisioned from files that exist; the example drachtio config and the image follow the configured
 * ports (no service-name host under host networking, an admin listener the token turns on, a health check that reads
 * ops.listen instead of a hard-coded port). Docker is not needed: the files are parsed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/index.js';
import { ROOT } from '../support/prometheus.js';

interface Service {
  profiles?: string[];
  network_mode?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  command?: string[];
  depends_on?: string[];
}
const DEPLOY = join(ROOT, 'deploy');
const compose = parse(readFileSync(join(DEPLOY, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const readYaml = <T>(file: string): T => parse(readFileSync(file, 'utf8')) as T;

/** `host path → container path` of a service's bind mounts, host paths resolved against deploy/. */
function mounts(service: Service): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of service.volumes ?? []) {
    const [host = '', target = ''] = v.split(':');
    if (host.startsWith('.')) out.set(join(DEPLOY, host), target);
  }
  return out;
}

describe('deploy/docker-compose.yml', () => {
  const { rmdgate, grafana, prometheus } = compose.services;

  it('passes a required RMDGATE_ADMIN_TOKEN to rmdgate, under the name the example config reads', () => {
    const cfgFile = join(ROOT, 'config/example-drachtio.yaml');
    const loaded = parseConfigText(readFileSync(cfgFile, 'utf8'), cfgFile, { DRACHTIO_SECRET: 's', RMDGATE_ADMIN_TOKEN: 'x'.repeat(32) });

    expect(rmdgate?.environment?.['RMDGATE_ADMIN_TOKEN']).toMatch(/^\$\{RMDGATE_ADMIN_TOKEN:\?[^}]+\}$/);
    expect(loaded.config.admin.tokenEnv).toBe('RMDGATE_ADMIN_TOKEN');
    expect(loaded.config.admin.listen).not.toBe(false);
  });

  it('adds Grafana under the metrics profile, beside Prometheus, on the host network', () => {
    expect(grafana?.profiles).toEqual(['metrics']);
    expect(prometheus?.profiles).toEqual(['metrics']);
    expect(grafana?.network_mode).toBe('host');
    expect(grafana?.depends_on).toContain('prometheus');
  });

  it('mounts provisioning whose dashboard provider path holds the repository dashboard', () => {
    const m = mounts(grafana ?? {});
    const provisioning = m.get(join(DEPLOY, 'grafana/provisioning'));
    const dashboardTarget = m.get(join(DEPLOY, 'grafana/rmdgate.json'));
    const provider = readYaml<{ providers: { type: string; options: { path: string } }[] }>(join(DEPLOY, 'grafana/provisioning/dashboards/rmdgate.yml'));

    expect(provisioning).toBe('/etc/grafana/provisioning');
    expect(existsSync(join(DEPLOY, 'grafana/rmdgate.json'))).toBe(true);
    expect(provider.providers.map((p) => p.type)).toEqual(['file']);
    expect(posix.dirname(dashboardTarget ?? '')).toBe(provider.providers[0]?.options.path);
    expect(grafana?.environment?.['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH']).toBe(dashboardTarget);
  });

  it('provisions the Prometheus data source at the address the Prometheus service listens on, as the default', () => {
    const ds = readYaml<{ datasources: { type: string; url: string; isDefault: boolean }[] }>(join(DEPLOY, 'grafana/provisioning/datasources/prometheus.yml'));
    const listen = (prometheus?.command ?? []).find((a) => a.startsWith('--web.listen-address='))?.split('=')[1];

    expect(ds.datasources).toHaveLength(1);
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', url: `http://${listen}`, isDefault: true });
  });

  it('scrapes the ops port of the example config and mounts every file it names', () => {
    const cfgFile = join(ROOT, 'config/example-drachtio.yaml');
    const ops = parseConfigText(readFileSync(cfgFile, 'utf8'), cfgFile, { DRACHTIO_SECRET: 's' }).config.ops.listen;
    const prom = readYaml<{ scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] }>(join(DEPLOY, 'prometheus/prometheus.yml'));
    const targets = prom.scrape_configs.find((c) => c.job_name === 'rmdgate')?.static_configs.flatMap((s) => s.targets);

    expect(ops).not.toBe(false);
    expect(targets).toEqual([`${ops === false ? '' : ops.address}:${ops === false ? 0 : ops.port}`]);
    for (const host of mounts(prometheus ?? {}).keys()) expect(existsSync(host), host).toBe(true);
    for (const host of mounts(grafana ?? {}).keys()) expect(existsSync(host), host).toBe(true);
  });
});

describe('config/example-drachtio.yaml and the Dockerfile', () => {
  it('does not tell users to use a compose service name as the drachtio host (it does not resolve under host networking)', () => {
    const text = readFileSync(join(ROOT, 'config/example-drachtio.yaml'), 'utf8');

    expect(text).not.toMatch(/service name, e\.g\. drachtio/);
    expect(text).toMatch(/host: 127\.0\.0\.1 .*host network/);
  });

  it('has a HEALTHCHECK that runs the config-reading health check the image copies, with no port written in', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const healthcheck = /^HEALTHCHECK[^\n]*\\\n\s*CMD (.+)$/m.exec(dockerfile)?.[1] ?? '';

    expect(healthcheck).toBe('["node", "healthcheck.mjs"]');
    expect(dockerfile).toMatch(/^COPY deploy\/healthcheck\.mjs \.\/healthcheck\.mjs$/m);
    expect(existsSync(join(DEPLOY, 'healthcheck.mjs'))).toBe(true);
  });
});
