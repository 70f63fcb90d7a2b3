// Account decoding, events, units, funding math and error naming.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { PublicKey } from "@solana/web3.js";
import { BN } from "@anchor-lang/core";
import {
  coder,
  decodeType,
  EVENT_IX_TAG,
  IDL,
  PROGRAM_ERROR_HINTS,
  PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  PYTH_RECEIVER_PROGRAM_ID,
  accountDiscriminator,
  decodeConfig,
  decodePool,
  oracleSource,
  decodePriceUpdateV2,
  decayQ64,
  encodePriceUpdateV2,
  exp2Q64,
  explainCode,
  fundingPerDay,
  formatAmount,
  formatQ64Percent,
  interestRateQ64,
  minOutWithSlippage,
  parseAmount,
  parseEvents,
  parseFeedId,
  premiumOver,
  subAtomsToAtomsCeil,
  subAtomsToAtomsFloor,
  tokenPrice,
  transactionFailed,
  UserInputError,
  type Pool,
  type PoolQuote,
} from "../src";

const key = (seed: number) => new PublicKey(Buffer.alloc(32, seed));
const u64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(v); return b; };
const disc = (prefix: string, name: string) => createHash("sha256").update(`${prefix}:${name}`).digest().subarray(0, 8);

describe("accounts", () => {
  it("discriminators are sha256('account:<Name>')[..8]", () => {
    assert.deepEqual(accountDiscriminator("pool"), disc("account", "Pool"));
    assert.deepEqual(accountDiscriminator("protocolConfig"), disc("account", "ProtocolConfig"));
  });

  it("decodes a ProtocolConfig laid out by hand (8 + 300 bytes)", () => {
    const data = Buffer.concat([
      disc("account", "ProtocolConfig"),
      Buffer.from([1, 254]), Buffer.from([0x06, 0x00]),
      key(1).toBuffer(), key(2).toBuffer(), key(3).toBuffer(), key(4).toBuffer(), key(5).toBuffer(),
      u64(7n), Buffer.alloc(128),
    ]);
    assert.equal(data.length, 308);
    const config = decodeConfig(data);
    assert.equal(config.version, 1);
    assert.equal(config.bump, 254);
    assert.equal(config.paused, 6);
    assert.ok(config.admin.equals(key(1)) && config.legacyPythProgram.equals(key(5)));
    assert.equal(config.poolCount, 7n);
  });

  it("decodes a Pool laid out by hand (8 + 832 bytes), u128 and U256 fields included", () => {
    const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
    const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
    const u128 = (v: bigint) => Buffer.concat([u64(v & ((1n << 64n) - 1n)), u64(v >> 64n)]);
    const r = (123n << 64n) + 5n;
    const data = Buffer.concat([
      disc("account", "Pool"),
      Buffer.from([1, 255, 254, 253, 252, 251, 250, 6]), u64(9n),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((s) => key(s).toBuffer()),
      // params: widest fields first
      u128(150n * 10n ** 18n), u128(0n), u128(0n), u64(1000n), u64(2000n), u64(5n), u64(0n), u32(2), u32(30),
      // books
      u128(r), u128(99n), u128(7n), u128(8n), Buffer.alloc(32, 1), Buffer.alloc(32, 2),
      // the powers kept at the last trade's price
      Buffer.alloc(32, 3), Buffer.alloc(32, 4), Buffer.alloc(32, 5),
      u64(12n), u64(10n), u64(11n), u64(BigInt.asUintN(64, -5n)), u64(21n), u64(22n), u64(23n),
      u64(1000n),
      // oracle limits, then the reserved bytes
      Buffer.from([1]), key(12).toBuffer(), u32(150), u16(100), u16(500), u16(500), u16(0),
      Buffer.alloc(256 - 24 - 96 + 3),
    ]);
    assert.equal(data.length, 840);
    const pool = decodePool(data);
    assert.equal(pool.nonce, 9n);
    assert.equal(pool.collateralDecimals, 6);
    assert.ok(pool.creator.equals(key(1)) && pool.lpMint.equals(key(8)));
    assert.equal(pool.params.mark, 150n * 10n ** 18n);
    assert.equal(pool.params.openingFeeBps, 30);
    assert.equal(pool.books.lastPrice, 7n);
    assert.equal(pool.books.lastInterestSlot, 10n);
    assert.equal(pool.oracle.source, 1);
    assert.equal(oracleSource(pool), "pythLegacy");
    assert.equal(pool.books.r, r);
    assert.equal(pool.books.lastPublishTime, -5n);
    assert.equal(pool.books.protocolFeesOwed, 99n);
    assert.deepEqual(
      [pool.books.circulatingLong, pool.books.circulatingShort, pool.books.circulatingLp],
      [21n, 22n, 23n],
    );
    assert.deepEqual(Array.from(pool.books.powersXk), new Array(32).fill(4));
    assert.deepEqual(Array.from(pool.books.powersXkShort), new Array(32).fill(5));
    assert.equal(pool.createdSlot, 1000n);
  });
});

