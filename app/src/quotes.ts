// Human-facing views of the program's quotes. The numbers come from the program itself
// (quote_pool / quote_trade run in simulation); this file only converts units, with the
// rounding a user expects: values and payouts floor, costs ceil.
import type { Pool, PoolQuote, Side, TradeQuote } from "./coder";
import { BPS, MINIMUM_SUPPLY, SLOTS_PER_DAY, SUB_ATOMS_PER_ATOM } from "./constants";
import { interestRateQ64, premiumOver, type PremiumOverPeriod } from "./funding";
import { subAtomsToAtomsFloor } from "./units";

const PRICE_SCALE = 10n ** 18n;

export interface PoolView {
  /** Normalised oracle prices (18 decimals). */
  price: bigint;
  emaPrice: bigint;
  /** Collateral backing the sides, atoms (floor). */
  collateral: bigint;
  /** Each side's share of the collateral at the current price, atoms (floor). */
  value: Record<Side, bigint>;
  /** Supplies as the pool counts them (mint supply plus the 1000 dead shares). */
  supply: Record<Side, bigint>;
  /** Collateral per token with 18 decimals (floor): what one whole token is worth. */
  tokenPrice: Record<Side, bigint>;
  protocolFeesOwed: bigint;
  /** Funding per day at the current reserves. */
  fundingPerDay: FundingPerDay;
  slot: bigint;
}

export interface FundingPerDay {
  slots: bigint;
  /** Share of a power-branch LONG or SHORT reserve paid to LP per day (Q64). */
  interestRateQ64: bigint;
  /** Premium from the larger of LONG/SHORT to the smaller per day, at today's reserves. */
  premium: PremiumOverPeriod;
  /** Protocol share of the interest: 1 / feeDivisor (0 = none). */
  feeDivisor: bigint;
}

/**
 * True when a side's holders own at least as many tokens as its dead shares (`supply`
 * counts both, as `PoolQuote` does). The program charges no interest while LP is below
 * that, and no premium while the side that would receive it is.
 */
export function hasLiveHolders(supply: bigint): boolean {
  return supply >= 2n * MINIMUM_SUPPLY;
}

const receivesPremium = (quote: PoolQuote): boolean =>
  hasLiveHolders(quote.rLong > quote.rShort ? quote.supplyShort : quote.supplyLong);

export function fundingPerDay(pool: Pool, quote: PoolQuote, slots = SLOTS_PER_DAY): FundingPerDay {
  return {
    slots,
    interestRateQ64: hasLiveHolders(quote.supplyLp) ? interestRateQ64(pool.params.interestHalfLife, slots) : 0n,
    premium: receivesPremium(quote)
      ? premiumOver(pool.params.premiumHalfLife, quote.r, quote.rLong, quote.rShort, slots)
      : { amount: 0n, payer: "none", payerRateQ64: 0n, receiverRateQ64: 0n },
    feeDivisor: pool.params.feeDivisor,
  };
}

/** Collateral per token with 18 decimals; `reserve` in sub-atoms, `supply` in token atoms. */
export function tokenPrice(reserve: bigint, supply: bigint): bigint {
  return supply === 0n ? 0n : (reserve * PRICE_SCALE) / (supply * SUB_ATOMS_PER_ATOM);
}

export function describePool(pool: Pool, quote: PoolQuote): PoolView {
  const reserves: Record<Side, bigint> = { long: quote.rLong, short: quote.rShort, lp: quote.rLp };
  const supply: Record<Side, bigint> = { long: quote.supplyLong, short: quote.supplyShort, lp: quote.supplyLp };
  const each = <T>(f: (side: Side) => T): Record<Side, T> => ({ long: f("long"), short: f("short"), lp: f("lp") });
  return {
    price: quote.price,
    emaPrice: quote.emaPrice,
    collateral: subAtomsToAtomsFloor(quote.r),
    value: each((s) => subAtomsToAtomsFloor(reserves[s])),
    supply,
    tokenPrice: each((s) => tokenPrice(reserves[s], supply[s])),
    protocolFeesOwed: subAtomsToAtomsFloor(quote.protocolFeesOwed),
    fundingPerDay: fundingPerDay(pool, quote),
    slot: quote.slot,
  };
}

/** The least output to accept for a quoted trade, `slippageBps` below the quote (floor). */
export function minOutWithSlippage(quotedOut: bigint, slippageBps: bigint): bigint {
  if (slippageBps < 0n || slippageBps > BPS) throw new RangeError("slippage must be 0..10000 bps");
  return (quotedOut * (BPS - slippageBps)) / BPS;
}

/** Fees of a quote in collateral atoms, rounded up (what the trader pays). */
export function quoteFees(quote: TradeQuote, collateralIn: boolean): { openingFee: bigint; skewCharge: bigint } {
  const ceilAtoms = (x: bigint) => (x + SUB_ATOMS_PER_ATOM - 1n) / SUB_ATOMS_PER_ATOM;
  return {
    // The opening fee is in the input's unit: sub-atoms for collateral, else tokens.
    openingFee: collateralIn ? ceilAtoms(quote.openingFee) : quote.openingFee,
    skewCharge: ceilAtoms(quote.skewCharge),
  };
}
