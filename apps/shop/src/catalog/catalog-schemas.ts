/**
 * The catalog's record shapes (system-spec.md, "Catalog pipeline and search"). Feed records are read as plain JSON
 * on purpose: judging them is the pipeline's job, and a malformed one must end up in `catalog-rejects` with a
 * reason rather than be dropped by a deserializer.
 */
import { z } from 'zod';

export const SUPPLIERS = ['acme', 'globex'] as const;
export type Supplier = (typeof SUPPLIERS)[number];

export function isSupplier(name: string): name is Supplier {
  return (SUPPLIERS as ReadonlyArray<string>).includes(name);
}

/** Any JSON value a supplier sent (objects are what the feeds should carry; anything else is rejected). */
export type FeedRecord = unknown;

export const MoneySchema = z.object({ amount: z.number(), currency: z.literal('EUR') });
export type Money = z.infer<typeof MoneySchema>;

/** Attribute values kept from the feeds: scalars only, so they index and compare plainly. */
export const AttributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type Attributes = z.infer<typeof AttributesSchema>;

/** One supplier's offer after cleaning: trimmed, metric, in EUR, with a valid canonical GTIN. */
export interface Offer {
  readonly supplier: Supplier;
  readonly sku: string;
  readonly gtin: string;
  readonly title: string;
  readonly brand: string | null;
  readonly category: string | null;
  readonly widthCm: number | null;
  readonly weightKg: number | null;
  readonly price: Money;
  readonly attributes: Attributes;
}

export const SourceSchema = z.object({ supplier: z.enum(SUPPLIERS), sku: z.string() });
export type Source = z.infer<typeof SourceSchema>;

/** A `catalog-products` value: the merged, amended product (the topic is compacted, keyed by GTIN). */
export const CatalogProductSchema = z.object({
  gtin: z.string().min(1),
  title: z.string(),
  brand: z.string().nullable(),
  category: z.string().nullable(),
  widthCm: z.number().nullable(),
  weightKg: z.number().nullable(),
  price: MoneySchema,
  sources: z.array(SourceSchema),
  available: z.number().int().nonnegative(),
  attributes: AttributesSchema,
});
export type CatalogProduct = z.infer<typeof CatalogProductSchema>;

/** A `catalog-rejects` value: the raw record's fields plus why it was rejected and by which feed. */
export type CatalogReject = Readonly<Record<string, unknown>> & { readonly reason: string; readonly supplier: Supplier };
