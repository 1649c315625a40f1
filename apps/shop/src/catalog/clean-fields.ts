/**
 * Field cleaners shared by both feeds. Each returns the clean value or throws a `FieldProblem` naming the field,
 * which the feed cleaner turns into a reject reason.
 */
import type { Attributes } from './catalog-schemas.js';

export class FieldProblem extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

const MAX_TEXT = 500;

/** Trimmed text with inner runs of whitespace collapsed to one space; null when absent and optional. */
export function text(record: Readonly<Record<string, unknown>>, field: string, required: true): string;
export function text(record: Readonly<Record<string, unknown>>, field: string, required: false): string | null;
export function text(record: Readonly<Record<string, unknown>>, field: string, required: boolean): string | null {
  const value = record[field];
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    if (required) throw new FieldProblem(field, 'missing or empty');
    return null;
  }
  if (typeof value !== 'string') throw new FieldProblem(field, `must be a string (got ${typeof value})`);
  const clean = value.trim().replace(/\s+/g, ' ');
  if (clean.length > MAX_TEXT) throw new FieldProblem(field, `longer than ${MAX_TEXT} characters`);
  return clean;
}

/**
 * A non-negative finite number; numeric strings ("12.5", " 3 ") are accepted because supplier exports often quote
 * numbers. `prefix` strips a currency sign such as "$".
 */
export function amount(record: Readonly<Record<string, unknown>>, field: string, required: true, prefix?: string): number;
export function amount(record: Readonly<Record<string, unknown>>, field: string, required: false, prefix?: string): number | null;
export function amount(record: Readonly<Record<string, unknown>>, field: string, required: boolean, prefix = ''): number | null {
  const value = record[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw new FieldProblem(field, 'missing');
    return null;
  }
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    let s = value.trim();
    if (prefix !== '' && s.startsWith(prefix)) s = s.slice(prefix.length).trim();
    n = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : Number.NaN;
  } else throw new FieldProblem(field, `must be a number (got ${typeof value})`);
  if (!Number.isFinite(n)) throw new FieldProblem(field, `not a number: ${JSON.stringify(value)}`);
  if (n < 0) throw new FieldProblem(field, `must not be negative (got ${n})`);
  return n;
}

/** A flat map of scalar attributes: string values trimmed, empty ones and nested values dropped. */
export function attributes(record: Readonly<Record<string, unknown>>, field: string): Attributes {
  const value = record[field];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new FieldProblem(field, 'must be an object');
  const out: Record<string, string | number | boolean> = {};
  for (const [rawKey, v] of Object.entries(value as Record<string, unknown>)) {
    const key = rawKey.trim();
    if (key === '') continue;
    if (typeof v === 'string') {
      const s = v.trim();
      if (s !== '') out[key] = s;
    } else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') out[key] = v;
  }
  return out;
}
