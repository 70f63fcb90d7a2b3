// One Borsh coder built from the committed IDL, and the conversion between Anchor's BN
// values and the bigint values this package exposes (no floats anywhere on value paths).
import { BN, BorshCoder, type IdlTypes } from "@anchor-lang/core";
import { PublicKey } from "@solana/web3.js";
import { IDL, type Asymptote } from "./generated/asymptote";

export const coder = new BorshCoder(IDL);

/** Anchor's decoded shape with every BN replaced by bigint. */
export type Bigints<T> = T extends BN
  ? bigint
  : T extends PublicKey
    ? PublicKey
    : T extends Uint8Array
      ? T
      : T extends readonly (infer U)[]
        ? Bigints<U>[]
        : T extends object
          ? { [K in keyof T]: Bigints<T[K]> }
          : T;

/** The same shape with bigint replaced by BN, as Anchor's coder wants its input. */
export type Bns<T> = T extends bigint
  ? BN
  : T extends PublicKey
    ? PublicKey
    : T extends Uint8Array
      ? T
      : T extends readonly (infer U)[]
        ? Bns<U>[]
        : T extends object
          ? { [K in keyof T]: Bns<T[K]> }
          : T;

type Types = IdlTypes<Asymptote>;

export type ProtocolConfig = Bigints<Types["protocolConfig"]>;
export type Pool = Bigints<Types["pool"]>;
export type PoolParams = Bigints<Types["poolParams"]>;
export type OracleConfig = Bigints<Types["oracleConfig"]>;
export type PoolBooks = Bigints<Types["poolBooks"]>;
export type PoolSnapshot = Bigints<Types["poolSnapshot"]>;
export type FundingPaid = Bigints<Types["fundingPaid"]>;
export type TradeQuote = Bigints<Types["tradeQuote"]>;
export type PoolQuote = Bigints<Types["poolQuote"]>;
export type CreatePoolArgs = Bigints<Types["createPoolArgs"]>;
export type OpenArgs = Bigints<Types["openArgs"]>;
export type CloseArgs = Bigints<Types["closeArgs"]>;
export type SwapArgs = Bigints<Types["swapArgs"]>;
export type InitializeConfigArgs = Bigints<Types["initializeConfigArgs"]>;
/** Anchor's enum encoding: `{ long: {} }`. */
export type TradeSideEnum = Types["tradeSide"];
export type OracleSourceEnum = Types["oracleSource"];

/** A side of a trade, by name. */
export type TradeSide = "collateral" | "long" | "short" | "lp";
/** A token side (what open and close take). */
export type Side = Exclude<TradeSide, "collateral">;
export type OracleSource = "pythPull" | "pythLegacy";

export const tradeSideEnum = (side: TradeSide): TradeSideEnum =>
  ({ [side]: {} }) as unknown as TradeSideEnum;

/** The variant name of an Anchor-decoded enum value (`{ long: {} }` -> "long"). */
export function variantName<T extends string>(value: unknown): T {
  const keys = value !== null && typeof value === "object" ? Object.keys(value) : [];
  if (keys.length !== 1) throw new TypeError(`not an enum value: ${String(value)}`);
  return keys[0] as T;
}

export function toBigints<T>(value: T): Bigints<T> {
  return convert(value, (v) => (BN.isBN(v) ? BigInt((v).toString()) : undefined)) as Bigints<T>;
}

export function toBns<T>(value: T): Bns<T> {
  return convert(value, (v) => (typeof v === "bigint" ? new BN(v.toString()) : undefined)) as Bns<T>;
}

function convert(value: unknown, leaf: (v: unknown) => unknown): unknown {
  const replaced = leaf(value);
  if (replaced !== undefined) return replaced;
  if (value === null || typeof value !== "object") return value;
  if (value instanceof PublicKey || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v) => convert(v, leaf));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = convert(v, leaf);
  return out;
}

/** Largest return data a Solana program can set. */
export const MAX_RETURN_DATA = 1024;

/**
 * Decode a defined IDL type (return data of the quote instructions). The runtime strips
 * trailing zero bytes from return data (a quote whose last fields are 0, such as slot 0 with
 * no fees owed, arrives short), so the bytes are padded back with zeros first.
 */
export function decodeType<T>(name: "tradeQuote" | "poolQuote", data: Buffer): Bigints<T> {
  const padded = Buffer.concat([data, Buffer.alloc(Math.max(0, MAX_RETURN_DATA - data.length))]);
  return toBigints(coder.types.decode<T>(name, padded));
}
