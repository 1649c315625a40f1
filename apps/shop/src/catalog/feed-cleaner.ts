/**
 * The clean stage of one supplier feed (keyed by supplier sku): checks sku and GTIN, normalises the record into an
 * `Offer`, and rejects what cannot be cleaned with a reason. A per-sku store remembers the GTIN each sku last
 * named, so that a deletion record needs only its sku and a sku that moves to another GTIN withdraws its old offer.
 * A rejected update leaves the sku's last good offer in place.
 */
import type { KeyValueStore, Processor, ProcessorContext, StreamRecord } from '@tributary/streams';
import type { CleanerOutput, CatalogEvent } from './catalog-events.js';
import { FieldProblem, text } from './clean-fields.js';
import { checkGtin } from './gtin.js';
import type { SupplierFormat } from './supplier-format.js';

/** The store name of a supplier's sku → GTIN map. */
export const skuGtinStore = (supplier: string): string => `${supplier}-sku-gtin`;

export class FeedCleaner implements Processor<string | null, unknown, string | null, CleanerOutput> {
  private context!: ProcessorContext<string | null, CleanerOutput>;
  private skuGtin!: KeyValueStore<string, string>;

  constructor(private readonly format: SupplierFormat) {}

  init(context: ProcessorContext<string | null, CleanerOutput>): void {
    this.context = context;
    this.skuGtin = context.getStateStore<KeyValueStore<string, string>>(skuGtinStore(this.format.supplier));
  }

  process(record: StreamRecord<string | null, unknown>): void {
    const { key, value, timestamp } = record;
    if (value === null || value === undefined) {
      // A feed tombstone says the supplier dropped the sku: the same as `deleted: true`.
      if (key !== null) this.remove(key, null, timestamp);
      return;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      return this.reject(key, { raw: value }, 'record must be a JSON object', timestamp);
    }
    const fields = value as Readonly<Record<string, unknown>>;
    let sku: string;
    try {
      sku = text(fields, 'sku', true);
    } catch (error) {
      if (key === null || !(error instanceof FieldProblem)) return this.reject(key, fields, problem(error), timestamp);
      // The key is the sku the feed was written under; a record that only lacks the field still belongs to it.
      sku = key;
    }
    if (fields['deleted'] === true) {
      if (!this.remove(sku, fields[this.format.gtinField], timestamp)) {
        this.reject(sku, fields, 'deleted: unknown sku and no valid GTIN, nothing to delete', timestamp);
      }
      return;
    }
    const gtin = checkGtin(fields[this.format.gtinField]);
    if (!gtin.ok) return this.reject(sku, fields, `${this.format.gtinField}: ${gtin.reason}`, timestamp);
    let offer;
    try {
      offer = this.format.toOffer(fields, sku, gtin.gtin);
    } catch (error) {
      return this.reject(sku, fields, problem(error), timestamp);
    }
    const previous = this.skuGtin.get(sku);
    if (previous !== null && previous !== gtin.gtin) {
      this.emit(sku, previous, { type: 'withdraw', supplier: this.format.supplier, sku }, timestamp);
    }
    this.skuGtin.put(sku, gtin.gtin);
    this.emit(sku, gtin.gtin, { type: 'offer', offer }, timestamp);
  }

  /** Deletes the product `sku` last offered (or the one `rawGtin` names); false when neither is known. */
  private remove(sku: string, rawGtin: unknown, timestamp: number): boolean {
    const known = this.skuGtin.get(sku);
    const given = checkGtin(rawGtin);
    const gtin = known ?? (given.ok ? given.gtin : null);
    if (gtin === null) return false;
    this.skuGtin.delete(sku);
    this.emit(sku, gtin, { type: 'delete', supplier: this.format.supplier, sku }, timestamp);
    return true;
  }

  private emit(sku: string, gtin: string, event: CatalogEvent, timestamp: number): void {
    this.context.forward({ key: sku, value: { kind: 'event', gtin, event }, timestamp, headers: {} });
  }

  private reject(sku: string | null, fields: Readonly<Record<string, unknown>>, reason: string, timestamp: number): void {
    const reject = { ...fields, supplier: this.format.supplier, reason };
    this.context.forward({ key: sku, value: { kind: 'reject', reject }, timestamp, headers: {} });
  }
}

function problem(error: unknown): string {
  if (error instanceof FieldProblem) return error.message;
  throw error;
}
