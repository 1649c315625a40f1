/**
 * GTINs (GS1 Global Trade Item Numbers: GTIN-8, UPC-A/GTIN-12, EAN/GTIN-13, GTIN-14). Both feeds name products by
 * GTIN in different lengths, so the pipeline keys every product by one canonical form: 13 digits when the number fits
 * (shorter forms zero-padded, a GTIN-14 with indicator digit 0 unpadded), else 14. An EAN-13 stays as it was given,
 * so `GET /v1/catalog/products/{ean}` finds the product under the number a supplier sent.
 */

export type GtinCheck = { readonly ok: true; readonly gtin: string } | { readonly ok: false; readonly reason: string };

const LENGTHS: ReadonlySet<number> = new Set([8, 12, 13, 14]);

/** The GS1 check digit of `body` (all digits but the last): weights 3,1,3,... from the right. */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** Validates `raw` (a string or number; spaces and hyphens between digit groups are allowed) and canonicalises it. */
export function checkGtin(raw: unknown): GtinCheck {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) raw = String(raw);
  if (typeof raw !== 'string') return { ok: false, reason: 'missing or not a string' };
  const digits = raw.trim().replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return { ok: false, reason: `not all digits: ${JSON.stringify(raw)}` };
  if (!LENGTHS.has(digits.length)) return { ok: false, reason: `must have 8, 12, 13 or 14 digits (got ${digits.length})` };
  const expected = gtinCheckDigit(digits.slice(0, -1));
  const actual = Number(digits.slice(-1));
  if (expected !== actual) return { ok: false, reason: `check digit mismatch: expected ${expected}, got ${actual}` };
  return { ok: true, gtin: canonicalGtin(digits) };
}

/** 13 digits when possible (the check digit is unchanged by leading zeros), else the full GTIN-14. */
function canonicalGtin(digits: string): string {
  if (digits.length < 13) return digits.padStart(13, '0');
  if (digits.length === 14 && digits.startsWith('0')) return digits.slice(1);
  return digits;
}
