/**
 * acme's feed: `{ sku, gtin, title, brand, category, widthCm, weightKg, priceEurCents, attributes }` — already
 * metric and in euro cents, so cleaning is trimming and type checks.
 */
import { amount, attributes, FieldProblem, text } from './clean-fields.js';
import type { SupplierFormat } from './supplier-format.js';
import { round } from './units.js';

export const acmeFormat: SupplierFormat = {
  supplier: 'acme',
  gtinField: 'gtin',
  toOffer(record, sku, gtin) {
    const cents = amount(record, 'priceEurCents', true);
    if (!Number.isInteger(cents)) throw new FieldProblem('priceEurCents', `must be a whole number of cents (got ${cents})`);
    const widthCm = amount(record, 'widthCm', false);
    const weightKg = amount(record, 'weightKg', false);
    const category = text(record, 'category', false);
    return {
      supplier: 'acme',
      sku,
      gtin,
      title: text(record, 'title', true),
      brand: text(record, 'brand', false),
      category: category === null ? null : category.toLowerCase(),
      widthCm: widthCm === null ? null : round(widthCm, 2),
      weightKg: weightKg === null ? null : round(weightKg, 3),
      price: { amount: round(cents / 100, 2), currency: 'EUR' },
      attributes: attributes(record, 'attributes'),
    };
  },
};
