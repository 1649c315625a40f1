/**
 * The queryable stores of every service (`GET /v1/stores`), derived from each app's topology so a store added to a
 * service shows up without being listed twice. As in Kafka Streams, a store is queryable when it was named by the
 * code (`storeName`, `Materialized.as`): generated names (`KSTREAM-…`, `KTABLE-…`) change when the topology does, and a
 * stream-stream join's window buffers (`…-join-store`) are internal to the join.
 */
import { SHOP_APPS, type AppEntry } from '../app-catalog.js';
import { STRING_KEYS, type KeyCodec } from './key-codecs.js';

export type StoreKind = 'key-value' | 'window' | 'session';

export interface StoreEntry {
  readonly name: string;
  readonly service: string;
  readonly applicationId: string;
  readonly kind: StoreKind;
  /** A global store holds every partition of its topic on every instance (no routing needed). */
  readonly global: boolean;
  readonly keys: KeyCodec;
}

const KINDS = { keyValue: 'key-value', window: 'window', session: 'session' } as const;

export function isQueryableStoreName(name: string): boolean {
  return !/^(KSTREAM|KTABLE)-/.test(name) && !/-join-store$/.test(name);
}

/**
 * Every queryable store of `apps`, by name. Two apps naming a store alike would make `/v1/stores/{store}` ambiguous,
 * so that is refused here (and by the test that builds the shop's directory).
 */
export function storeDirectory(apps: ReadonlyArray<AppEntry> = SHOP_APPS, keyCodecs: Readonly<Record<string, KeyCodec>> = {}): ReadonlyMap<string, StoreEntry> {
  const stores = new Map<string, StoreEntry>();
  for (const app of apps) {
    for (const { name, kind, global } of app.topology().stores()) {
      if (!isQueryableStoreName(name)) continue;
      const other = stores.get(name);
      if (other !== undefined) throw new Error(`store ${name} is named by both ${other.service} and ${app.service}`);
      stores.set(name, {
        name,
        service: app.service,
        applicationId: app.applicationId,
        kind: KINDS[kind],
        global,
        keys: keyCodecs[name] ?? STRING_KEYS,
      });
    }
  }
  return stores;
}
