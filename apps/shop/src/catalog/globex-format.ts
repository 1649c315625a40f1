/**
 * globex's feed: `{ sku, ean, name, maker, dept, widthIn, weightLb, priceUsd, specs }` — imperial units and US
 * dollars, converted here to centimetres, kilograms and euros at the fixed rate of `units.ts`.
 */
import { amount, attributes, text } from './clean-fields.js';
import type { SupplierFormat } from './supplier-format.js';
import { CM_PER_INCH, KG_PER_POUND, round, USD_TO_EUR } from './units.js';

export const globexFormat: SupplierFormat = {
  supplier: 'globex',
  gtinField: 'ean',
  toOffer(record, sku, gtin) {
    const usd = amount(record, 'priceUsd', true, '$');
    const widthIn = amount(record, 'widthIn', false);
    const weightLb = amount(record, 'weightLb', false);
    const dept = text(record, 'dept', false);
    return {
      supplier: 'globex',
      sku,
      gtin,
      title: text(record, 'name', true),
      brand: text(record, 'maker', false),
      category: dept === null ? null : dept.toLowerCase(),
      widthCm: widthIn === null ? null : round(widthIn * CM_PER_INCH, 2),
      weightKg: weightLb === null ? null : round(weightLb * KG_PER_POUND, 3),
      price: { amount: round(usd * USD_TO_EUR, 2), currency: 'EUR' },
      attributes: attributes(record, 'specs'),
    };
  },
};
