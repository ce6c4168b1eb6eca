/** The `--config FILE` option every command that reads a config has, with the CONFIG_FILE environment variable as fallback. */
import type { Command } from 'commander';
import { configFileFromEnv } from '../config/index.js';
import { UsageError } from './common.js';

/** Adds `-c, --config <file>`. */
export function configOption(cmd: Command, what = 'config file (default: $CONFIG_FILE)'): Command {
  return cmd.option('-c, --config <file>', what);
}

/** The config file from `--config` or CONFIG_FILE; a usage error when neither is set. */
export function requireConfig(opts: { config?: string | undefined }): string {
  const file = opts.config ?? configFileFromEnv();
  if (file === undefined) throw new UsageError('--config FILE is required (or set CONFIG_FILE)');
  return file;
}
