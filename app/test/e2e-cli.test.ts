// The CLI and the deploy script against the compiled program in LiteSVM: human units in and
// out, events printed, program refusals named with what to do.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import type { Keypair, PublicKey } from "@solana/web3.js";
import { deployMain } from "../src/deploy";
import { cli, walletFile } from "./support/cli";
import { Fixture, FEED_ID } from "./support/fixture";
import { soExists, soPath } from "./support/litesvm";

describe("CLI and deploy script on LiteSVM", { skip: !soExists() && `no ${soPath()}` }, () => {
  let f: Fixture;
  let run: (argv: string[], wallet?: Keypair) => ReturnType<typeof cli>;
  let pool: string;
  let trader: Keypair;

  before(async () => {
    f = new Fixture();
    run = (argv, wallet) => cli(wallet ? [...argv, "-k", walletFile(wallet)] : argv, { transport: f.transport });
  });

  it("deploy: initialises the config once, then creates a first pool", async () => {
    const io = (out: string[]) => ({ stdout: (l: string) => out.push(l), stderr: (l: string) => out.push(l), env: {}, transport: f.transport });
    const stranger = f.keypair();
    const refused: string[] = [];
    assert.equal(await deployMain(["-u", "devnet", "-k", walletFile(stranger)], io(refused)), 1);
    assert.match(refused.join("\n"), /error: NotUpgradeAuthority: /);

    const first: string[] = [];
    const args = ["--cluster", "devnet", "--wallet", walletFile(f.admin), "--guardian", f.guardian.publicKey.toBase58(), "--fee-recipient", f.feeRecipient.publicKey.toBase58()];
    assert.equal(await deployMain(args, io(first)), 0, first.join("\n"));
    assert.match(first.join("\n"), /protocol config initialised/);
    const again: string[] = [];
    assert.equal(await deployMain(args, io(again)), 0);
    assert.match(again.join("\n"), /already initialised/);

    await f.createMint();
    await f.user(0n);
    // The admin creates the first pool with its own collateral.
    const adminAta = getAssociatedTokenAddressSync(f.mint, f.admin.publicKey);
    const { createAssociatedTokenAccountIdempotentInstruction, createMintToInstruction } = await import("@solana/spl-token");
    await f.client(f.mintAuthority).send([
      createAssociatedTokenAccountIdempotentInstruction(f.mintAuthority.publicKey, adminAta, f.admin.publicKey, f.mint),
      createMintToInstruction(f.mint, adminAta, f.mintAuthority.publicKey, 2_000_000_000n),
    ]);
    f.postPrice(150_00000000n);
    const created: string[] = [];
    const code = await deployMain(
      [...args, "--create-pool", "--collateral", f.mint.toBase58(), "--feed-id", Buffer.from(FEED_ID).toString("hex"), "--deposit", "1500", "--oracle", f.oracle.toBase58(), "--k", "3"],
      io(created),
    );
    assert.equal(code, 0, created.join("\n"));
    const match = /^pool: (\w+)$/m.exec(created.join("\n"));
    assert.ok(match, created.join("\n"));
    pool = match[1];
  });

  it("config and pool show human units", async () => {
    const config = await run(["config"]);
    assert.equal(config.code, 0, config.err);
    assert.match(config.out, new RegExp(`guardian: +${f.guardian.publicKey.toBase58()}`));
    const shown = await run(["pool", pool, "--oracle", f.oracle.toBase58()]);
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /K = 3/);
    assert.match(shown.out, /price: +150 \(EMA 150\)/);
    assert.match(shown.out, /collateral: +1500\n/);
    assert.match(shown.out, /funding per day: interest 0.0599 %/);
    const pools = await run(["pools"]);
    assert.match(pools.out, new RegExp(pool));
  });

  it("quote, open, close all with slippage protection", async () => {
    trader = await f.user(100_000_000n); // 100.0
    const oracle = ["--oracle", f.oracle.toBase58()];
    const quote = await run(["quote", pool, "open", "long", "10", ...oracle], trader);
    assert.equal(quote.code, 0, quote.err);
    assert.match(quote.out, /pay: +10 collateral/);
    const opened = await run(["open", pool, "long", "10", ...oracle], trader);
    assert.equal(opened.code, 0, opened.err);
    assert.match(opened.out, /traded: paid 10 collateral, received [\d.]+ long at 150/);
    const tooHigh = await run(["close", pool, "long", "all", "--min-out", "1000", ...oracle], trader);
    assert.equal(tooHigh.code, 1);
    assert.equal(tooHigh.err, "error: SlippageExceeded: the price moved: quote again, or allow more slippage (--slippage-bps / --min-out)");
    const closed = await run(["close", pool, "long", "all", ...oracle], trader);
    assert.equal(closed.code, 0, closed.err);
    assert.match(closed.out, /traded: paid [\d.]+ long, received 9\.9\d+ collateral/);
  });

  it("user mistakes and program refusals are one named line", async () => {
    const oracle = ["--oracle", f.oracle.toBase58()];
    const cases: [string[], RegExp][] = [
      [["open", pool, "long", "ten", ...oracle], /^error: BadAmount: "ten" is not an amount/],
      [["open", pool, "up", "1", ...oracle], /^error: BadSide: "up" is not a side/],
      [["open", pool, "long", "1.0000001", ...oracle], /^error: BadAmount: "1.0000001" has more than 6 decimals/],
      [["open", f.mint.toBase58(), "long", "1", ...oracle], /^error: PoolNotFound: /],
      [["open", pool, "long", "1000000", ...oracle], /^error: InsufficientFunds: your token balance is too low/],
      [["open", pool, "long", "1"], /^error: OracleWrongOwner: /],
      [["pause", "open"], /^error: NotAdminOrGuardian: sign with the admin's or the guardian's wallet/],
    ];
    for (const [argv, expected] of cases) {
      const result = await run(argv, trader);
      assert.equal(result.code, 1, argv.join(" "));
      assert.match(result.err, expected, argv.join(" "));
      assert.doesNotMatch(result.err, /\n\s+at /);
    }
  });

  it("pause (guardian), refusal, unpause (admin), accrue, collect fees", async () => {
    const oracle = ["--oracle", f.oracle.toBase58()];
    const paused = await run(["pause", "open", "swap"], f.guardian);
    assert.equal(paused.code, 0, paused.err);
    assert.match(paused.out, /paused: open, swap \(was none\)/);
    const refused = await run(["open", pool, "short", "1", ...oracle], trader);
    assert.match(refused.err, /^error: Paused: this operation is paused by the protocol/);
    assert.equal((await run(["unpause", "all"], f.admin)).code, 0);
    f.transport.advance(100n);
    f.postPrice(151_00000000n);
    const accrued = await run(["accrue", pool, ...oracle], trader);
    assert.equal(accrued.code, 0, accrued.err);
    assert.match(accrued.out, /funding accrued: interest/);
    const fees = await run(["collect-fees", pool, ...oracle], trader);
    assert.ok(fees.code === 0 || /NothingToCollect/.test(fees.err), fees.err);
  });
});

export type { PublicKey };
