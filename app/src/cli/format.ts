// Human-readable output of accounts, quotes and events.
import { PublicKey } from "@solana/web3.js";
import type { Pool, ProtocolConfig, TradeQuote } from "../coder";
import { oracleSource } from "../accounts";
import { variantName } from "../coder";
import { PAUSE_BITS } from "../constants";
import type { AsymptoteEvent } from "../events";
import { feedIdHex } from "../pyth";
import type { PoolView } from "../quotes";
import { formatAmount, formatPrice, formatQ64Percent, subAtomsToAtomsCeil } from "../units";

export const pauseNames = (bits: number): string =>
  Object.entries(PAUSE_BITS)
    .filter(([, bit]) => (bits & bit) !== 0)
    .map(([name]) => kebab(name))
    .join(", ") || "none";

export const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function formatConfig(config: ProtocolConfig): string {
  return [
    `admin:               ${config.admin.toBase58()}`,
    `pending admin:       ${config.pendingAdmin.equals(PublicKey.default) ? "none" : config.pendingAdmin.toBase58()}`,
    `guardian:            ${config.guardian.toBase58()}`,
    `fee recipient:       ${config.feeRecipient.toBase58()}`,
    `legacy Pyth program: ${config.legacyPythProgram.toBase58()}`,
    `paused:              ${pauseNames(config.paused)}`,
    `pools created:       ${config.poolCount}`,
  ].join("\n");
}

export function formatPool(address: string, pool: Pool, oracle: string, view?: PoolView): string {
  const d = pool.collateralDecimals;
  const amount = (x: bigint) => formatAmount(x, d);
  const p = pool.params;
  const lines = [
    `pool:            ${address}`,
    `collateral mint: ${pool.collateralMint.toBase58()} (${d} decimals)`,
    `LONG / SHORT / LP mints: ${pool.longMint.toBase58()} / ${pool.shortMint.toBase58()} / ${pool.lpMint.toBase58()}`,
    `oracle:          ${oracleSource(pool)} ${oracleSource(pool) === "pythPull" ? feedIdHex(Uint8Array.from(pool.oracle.key)) : ""} (account ${oracle})`,
    `K = ${p.k}, MARK = ${formatPrice(p.mark)}, opening fee ${p.openingFeeBps} bps, protocol takes 1/${p.feeDivisor} of interest`,
    `half-lives: interest ${p.interestHalfLife} slots, premium ${p.premiumHalfLife} slots`,
  ];
  if (!view) {
    lines.push(`collateral (books): ${amount(pool.books.r >> 64n)} (no live quote)`);
    return lines.join("\n");
  }
  const f = view.fundingPerDay;
  lines.push(
    `price:           ${formatPrice(view.price)} (EMA ${formatPrice(view.emaPrice)})`,
    `collateral:      ${amount(view.collateral)}`,
    `side    value              supply             price per token`,
    ...(["long", "short", "lp"] as const).map(
      (s) =>
        `${s.toUpperCase().padEnd(7)} ${amount(view.value[s]).padEnd(18)} ${amount(view.supply[s]).padEnd(18)} ${formatPrice(view.tokenPrice[s])}`,
    ),
    `funding per day: interest ${formatQ64Percent(f.interestRateQ64)} of a LONG/SHORT reserve (power branch) to LP` +
      (f.premium.payer === "none"
        ? "; no premium"
        : `; premium ${amount(f.premium.amount >> 64n)} from ${f.premium.payer.toUpperCase()} (${formatQ64Percent(f.premium.payerRateQ64)} of it)`),
    `protocol fees owed: ${amount(view.protocolFeesOwed)}`,
  );
  return lines.join("\n");
}

export function formatQuote(quote: TradeQuote, decimals: number, inName: string, outName: string): string {
  const amount = (x: bigint) => formatAmount(x, decimals);
  return [
    `pay:      ${amount(quote.amountIn)} ${inName}`,
    `receive:  ${amount(quote.amountOut)} ${outName}`,
    `price:    ${formatPrice(quote.price)}`,
    `skew charge: ${amount(subAtomsToAtomsCeil(quote.skewCharge))}, funding charged first: ${amount(quote.funding.interest >> 64n)} interest`,
  ].join("\n");
}

export function formatEvent(event: AsymptoteEvent, decimals: number): string {
  const amount = (x: bigint) => formatAmount(x, decimals);
  switch (event.name) {
    case "traded":
      return `traded: paid ${amount(event.data.amountIn)} ${variantName(event.data.sideIn)}, received ${amount(event.data.amountOut)} ${variantName(event.data.sideOut)} at ${formatPrice(event.data.price)}`;
    case "fundingAccrued":
      return `funding accrued: interest ${amount(event.data.funding.interest >> 64n)}, premium ${amount(event.data.funding.premium >> 64n)}${event.data.usedFallbackPrice ? " (fallback price)" : ""}`;
    case "protocolFeesCollected":
      return `protocol fees collected: ${amount(event.data.amount)}`;
    case "poolCreated":
      return `pool created: ${event.data.pool.toBase58()}`;
    case "pauseChanged":
      return `paused: ${pauseNames(event.data.paused)} (was ${pauseNames(event.data.previous)})`;
    default:
      return event.name;
  }
}
