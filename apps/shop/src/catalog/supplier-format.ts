/** What the feed cleaner needs to know about one supplier's record shape. */
import type { Offer, Supplier } from './catalog-schemas.js';

export interface SupplierFormat {
  readonly supplier: Supplier;
  /** The field that carries the GTIN (`gtin` for acme, `ean` for globex). */
  readonly gtinField: string;
  /**
   * The clean offer for `record` (sku and GTIN already checked). Throws a `FieldProblem` for a field that cannot be
   * cleaned; the record is then rejected with that reason.
   */
  toOffer(record: Readonly<Record<string, unknown>>, sku: string, gtin: string): Offer;
}