describe("events", () => {
  it("the self-invocation tag is anchor-lang's EVENT_IX_TAG_LE", () => {
    assert.equal(EVENT_IX_TAG.toString("hex"), "e445a52e51cb9a1d");
  });

  it("decodes an emit_cpi! instruction of the program and ignores others", () => {
    const body = Buffer.concat([key(1).toBuffer(), key(2).toBuffer(), u64(4242n)]);
    const data = Buffer.concat([EVENT_IX_TAG, disc("event", "ProtocolFeesCollected"), body]);
    const events = parseEvents([
      { programId: TOKEN_PROGRAM_ID, data },
      { programId: PROGRAM_ID, data: Buffer.from([1, 2, 3]) },
      { programId: PROGRAM_ID, data },
    ]);
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event.name, "protocolFeesCollected");
    if (event.name !== "protocolFeesCollected") return;
    assert.equal(event.data.amount, 4242n);
    assert.ok(event.data.recipientAccount.equals(key(2)));
  });

  it("every IDL event discriminator is sha256('event:<Name>')[..8]", () => {
    for (const event of IDL.events) {
      const rust = event.name.charAt(0).toUpperCase() + event.name.slice(1);
      assert.deepEqual(Buffer.from(event.discriminator), disc("event", rust), rust);
    }
  });
});

describe("units", () => {
  it("parses human amounts exactly", () => {
    assert.equal(parseAmount("1.5", 6), 1_500_000n);
    assert.equal(parseAmount("0.000001", 6), 1n);
    assert.equal(parseAmount(".5", 6), 500_000n);
    assert.equal(parseAmount("1_000", 0), 1000n);
    for (const bad of ["", "-1", "1e6", "abc", "1.0000001", "1.2.3", "18446744073709551616"]) {
      assert.throws(() => parseAmount(bad, 6), UserInputError, bad);
    }
  });

  it("formats atoms and rounds sub-atoms: receive floors, pay ceils", () => {
    assert.equal(formatAmount(1_500_000n, 6), "1.5");
    assert.equal(formatAmount(1n, 6), "0.000001");
    assert.equal(formatAmount(0n, 6), "0");
    assert.equal(subAtomsToAtomsFloor((5n << 64n) + 1n), 5n);
    assert.equal(subAtomsToAtomsCeil((5n << 64n) + 1n), 6n);
    assert.equal(subAtomsToAtomsCeil(5n << 64n), 5n);
    assert.equal(minOutWithSlippage(10_000n, 50n), 9_950n);
    assert.equal(minOutWithSlippage(3n, 50n), 2n);
    assert.equal(tokenPrice(3n << 64n, 2n), 15n * 10n ** 17n);
  });
});

describe("funding", () => {
  it("exp2 and decay are the program's (docs/spec.md examples)", () => {
    assert.equal(exp2Q64(0n), 1n << 64n);
    assert.equal(exp2Q64(-(1n << 64n)), 1n << 63n);
    assert.equal(exp2Q64(3n << 64n), 1n << 67n);
    assert.equal(exp2Q64(-(64n << 64n)), 1n);
    assert.equal(exp2Q64(-(1n << 63n)), 13043817825332782212n);
    assert.equal(decayQ64(86_400n, 99_813_195n), 18435679347126027009n);
    assert.equal(decayQ64(0n, 5n), 1n << 64n);
    assert.equal(decayQ64(65n * 10n, 10n), 0n);
  });

  it("the default interest half-life charges 0.06 % per day", () => {
    // 1 - 2^(-216000 / 249532987) = 0.00059982003... (checked with 50-digit decimals).
    assert.equal(formatQ64Percent(interestRateQ64(249_532_987n), 6), "0.059982 %");
    assert.equal(interestRateQ64(0n), 0n);
  });

  it("premium moves from the larger side, never past the midpoint", () => {
    const r = 3_000n << 64n;
    const p = premiumOver(2_495_330n, r, 1_500n << 64n, 500n << 64n, 216_000n);
    assert.equal(p.payer, "long");
    assert.ok(p.amount > 0n && p.amount < 500n << 64n);
    assert.equal(premiumOver(2_495_330n, r, 700n, 700n).payer, "none");
    assert.equal(premiumOver(0n, r, 1_500n, 500n).amount, 0n);
  });
});

describe("Pyth PriceUpdateV2", () => {
  it("round-trips and carries the receiver's discriminator", () => {
    const update = {
      writeAuthority: key(3),
      verificationLevel: { kind: "full" as const },
      priceMessage: {
        feedId: parseFeedId("0x" + "ab".repeat(32)),
        price: 150_00000000n, conf: 7_500_000n, exponent: -8,
        publishTime: 1_700_000_000n, prevPublishTime: 1_699_999_999n, emaPrice: 149_00000000n, emaConf: 1n,
      },
      postedSlot: 77n,
    };
    const data = encodePriceUpdateV2(update);
    assert.deepEqual(data.subarray(0, 8), disc("account", "PriceUpdateV2"));
    assert.deepEqual(decodePriceUpdateV2(data), update);
    assert.throws(() => parseFeedId("0x1234"), UserInputError);
  });
});

