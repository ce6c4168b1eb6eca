/**
 * The readiness check registry behind /readyz, and the standard checks: SIP front up, CDR directory writable. Any
 * component may register a named check (feeds and CDR sinks judge themselves); a check that throws counts as failing
 * with its message.
 */
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';

/** One check's answer; `detail` says why (shown in /readyz JSON). */
export interface CheckResult {
  readonly ok: boolean;
  readonly detail?: string;
}

/** A readiness check: synchronous and cheap (it runs on every /readyz request). */
export type ReadinessCheck = () => CheckResult;

/** Readiness as a whole: ready when every registered check is ok. */
export interface ReadinessReport {
  readonly ready: boolean;
  /** Names of the failing checks, in registration order. */
  readonly failing: readonly string[];
  readonly checks: Readonly<Record<string, CheckResult>>;
}

/** A registry of named readiness checks. */
export interface Readiness {
  /** Adds or replaces the check `name`; returns a function that removes it. */
  register(name: string, check: ReadinessCheck): () => void;
  /** Runs every check. */
  run(): ReadinessReport;
}

/** Creates a registry, optionally with initial checks. */
export function createReadiness(initial: Readonly<Record<string, ReadinessCheck>> = {}): Readiness {
  const checks = new Map<string, ReadinessCheck>(Object.entries(initial));
  return {
    register(name, check) {
      checks.set(name, check);
      return () => void (checks.get(name) === check && checks.delete(name));
    },
    run() {
      const results: Record<string, CheckResult> = {};
      for (const [name, check] of checks) results[name] = safely(check);
      const failing = Object.keys(results).filter((n) => !results[n]?.ok);
      return { ready: failing.length === 0, failing, checks: results };
    },
  };
}

function safely(check: ReadinessCheck): CheckResult {
  try {
    return check();
  } catch (err) {
    return { ok: false, detail: `check failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Ok when at least one SIP front is up (built-in listeners bound, or a drachtio link connected). */
export function createFrontCheck(fronts: Readonly<Record<string, () => boolean>>): ReadinessCheck {
  return () => {
    const up = Object.entries(fronts).filter(([, isUp]) => isUp()).map(([name]) => name);
    return up.length > 0 ? { ok: true, detail: `up: ${up.join(', ')}` } : { ok: false, detail: `no SIP front up (${Object.keys(fronts).join(', ') || 'none configured'})` };
  };
}

/**
 * Ok when the CDR directory (or, before its first file, its nearest existing ancestor) is writable by this process.
 * Whether appends succeed is each sink's own health (the `cdr-store` check).
 */
export function createCdrWritableCheck(dir: string): ReadinessCheck {
  return () => {
    let probe = dir;
    for (let i = 0; i < 64; i++) {
      try {
        accessSync(probe, constants.W_OK);
        return { ok: true, detail: `${probe} writable` };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(probe) === probe) return { ok: false, detail: `${probe} not writable: ${(err as NodeJS.ErrnoException).code ?? 'error'}` };
        probe = dirname(probe);
      }
    }
    return { ok: false, detail: `${dir}: no existing ancestor` };
  };
}
