/**
 * Which search engine the catalog uses, from the environment (documented in apps/shop/README.md):
 *   SEARCH_ENGINE   `embedded` (default: MiniSearch in the process, snapshot in DATA_DIR/state) or `opensearch`
 *   OPENSEARCH_URL  default http://127.0.0.1:19400 (where `npm run search:start` listens)
 *   OPENSEARCH_INDEX default `catalog-products`
 */
import { z } from 'zod';
import { ConfigError } from '../config.js';

export type SearchConfig =
  | { readonly engine: 'embedded' }
  | { readonly engine: 'opensearch'; readonly url: string; readonly index: string };

export const DEFAULT_OPENSEARCH_URL = 'http://127.0.0.1:19400';

const EnvSchema = z.object({
  SEARCH_ENGINE: z.enum(['embedded', 'opensearch'], { message: 'SEARCH_ENGINE must be embedded or opensearch' }).default('embedded'),
  OPENSEARCH_URL: z.url({ message: 'OPENSEARCH_URL must be a URL such as http://127.0.0.1:19400' }).default(DEFAULT_OPENSEARCH_URL),
  OPENSEARCH_INDEX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,200}$/, 'OPENSEARCH_INDEX must be a lower-case index name')
    .default('catalog-products'),
});

export function loadSearchConfig(env: Readonly<Record<string, string | undefined>> = process.env): SearchConfig {
  const present: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const v = env[key]?.trim();
    if (v !== undefined && v !== '') present[key] = v;
  }
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const e = parsed.data;
  return e.SEARCH_ENGINE === 'embedded' ? { engine: 'embedded' } : { engine: 'opensearch', url: e.OPENSEARCH_URL, index: e.OPENSEARCH_INDEX };
}
