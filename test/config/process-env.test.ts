import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { useEnvironmentCopy } from '../../src/config/process-env.js';

describe('useEnvironmentCopy', () => {
  const original = process.env;
  afterEach(() => {
    process.env = original;
    delete original['RMDGATE_ENV_COPY_TEST'];
  });

  it('replaces process.env by a copy with the same values that child processes still inherit', () => {
    process.env['RMDGATE_ENV_COPY_TEST'] = 'before';
    const before = { ...process.env };

    useEnvironmentCopy();
    const copy = process.env;
    useEnvironmentCopy();

    expect(copy).not.toBe(original);
    expect(process.env).toBe(copy); // a second call keeps the same copy
    expect({ ...copy }).toEqual(before);
    copy['RMDGATE_ENV_COPY_TEST'] = 'after';
    const seen = execFileSync(process.execPath, ['-e', 'process.stdout.write(process.env.RMDGATE_ENV_COPY_TEST ?? "")'], { encoding: 'utf8' });
    expect(seen).toBe('after');
  });
});
