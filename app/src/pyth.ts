// Pyth pull-oracle accounts: the `PriceUpdateV2` byte layout (owner: the receiver program),
// feed ids, and the program's price normalisation. The layout is what the program reads
// (pyth-solana-receiver-sdk 2.0; see tests/src/oracle.rs for the Rust side).
import { createHash } from "node:crypto";
import { PublicKey } from "@solana/web3.js";
import { PRICE_DECIMALS } from "./constants";
import { UserInputError } from "./units";

export const PRICE_UPDATE_V2_DISCRIMINATOR = createHash("sha256")
  .update("account:PriceUpdateV2")
  .digest()
  .subarray(0, 8);
/** Allocated size of a PriceUpdateV2 account (a partial verification level takes one byte more than full). */
export const PRICE_UPDATE_V2_LEN = 134;

export type VerificationLevel = { kind: "full" } | { kind: "partial"; numSignatures: number };

export interface PriceMessage {
  feedId: Uint8Array;
  price: bigint;
  conf: bigint;
  exponent: number;
  publishTime: bigint;
  prevPublishTime: bigint;
  emaPrice: bigint;
  emaConf: bigint;
}

export interface PriceUpdateV2 {
  writeAuthority: PublicKey;
  verificationLevel: VerificationLevel;
  priceMessage: PriceMessage;
  postedSlot: bigint;
}

export function encodePriceUpdateV2(update: PriceUpdateV2): Buffer {
  const out = Buffer.alloc(PRICE_UPDATE_V2_LEN);
  let at = 0;
  PRICE_UPDATE_V2_DISCRIMINATOR.copy(out, at);
  at += 8;
  update.writeAuthority.toBuffer().copy(out, at);
  at += 32;
  if (update.verificationLevel.kind === "full") {
    out.writeUInt8(1, at++);
  } else {
    out.writeUInt8(0, at++);
    out.writeUInt8(update.verificationLevel.numSignatures, at++);
  }
  const m = update.priceMessage;
  if (m.feedId.length !== 32) throw new RangeError("feed id must be 32 bytes");
  Buffer.from(m.feedId).copy(out, at);
  at += 32;
  at = out.writeBigInt64LE(m.price, at);
  at = out.writeBigUInt64LE(m.conf, at);
  at = out.writeInt32LE(m.exponent, at);
  at = out.writeBigInt64LE(m.publishTime, at);
  at = out.writeBigInt64LE(m.prevPublishTime, at);
  at = out.writeBigInt64LE(m.emaPrice, at);
  at = out.writeBigUInt64LE(m.emaConf, at);
  out.writeBigUInt64LE(update.postedSlot, at);
  return out;
}

export function decodePriceUpdateV2(data: Uint8Array): PriceUpdateV2 {
  const buf = Buffer.from(data);
  if (buf.length < 133 || !buf.subarray(0, 8).equals(PRICE_UPDATE_V2_DISCRIMINATOR)) {
    throw new Error("not a PriceUpdateV2 account");
  }
  let at = 8;
  const writeAuthority = new PublicKey(buf.subarray(at, at + 32));
  at += 32;
  const level = buf.readUInt8(at++);
  const verificationLevel: VerificationLevel =
    level === 1 ? { kind: "full" } : { kind: "partial", numSignatures: buf.readUInt8(at++) };
  const feedId = Uint8Array.from(buf.subarray(at, at + 32));
  at += 32;
  const price = buf.readBigInt64LE(at);
  const conf = buf.readBigUInt64LE(at + 8);
  const exponent = buf.readInt32LE(at + 16);
  const publishTime = buf.readBigInt64LE(at + 20);
  const prevPublishTime = buf.readBigInt64LE(at + 28);
  const emaPrice = buf.readBigInt64LE(at + 36);
  const emaConf = buf.readBigUInt64LE(at + 44);
  const postedSlot = buf.readBigUInt64LE(at + 52);
  return {
    writeAuthority,
    verificationLevel,
    priceMessage: { feedId, price, conf, exponent, publishTime, prevPublishTime, emaPrice, emaConf },
    postedSlot,
  };
}

/** A feed id from 64 hex characters (with or without 0x). */
export function parseFeedId(text: string): Uint8Array {
  const hex = text.trim().replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new UserInputError("BadFeedId", `"${text}" is not a Pyth feed id (64 hex characters, optional 0x)`);
  }
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

export const feedIdHex = (feedId: Uint8Array): string => "0x" + Buffer.from(feedId).toString("hex");

/** A Pyth value with exponent `e` (-18..0) in the program's 18-decimal unit. */
export function normalisePythValue(value: bigint, exponent: number): bigint {
  if (exponent < -PRICE_DECIMALS || exponent > 0) throw new RangeError("exponent out of range");
  return value * 10n ** BigInt(PRICE_DECIMALS + exponent);
}
