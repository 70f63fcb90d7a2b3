// Instruction encoding against the program's own rule: Anchor's discriminator is
// sha256("global:<snake_case name>")[..8], arguments follow in Borsh. The expected bytes are
// built here by hand, independently of Anchor's TS coder, and the discriminators are also
// checked against the committed IDL. When test/fixtures/rust-instruction-encoding.json exists
// (emitted by the Rust test described in app/README.md), every entry must match as well.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PublicKey } from "@solana/web3.js";
import { readFileSync as read } from "node:fs";
import {
  IDL,
  acceptAdminIx,
  accrueIx,
  closeIx,
  collectProtocolFeesIx,
  createPoolIx,
  initializeConfigIx,
  openIx,
  proposeAdminIx,
  quotePoolIx,
  quoteTradeIx,
  setPauseIx,
  setRolesIx,
  swapIx,
  poolAddresses,
  type PoolContext,
} from "../src";
import { generatedSource } from "../scripts/gen-idl";

const rawIdl = JSON.parse(read(join(__dirname, "..", "..", "idl", "asymptote.json"), "utf8")) as {
  instructions: { name: string; discriminator: number[]; accounts: { name: string; writable?: boolean; signer?: boolean }[] }[];
};

const sighash = (snake: string) => createHash("sha256").update(`global:${snake}`).digest().subarray(0, 8);
const u8 = (v: number) => Buffer.from([v]);
const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const u64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(v); return b; };
const u128 = (v: bigint) => Buffer.concat([u64(v & ((1n << 64n) - 1n)), u64(v >> 64n)]);
const key = (seed: number) => new PublicKey(Buffer.alloc(32, seed));

const pool = poolAddresses(key(9));
const ctx: PoolContext = { ...pool, collateralMint: key(10), collateralTokenProgram: key(11), oracle: key(12) };
const SIDE = { collateral: 0, long: 1, short: 2, lp: 3 };

describe("instruction encoding", () => {
  it("the generated TypeScript IDL matches idl/asymptote.json", () => {
    const committed = readFileSync(join(__dirname, "..", "src", "generated", "asymptote.ts"), "utf8");
    assert.equal(committed, generatedSource(readFileSync(join(__dirname, "..", "..", "idl", "asymptote.json"), "utf8")));
  });

  it("every IDL discriminator is sha256('global:<name>')[..8]", () => {
    assert.equal(rawIdl.instructions.length, 13);
    for (const ix of rawIdl.instructions) {
      assert.deepEqual([...sighash(ix.name)], ix.discriminator, ix.name);
    }
  });

  const cases: [string, ReturnType<typeof openIx>, Buffer][] = [
    ["initialize_config", initializeConfigIx(key(1), { guardian: key(2), feeRecipient: key(3), legacyPythProgram: key(4) }),
      Buffer.concat([key(2).toBuffer(), key(3).toBuffer(), key(4).toBuffer()])],
    ["open", openIx(ctx, { trader: key(1) }, { side: "short", amountIn: 1_500_000n, minOut: 7n, expirySlot: 99n }),
      Buffer.concat([u8(SIDE.short), u64(1_500_000n), u64(7n), u64(99n)])],
    ["close", closeIx(ctx, { trader: key(1) }, { side: "lp", amount: 2n ** 64n - 1n, minOut: 0n }),
      Buffer.concat([u8(SIDE.lp), u64(2n ** 64n - 1n), u64(0n), u64(0n)])],
    ["swap", swapIx(ctx, { trader: key(1) }, { sideIn: "long", sideOut: "lp", amount: 5n, minOut: 4n, expirySlot: 3n }),
      Buffer.concat([u8(SIDE.long), u8(SIDE.lp), u64(5n), u64(4n), u64(3n)])],
    ["accrue", accrueIx(ctx), Buffer.alloc(0)],
    ["collect_protocol_fees", collectProtocolFeesIx(ctx, key(5)), Buffer.alloc(0)],
    ["set_pause", setPauseIx(key(1), 0x2a), u16(0x2a)],
    ["propose_admin", proposeAdminIx(key(1), key(6)), key(6).toBuffer()],
    ["accept_admin", acceptAdminIx(key(1)), Buffer.alloc(0)],
    ["set_roles", setRolesIx(key(1), key(7), key(8)), Buffer.concat([key(7).toBuffer(), key(8).toBuffer()])],
    ["quote_trade", quoteTradeIx(ctx, "collateral", "long", 123n), Buffer.concat([u8(SIDE.collateral), u8(SIDE.long), u64(123n)])],
    ["quote_pool", quotePoolIx(ctx), Buffer.alloc(0)],
  ];

  const feed = Buffer.alloc(32, 0xab);
  const createArgs = {
    nonce: 3n,
    params: {
      k: 4, mark: 150n * 10n ** 18n, interestHalfLife: 249_532_987n, premiumHalfLife: 2_495_330n, openingFeeBps: 30,
      feeDivisor: 5n, skewLambda: 1n << 63n, skewCap: 3n << 64n, skewDepthCap: 1_000_000n,
    },
    oracle: {
      source: { pythPull: {} } as never, key: [...feed], maxAge: 60, maxConfBpsOpen: 100, maxConfBpsClose: 500,
      maxEmaDivergenceBps: 500, confWideningBps: 25,
    },
    deposit: 1_000_000_000n,
    longBps: 2500,
    shortBps: 2000,
  };
  cases.push([
    "create_pool",
    createPoolIx({ creator: key(1), collateralMint: key(10), collateralTokenProgram: key(11), oracle: key(12) }, createArgs),
    Buffer.concat([
      u64(3n),
      // PoolParams: widest fields first (the layout the pool stores, without padding)
      u128(150n * 10n ** 18n), u128(1n << 63n), u128(3n << 64n), u64(249_532_987n), u64(2_495_330n), u64(5n), u64(1_000_000n),
      u32(4), u32(30),
      u8(0), feed, u32(60), u16(100), u16(500), u16(500), u16(25),
      u64(1_000_000_000n), u16(2500), u16(2000),
    ]),
  ]);

  for (const [name, ix, args] of cases) {
    it(`${name}: bytes and account flags`, () => {
      assert.equal(ix.data.toString("hex"), Buffer.concat([sighash(name), args]).toString("hex"));
      const entry = rawIdl.instructions.find((i) => i.name === name);
      assert.ok(entry);
      assert.equal(ix.keys.length, entry.accounts.length);
      entry.accounts.forEach((account, i) => {
        assert.equal(ix.keys[i].isWritable, account.writable === true, `${name}.${account.name} writable`);
        assert.equal(ix.keys[i].isSigner, account.signer === true, `${name}.${account.name} signer`);
      });
    });
  }

  it("every instruction of the IDL has a builder under test", () => {
    assert.deepEqual(new Set(cases.map(([n]) => n)), new Set(rawIdl.instructions.map((i) => i.name)));
    assert.equal(IDL.instructions.length, cases.length);
  });

  const fixture = join(__dirname, "fixtures", "rust-instruction-encoding.json");
  it("matches the Rust program's own encoding (fixture)", { skip: !existsSync(fixture) && "no Rust fixture file" }, () => {
    const entries = JSON.parse(readFileSync(fixture, "utf8")) as { name: string; data_hex: string }[];
    for (const entry of entries) {
      const found = cases.find(([n]) => n === entry.name);
      assert.ok(found, `fixture names unknown instruction ${entry.name}`);
      assert.equal(found[1].data.toString("hex"), entry.data_hex, entry.name);
    }
  });
});
