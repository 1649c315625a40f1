/**
 * What `GET /v1/stores…` needs from the shop: the directory of every service's queryable stores, and the apps this
 * process runs (a store can be read only where its app runs; another process running the same app is reached by
 * routing). Owners come from the library's instance metadata (`queryMetadataForKey`, `allMetadata`), which every app
 * of an API process announces when `APPLICATION_SERVER` is set.
 */
import { UNAVAILABLE_HOST, type HostInfo, type KafkaStreams } from '@tributary/streams';
import type { StoreEntry } from './store-directory.js';
import { StoreReader } from './store-reader.js';

export interface StoreLookups {
  /** Every queryable store of every service, by name. */
  readonly directory: ReadonlyMap<string, StoreEntry>;
  /** The running app of `service` in this process, or undefined when the service runs elsewhere (or not at all). */
  app(service: string): KafkaStreams | undefined;
}

export type Placement =
  | { readonly where: 'not-here' }
  | { readonly where: 'not-ready'; readonly state: string }
  | { readonly where: 'local'; readonly reader: StoreReader; readonly app: KafkaStreams }
  | { readonly where: 'remote'; readonly owner: HostInfo };

/** Where `key` of `entry` is read: here, at another instance of its app, or nowhere right now. */
export function place(lookups: StoreLookups, entry: StoreEntry, key: unknown | undefined, forwarded: boolean): Placement {
  const app = lookups.app(entry.service);
  if (app === undefined) return { where: 'not-here' };
  if (app.state !== 'RUNNING' && app.state !== 'REBALANCING') return { where: 'not-ready', state: app.state };
  // A forwarded request is answered where it lands: routing it again could loop while ownership moves.
  if (key !== undefined && !entry.global && !forwarded) {
    const owner = remoteOwner(app, entry, key);
    if (owner !== undefined) return { where: 'remote', owner };
  }
  return { where: 'local', reader: new StoreReader(app, entry), app };
}

function remoteOwner(app: KafkaStreams, entry: StoreEntry, key: unknown): HostInfo | undefined {
  const self = app.applicationServer;
  if (self === undefined) return undefined;
  const owner = app.queryMetadataForKey(entry.name, key, entry.keys.serde).activeHost;
  // Unknown owner (a rebalance under way): answer from here rather than fail.
  if (owner.port === UNAVAILABLE_HOST.port || sameHost(owner, self)) return undefined;
  return owner;
}

/** The other instances of `app` (for a range, which spans every partition). */
export function peers(app: KafkaStreams): HostInfo[] {
  const self = app.applicationServer;
  if (self === undefined) return [];
  const seen = new Map<string, HostInfo>();
  for (const instance of app.allMetadata()) {
    const host = instance.hostInfo;
    if (host.port <= 0 || sameHost(host, self) || instance.activeTasks.length === 0) continue;
    seen.set(`${host.host}:${host.port}`, host);
  }
  return [...seen.values()];
}

function sameHost(a: HostInfo, b: HostInfo): boolean {
  return a.host === b.host && a.port === b.port;
}
