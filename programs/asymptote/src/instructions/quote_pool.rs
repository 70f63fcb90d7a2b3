use anchor_lang::prelude::*;
use anchor_spl::token;
use asymptote_math::{accrue_funding, Side, U256};

use super::common::funding_paid;
use crate::constants::*;
use crate::error::math_err;
use crate::events::FundingPaid;
use crate::oracle::{self, PriceUse};
use crate::state::{math_supply, Pool, ProtocolConfig};
use crate::token_view::mint_supply;
use crate::units::narrow;

/// The pool at the current price, funding accrued virtually up to now (return data).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolQuote {
    /// Normalised spot and EMA prices.
    pub price: u128,
    pub ema_price: u128,
    /// Collateral and the split between the sides (sub-atoms), at the spot price.
    pub r: u128,
    pub r_long: u128,
    pub r_short: u128,
    pub r_lp: u128,
    /// Supplies as the pool counts them (mint supply plus the dead shares).
    pub supply_long: u64,
    pub supply_short: u64,
    pub supply_lp: u64,
    /// Funding that accruing now would charge.
    pub pending_funding: FundingPaid,
    pub protocol_fees_owed: u128,
    pub slot: u64,
}

#[derive(Accounts)]
pub struct QuotePool<'info> {
    #[account(address = CONFIG_ADDRESS_AND_BUMP.0)]
    pub config: AccountLoader<'info, ProtocolConfig>,
    #[account(has_one = long_mint, has_one = short_mint, has_one = lp_mint)]
    pub pool: AccountLoader<'info, Pool>,
    /// CHECK: the pool's LONG mint (`has_one`), read by `mint_supply`.
    pub long_mint: UncheckedAccount<'info>,
    /// CHECK: the pool's SHORT mint (`has_one`), read by `mint_supply`.
    pub short_mint: UncheckedAccount<'info>,
    /// CHECK: the pool's LP mint (`has_one`), read by `mint_supply`.
    pub lp_mint: UncheckedAccount<'info>,
    /// CHECK: validated by `oracle::read` against the pool's oracle config.
    pub oracle: UncheckedAccount<'info>,
}

pub fn quote_pool(ctx: Context<QuotePool>) -> Result<PoolQuote> {
    let clock = Clock::get()?;
    let pool_data = ctx.accounts.pool.load()?;
    let pool = &*pool_data;
    let protocol = ctx.accounts.config.load()?;
    let legacy = protocol.legacy_pyth_program;
    let price = oracle::read(pool, &ctx.accounts.oracle, &legacy, &clock)?;
    oracle::check(
        &price,
        &pool.oracle,
        pool.books.last_publish_time,
        &clock,
        PriceUse::Close,
    )?;
    let config = pool.params.math_config()?;
    let state = pool.math_state([(Side::Collateral, 0), (Side::Collateral, 0)]);
    let prices = oracle::candidates(&price, 0, Side::Collateral, Side::Collateral)?
        .with_known(pool.known_powers());
    let (next, charges) = accrue_funding(&config, &state, prices, clock.slot).map_err(math_err)?;
    let reserves = next
        .reserves_at(&config, U256::from(price.price))
        .map_err(math_err)?;
    let supply = |mint: &AccountInfo, name| -> Result<u64> {
        narrow(math_supply(mint_supply(mint, &token::ID, name)?))
    };
    Ok(PoolQuote {
        price: price.price,
        ema_price: price.ema,
        r: narrow(next.r)?,
        r_long: narrow(reserves.long)?,
        r_short: narrow(reserves.short)?,
        r_lp: narrow(reserves.lp)?,
        supply_long: supply(&ctx.accounts.long_mint, "long_mint")?,
        supply_short: supply(&ctx.accounts.short_mint, "short_mint")?,
        supply_lp: supply(&ctx.accounts.lp_mint, "lp_mint")?,
        pending_funding: funding_paid(&charges)?,
        protocol_fees_owed: pool.books.protocol_fees_owed,
        slot: clock.slot,
    })
}