describe("errors", () => {
  it("every program error of the IDL has a hint, by its Rust name", () => {
    assert.equal(IDL.errors.length, 60);
    for (const error of IDL.errors) {
      const explained = explainCode(error.code);
      assert.ok(PROGRAM_ERROR_HINTS[explained.name], `hint for ${explained.name}`);
      assert.match(explained.name, /^[A-Z]/);
    }
    assert.equal(explainCode(6027).name, "SlippageExceeded");
    assert.equal(explainCode(6050).name, "OracleStale");
  });

  it("names framework, token and Pyth errors by the failing program", () => {
    assert.equal(explainCode(3012).name, "AccountNotInitialized");
    assert.equal(explainCode(2003).name, "ConstraintRaw");
    assert.equal(explainCode(1, TOKEN_PROGRAM_ID).name, "InsufficientFunds");
    assert.equal(explainCode(6006, PYTH_RECEIVER_PROGRAM_ID).name, "WrongWriteAuthority");
    assert.equal(explainCode(16000).name, "PriceTooOld");
    assert.equal(explainCode(424242).name, "Custom424242");
  });

  it("reads RPC error values", () => {
    const programs = [TOKEN_PROGRAM_ID, PROGRAM_ID];
    const failed = transactionFailed({ InstructionError: [1, { Custom: 6039 }] }, ["log"], (i) => programs[i]);
    assert.equal(failed.explained.name, "Paused");
    assert.equal(failed.instructionIndex, 1);
    assert.match(failed.message, /^Paused: /);
    const cpi = transactionFailed(
      { InstructionError: [0, { Custom: 1 }] },
      [`Program ${TOKEN_PROGRAM_ID.toBase58()} failed: custom program error: 0x1`],
      () => PROGRAM_ID,
    );
    assert.equal(cpi.explained.name, "InsufficientFunds", "a CPI's error is named by the program that failed");
    assert.equal(transactionFailed("AccountNotFound", [], () => undefined).explained.name, "AccountNotFound");
    assert.equal(
      transactionFailed({ InstructionError: [0, "MissingRequiredSignature"] }, [], () => undefined).explained.name,
      "MissingRequiredSignature",
    );
  });
});

describe("quote return data", () => {
  it("decodes a quote whose trailing zero bytes the runtime stripped", () => {
    const zeroFunding = { interest: new BN(0), premium: new BN(0), premiumPaidByLong: false, protocolFee: new BN(0) };
    const quote = {
      price: new BN(3000), emaPrice: new BN(3001), r: new BN(9), rLong: new BN(3), rShort: new BN(3), rLp: new BN(3),
      supplyLong: new BN(1000), supplyShort: new BN(1000), supplyLp: new BN(1000),
      pendingFunding: zeroFunding, protocolFeesOwed: new BN(0), slot: new BN(0),
    };
    const full = coder.types.encode("poolQuote", quote);
    let end = full.length;
    while (end > 0 && full[end - 1] === 0) end -= 1;
    const stripped = full.subarray(0, end);
    assert.ok(stripped.length < full.length);
    const decoded = decodeType<{ slot: bigint; supplyLp: bigint; price: bigint }>("poolQuote", Buffer.from(stripped));
    assert.equal(decoded.slot, 0n);
    assert.equal(decoded.supplyLp, 1000n);
    assert.equal(decoded.price, 3000n);
  });
});

describe("funding per day", () => {
  const pool = { params: { interestHalfLife: 2_000_000n, premiumHalfLife: 2_000_000n, feeDivisor: 5n } } as unknown as Pool;
  const quote = (supplyShort: bigint, supplyLp: bigint) =>
    ({
      r: 900n << 64n, rLong: 500n << 64n, rShort: 100n << 64n, rLp: 300n << 64n,
      supplyLong: 500_000n, supplyShort, supplyLp,
    }) as unknown as PoolQuote;

  it("charges interest and premium while the receivers have live holders", () => {
    const day = fundingPerDay(pool, quote(2_000n, 2_000n));
    assert.ok(day.interestRateQ64 > 0n);
    assert.equal(day.premium.payer, "long");
    assert.ok(day.premium.amount > 0n);
  });

  it("charges nothing to a receiver held mostly by its 1000 dead shares, as the program", () => {
    const day = fundingPerDay(pool, quote(1_999n, 1_999n));
    assert.equal(day.interestRateQ64, 0n);
    assert.equal(day.premium.payer, "none");
    assert.equal(day.premium.amount, 0n);
  });
});
