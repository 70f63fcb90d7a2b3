// Human amounts in and out. Everything is bigint; strings are parsed digit by digit, never
// through a float. Rounding: what a user receives floors, what a user pays ceils.
import { PRICE_DECIMALS, SUB_ATOM_BITS } from "./constants";

/** A mistake in what the user typed (reported without a stack trace). */
export class UserInputError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = "UserInputError";
  }
}

/** "1.5" with 6 decimals -> 1_500_000n. Refuses negatives, exponents and excess decimals. */
export function parseAmount(text: string, decimals: number): bigint {
  const trimmed = text.trim().replace(/_/g, "");
  const match = /^(\d*)(?:\.(\d*))?$/.exec(trimmed);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) {
    throw new UserInputError("BadAmount", `"${text}" is not an amount (use digits and at most one '.', e.g. 12.5)`);
  }
  const whole = match[1] === "" ? "0" : match[1];
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    throw new UserInputError("BadAmount", `"${text}" has more than ${decimals} decimals`);
  }
  const atoms = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (atoms >= 1n << 64n) throw new UserInputError("BadAmount", `"${text}" is too large`);
  return atoms;
}

/** 1_500_000n with 6 decimals -> "1.5" (exact, trailing zeros trimmed). */
export function formatAmount(atoms: bigint, decimals: number): string {
  const negative = atoms < 0n;
  const abs = negative ? -atoms : atoms;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** Sub-atoms (atoms x 2^64) to atoms, rounded down: what a user would receive. */
export const subAtomsToAtomsFloor = (subAtoms: bigint): bigint => subAtoms >> SUB_ATOM_BITS;

/** Sub-atoms to atoms, rounded up: what a user would pay. */
export function subAtomsToAtomsCeil(subAtoms: bigint): bigint {
  const floor = subAtoms >> SUB_ATOM_BITS;
  return floor << SUB_ATOM_BITS === subAtoms ? floor : floor + 1n;
}

/** A normalised program price (18 decimals) as text, cut to `digits` decimals (floor). */
export function formatPrice(price: bigint, digits = 6): string {
  const cut = price / 10n ** BigInt(PRICE_DECIMALS - digits);
  return formatAmount(cut, digits);
}

/** `numerator / denominator` as a decimal string with `digits` decimals, rounded down. */
export function formatRatio(numerator: bigint, denominator: bigint, digits = 6): string {
  if (denominator === 0n) return "n/a";
  return formatAmount((numerator * 10n ** BigInt(digits)) / denominator, digits);
}

/** A Q64 fraction (x 2^64) as a percentage with `digits` decimals, rounded down. */
export function formatQ64Percent(q64: bigint, digits = 4): string {
  return formatRatio(q64 * 100n, 1n << 64n, digits) + " %";
}

/** Basis points from a human percentage ("0.5" -> 50n); refuses fractions of a bp. */
export function parsePercentToBps(text: string): bigint {
  return parseAmount(text, 2);
}
