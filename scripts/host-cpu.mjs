// Host CPU accounting for the benchmark scripts: how much CPU the hypervisor took away (steal) and how idle the host
// was over a measurement window, from /proc/stat (Linux; elsewhere null). On a shared VM, steal time pauses the
// whole guest for milliseconds at a time, which shows directly in tail latency: read p99 figures with it.
import { readFileSync } from 'node:fs';

/** The aggregate `cpu` line of /proc/stat as numbers (user nice system idle iowait irq softirq steal ...), or null. */
export function cpuSample() {
  try {
    return readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  } catch {
    return null;
  }
}

/** Steal and idle percentages of all CPU time between two samples, or null without /proc/stat. */
export function hostCpuBetween(a, b) {
  if (a === null || b === null) return null;
  const d = b.slice(0, 8).map((v, i) => v - a[i]);
  const total = d.reduce((s, v) => s + v, 0);
  if (total <= 0) return null;
  return { stealPercent: +((100 * d[7]) / total).toFixed(1), idlePercent: +((100 * (d[3] + d[4])) / total).toFixed(1) };
}

/** UDP datagrams the host dropped so far (/proc/net/snmp `Udp:` InErrors + RcvbufErrors), or null. */
export function udpDrops() {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/).map(Number);
    return values[names.indexOf('InErrors')] + values[names.indexOf('RcvbufErrors')];
  } catch {
    return null;
  }
}
