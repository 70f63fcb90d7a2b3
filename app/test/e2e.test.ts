// End to end: the client drives the compiled program in LiteSVM through a whole pool life:
// config, pool creation on a Pyth pull price, quotes, open, a day of funding, accrue, close,
// swap, fee collection, pause, and named errors. Skips loudly when the .so is absent.
import assert from "node:assert/strict";
import { describe, it, before } from "node:test";
import type { Keypair } from "@solana/web3.js";
import {
  type AsymptoteClient,
  describePool,
  PAUSE_BITS,
  TransactionFailed,
  type AsymptoteEvent,
  type PoolContext,
} from "../src";
import { Fixture, FEED_ID } from "./support/fixture";
import { soExists, soPath } from "./support/litesvm";

const PRICE = 150_00000000n; // 150.0 with exponent -8
const DEPOSIT = 1_000_000_000_000n; // 1,000,000.000000

function only<N extends AsymptoteEvent["name"]>(events: AsymptoteEvent[], name: N) {
  const found = events.filter((e) => e.name === name);
  assert.equal(found.length, 1, `one ${name} event, got ${events.map((e) => e.name).join(",")}`);
  return found[0] as Extract<AsymptoteEvent, { name: N }>;
}

async function refused(promise: Promise<unknown>, name: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => e instanceof TransactionFailed && e.explained.name === name);
}

