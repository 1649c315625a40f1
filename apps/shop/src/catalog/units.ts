/**
 * Fixed conversion factors of the cleaning stage. The USD→EUR rate is deliberately a constant, not a live quote:
 * the pipeline must give the same product for the same feed record on every replay, and a moving rate would make
 * re-processing change prices. Change it here (and in apps/shop/README.md) when the business sets a new rate.
 */
export const USD_TO_EUR = 0.92;
/** Exact by definition (international inch, 1959). */
export const CM_PER_INCH = 2.54;
/** Exact by definition (international avoirdupois pound, 1959). */
export const KG_PER_POUND = 0.45359237;

/** Rounds to `decimals` places, half away from zero, without binary-fraction surprises such as 1.005 → 1. */
export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.sign(value) * Math.round(Math.abs(value) * factor + Number.EPSILON * factor) / factor;
}
