/**
 * The config's JSON Schema for editors (yaml-language-server), generated from the zod schema so the two cannot drift.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

/** Returns the JSON Schema (draft 2020-12) of the config file as written by operators (defaults optional). */
export function toConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://rmdgate.invalid/config.schema.json', title: 'rmdgate configuration' };
}