describe("end to end on LiteSVM", { skip: !soExists() && `no ${soPath()}` }, () => {
  let f: Fixture;
  let admin: AsymptoteClient;
  let ctx: PoolContext;
  let creator: Keypair;

  before(async () => {
    f = new Fixture();
    admin = f.client(f.admin);
  });

  it("initialises the config (upgrade authority only)", async () => {
    const stranger = f.keypair();
    await refused(
      f.client(stranger).initializeConfig({ legacyPythProgram: f.legacyPythProgram }),
      "NotUpgradeAuthority",
    );
    const result = await admin.initializeConfig({
      guardian: f.guardian.publicKey,
      feeRecipient: f.feeRecipient.publicKey,
      legacyPythProgram: f.legacyPythProgram,
    });
    const event = only(result.events, "configInitialized");
    assert.ok(event.data.admin.equals(f.admin.publicKey));
    const config = await admin.requireConfig();
    assert.ok(config.guardian.equals(f.guardian.publicKey));
    assert.equal(config.paused, 0);
  });

  it("creates a pool on a Pyth pull price", async () => {
    await f.createMint();
    creator = await f.user(DEPOSIT);
    f.postPrice(PRICE);
    const result = await f.client(creator).createPool({
      collateralMint: f.mint,
      oracleKey: FEED_ID,
      source: "pythPull",
      oracleAccount: f.oracle,
      deposit: DEPOSIT,
    });
    const event = only(result.events, "poolCreated");
    assert.ok(event.data.pool.equals(result.pool));
    assert.equal(event.data.deposit, DEPOSIT);
    assert.equal(event.data.price, 150n * 10n ** 18n);
    const loaded = await admin.loadPool(result.pool, f.oracle);
    ctx = loaded.context;
    assert.equal(loaded.pool.collateralDecimals, 6);
    assert.equal(loaded.pool.params.mark, 150n * 10n ** 18n);
    assert.equal(await f.tokenBalance(creator.publicKey, f.mint), 0n);
    // The creator holds a third of the deposit per side, less the 1000 dead shares.
    const third = DEPOSIT / 3n - 1000n;
    assert.ok(await f.tokenBalance(creator.publicKey, ctx.longMint) >= third - 1n);
    const view = describePool(loaded.pool, await admin.quotePool(ctx));
    assert.equal(view.price, 150n * 10n ** 18n);
    assert.ok(view.collateral === DEPOSIT);
    const sum = view.value.long + view.value.short + view.value.lp;
    assert.ok(sum <= DEPOSIT && sum >= DEPOSIT - 3n);
  });

  let trader: Keypair;
  let longBought: bigint;

  it("quotes and opens LONG exactly as quoted", async () => {
    trader = await f.user(10_000_000_000n);
    const client = f.client(trader);
    const quote = await client.quoteTrade(ctx, "collateral", "long", 1_000_000_000n);
    assert.ok(quote.amountOut > 0n && quote.amountIn <= 1_000_000_000n);
    await refused(
      client.open(ctx, { side: "long", amountIn: 1_000_000_000n, minOut: quote.amountOut + 1n }),
      "SlippageExceeded",
    );
    const result = await client.open(ctx, { side: "long", amountIn: 1_000_000_000n, minOut: quote.amountOut });
    const traded = only(result.events, "traded");
    assert.equal(traded.data.amountOut, quote.amountOut);
    assert.equal(traded.data.amountIn, quote.amountIn);
    assert.ok(traded.data.trader.equals(trader.publicKey));
    assert.deepEqual(Object.keys(traded.data.sideOut), ["long"]);
    longBought = await f.tokenBalance(trader.publicKey, ctx.longMint);
    assert.equal(longBought, quote.amountOut);
    assert.equal(await f.tokenBalance(trader.publicKey, f.mint), 10_000_000_000n - quote.amountIn);
  });

  it("accrues a day of funding at a higher price", async () => {
    f.transport.advance(216_000n);
    f.postPrice(160_00000000n);
    const { pool } = await admin.loadPool(ctx.pool, f.oracle);
    const quote = await admin.quotePool(ctx);
    assert.ok(quote.pendingFunding.interest > 0n, "interest pending after a day");
    const view = describePool(pool, quote);
    assert.ok(view.fundingPerDay.interestRateQ64 > 0n);
    const keeper = f.keypair();
    const result = await f.client(keeper).accrue(ctx);
    const accrued = only(result.events, "fundingAccrued");
    assert.equal(accrued.data.funding.interest, quote.pendingFunding.interest);
    assert.equal(accrued.data.usedFallbackPrice, false);
    assert.equal(accrued.data.slot, 1_000n + 216_000n);
  });

  it("closes LONG at a profit, as quoted", async () => {
    const client = f.client(trader);
    const before = await f.tokenBalance(trader.publicKey, f.mint);
    const quote = await client.quoteTrade(ctx, "long", "collateral", longBought);
    const result = await client.close(ctx, { side: "long", amount: longBought, minOut: quote.amountOut });
    const traded = only(result.events, "traded");
    assert.equal(traded.data.amountOut, quote.amountOut);
    assert.equal(await f.tokenBalance(trader.publicKey, f.mint) - before, quote.amountOut);
    assert.ok(quote.amountOut > 1_000_000_000n, `price rose 6.7 % at K=2: ${quote.amountOut}`);
    assert.equal(await f.tokenBalance(trader.publicKey, ctx.longMint), longBought - traded.data.amountIn);
  });

  it("swaps SHORT for LP", async () => {
    const client = f.client(creator);
    const result = await client.swap(ctx, { sideIn: "short", sideOut: "lp", amount: 1_000_000n, minOut: 1n });
    const traded = only(result.events, "traded");
    assert.deepEqual(Object.keys(traded.data.sideIn), ["short"]);
    assert.ok(traded.data.amountOut > 0n);
  });

  it("collects protocol fees to the recipient", async () => {
    const keeper = f.client(trader);
    const result = await keeper.collectProtocolFees(ctx);
    const collected = only(result.events, "protocolFeesCollected");
    assert.ok(collected.data.amount > 0n);
    assert.equal(await f.tokenBalance(f.feeRecipient.publicKey, f.mint), collected.data.amount);
    await refused(keeper.collectProtocolFees(ctx), "NothingToCollect");
  });

  it("pauses (guardian) and unpauses (admin) with named refusals", async () => {
    const guardian = f.client(f.guardian);
    const paused = await guardian.setPause(PAUSE_BITS.open);
    assert.equal(only(paused.events, "pauseChanged").data.paused, PAUSE_BITS.open);
    await refused(f.client(trader).open(ctx, { side: "short", amountIn: 1_000_000n, minOut: 0n }), "Paused");
    await refused(guardian.setPause(0), "GuardianCannotUnpause");
    await admin.setPause(0);
    const reopened = await f.client(trader).open(ctx, { side: "short", amountIn: 1_000_000n, minOut: 0n });
    only(reopened.events, "traded");
  });

  it("refuses a stale oracle by name", async () => {
    f.transport.advance(1_000n); // 400 s > max_age 60 s
    await refused(f.client(trader).quoteTrade(ctx, "collateral", "long", 1_000_000n), "OracleStale");
    const keeper = await f.client(trader).accrue(ctx); // the crank falls back to the last price
    assert.equal(only(keeper.events, "fundingAccrued").data.usedFallbackPrice, true);
  });

  it("hands the admin role over in two steps", async () => {
    const next = f.keypair();
    await refused(f.client(next).acceptAdmin(), "NoPendingAdmin");
    only((await admin.proposeAdmin(next.publicKey)).events, "adminProposed");
    only((await f.client(next).acceptAdmin()).events, "adminChanged");
    only((await f.client(next).setRoles(f.guardian.publicKey, next.publicKey)).events, "rolesChanged");
    await refused(admin.setRoles(f.guardian.publicKey, f.admin.publicKey), "NotAdmin");
  });
});
