import { z } from 'zod';
import { configSchema } from './schema.js';

/** JSON Schema of the config file, for editor completion (`config/sp-link.schema.json`). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://sp-link.example.org/schemas/config.json',
    title: 'SP Link configuration',
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
  };
}
