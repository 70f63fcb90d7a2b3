// PDAs: derived from the seeds the IDL records for the program's own accounts, from the
// SPL rule for associated accounts, and from the loader rule for ProgramData.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import {
  IDL,
  PROGRAM_ID,
  associatedTokenAddress,
  configAddress,
  createPoolIx,
  eventAuthorityAddress,
  poolAddress,
  poolAddresses,
  programDataAddress,
  sponsoredPriceFeedAddress,
  u64Le,
} from "../src";

const key = (seed: number) => new PublicKey(Buffer.alloc(32, seed));

describe("PDAs", () => {
  it("config and event authority follow their seeds", () => {
    assert.ok(configAddress().equals(PublicKey.findProgramAddressSync([Buffer.from("config")], PROGRAM_ID)[0]));
    assert.ok(eventAuthorityAddress().equals(PublicKey.findProgramAddressSync([Buffer.from("__event_authority")], PROGRAM_ID)[0]));
    assert.ok(!configAddress().equals(configAddress(key(3))), "depends on the program id");
  });

  it("pool and its children match the IDL's create_pool seeds", () => {
    const entry = IDL.instructions.find((i) => i.name === "createPool");
    assert.ok(entry);
    const mint = key(1);
    const feed = Buffer.alloc(32, 7);
    const pool = poolAddress(mint, feed, 42n);
    const ix = createPoolIx(
      { creator: key(2), collateralMint: mint, collateralTokenProgram: key(4), oracle: key(5) },
      {
        nonce: 42n,
        params: { k: 2, mark: 0n, interestHalfLife: 0n, premiumHalfLife: 0n, openingFeeBps: 0, feeDivisor: 0n, skewLambda: 0n, skewCap: 0n, skewDepthCap: 0n },
        oracle: { source: { pythPull: {} }, key: [...feed], maxAge: 60, maxConfBpsOpen: 1, maxConfBpsClose: 1, maxEmaDivergenceBps: 1, confWideningBps: 0 },
        deposit: 1n,
        longBps: 0,
        shortBps: 0,
      },
    );
    const byName = new Map(entry.accounts.map((a, i) => [a.name as string, ix.keys[i].pubkey]));
    const values: Record<string, Buffer> = { collateralMint: mint.toBuffer(), pool: pool.toBuffer(), "args.oracle.key": feed, "args.nonce": u64Le(42n) };
    type Seed = { kind: string; value?: number[]; path?: string };
    for (const account of entry.accounts as readonly { name: string; pda?: { seeds: Seed[]; program?: unknown } }[]) {
      if (!account.pda || account.pda.program) continue;
      const seeds = account.pda.seeds.map((s) => (s.kind === "const" ? Buffer.from(s.value ?? []) : values[s.path ?? ""]));
      const expected = PublicKey.findProgramAddressSync(seeds, PROGRAM_ID)[0];
      assert.ok(byName.get(account.name)?.equals(expected), account.name);
    }
    const children = poolAddresses(pool);
    assert.ok(children.longMint.equals(byName.get("longMint") as PublicKey));
    assert.ok(children.authority.equals(byName.get("poolAuthority") as PublicKey));
  });

  it("associated token accounts follow the SPL rule", () => {
    assert.ok(associatedTokenAddress(key(1), key(2)).equals(getAssociatedTokenAddressSync(key(2), key(1), true)));
  });

  it("ProgramData is [program id] under the upgradeable loader", () => {
    const loader = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");
    assert.ok(programDataAddress().equals(PublicKey.findProgramAddressSync([PROGRAM_ID.toBuffer()], loader)[0]));
  });

  it("sponsored Pyth feed accounts are [shard u16 LE, feed id] under the push oracle", () => {
    const feed = Buffer.alloc(32, 1);
    const push = new PublicKey("pythWSnswVUd12oZpeFP8e9CVaEqJg25g1Vtc2biRsT");
    assert.ok(sponsoredPriceFeedAddress(feed).equals(PublicKey.findProgramAddressSync([Buffer.from([0, 0]), feed], push)[0]));
    assert.ok(!sponsoredPriceFeedAddress(feed, 1).equals(sponsoredPriceFeedAddress(feed, 0)));
  });

  it("refuses an oracle key that is not 32 bytes", () => {
    assert.throws(() => poolAddress(key(1), new Uint8Array(31), 0n), RangeError);
  });
});
