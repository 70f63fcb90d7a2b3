use anchor_lang::prelude::*;
use anchor_spl::token;
use asymptote_math::Side;

use super::common::funding_paid;
use super::exact_input::exact_input;
use crate::constants::*;
use crate::error::AsymptoteError;
use crate::events::{FundingPaid, TradeSide};
use crate::oracle::{self, PriceUse};
use crate::state::{Pool, ProtocolConfig};
use crate::token_view::mint_supply;
use crate::units::narrow;

/// What a trade would do now (returned as return data; nothing changes).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeQuote {
    /// Paid by the trader: collateral atoms or tokens.
    pub amount_in: u64,
    /// Received by the trader: tokens or collateral atoms.
    pub amount_out: u64,
    /// Collateral value moved (sub-atoms).
    pub value: u128,
    /// Opening fee in the input's unit (sub-atoms for collateral, else tokens).
    pub opening_fee: u128,
    /// Skew charge (sub-atoms).
    pub skew_charge: u128,
    /// Funding the trade would charge first (sub-atoms).
    pub funding: FundingPaid,
    /// The normalised price the trade would use.
    pub price: u128,
}

/// Read-only quote of an open, a close or a swap with the same exact-input semantics:
/// `amount` is the most the trader pays (collateral atoms or side tokens).
#[derive(Accounts)]
#[instruction(side_in: TradeSide, side_out: TradeSide)]
pub struct QuoteTrade<'info> {
    #[account(address = CONFIG_ADDRESS_AND_BUMP.0)]
    pub config: AccountLoader<'info, ProtocolConfig>,
    pub pool: AccountLoader<'info, Pool>,
    /// CHECK: the pool's mint of `side_in` (for collateral: any account, unused), checked
    /// by `supply_of`.
    pub mint_in: UncheckedAccount<'info>,
    /// CHECK: the pool's mint of `side_out` (for collateral: any account, unused), checked
    /// by `supply_of`.
    pub mint_out: UncheckedAccount<'info>,
    /// CHECK: validated by `oracle::read` against the pool's oracle config.
    pub oracle: UncheckedAccount<'info>,
}

fn supply_of(
    pool: &Pool,
    side: Side,
    mint: &AccountInfo,
    name: &'static str,
) -> Result<(Side, u64)> {
    if side == Side::Collateral {
        return Ok((side, 0));
    }
    let pool_mint = *pool.mint_of(side).ok_or(AsymptoteError::InvalidSide)?;
    require_keys_eq!(mint.key(), pool_mint, AsymptoteError::WrongMint);
    Ok((side, mint_supply(mint, &token::ID, name)?))
}

pub fn quote_trade(
    ctx: Context<QuoteTrade>,
    side_in: TradeSide,
    side_out: TradeSide,
    amount: u64,
) -> Result<TradeQuote> {
    let (side_in, side_out): (Side, Side) = (side_in.into(), side_out.into());
    require!(side_in != side_out, AsymptoteError::SameSide);
    require!(amount > 0, AsymptoteError::ZeroAmount);
    let clock = Clock::get()?;
    let pool_data = ctx.accounts.pool.load()?;
    let pool = &*pool_data;
    let supplies = [
        supply_of(pool, side_in, &ctx.accounts.mint_in, "mint_in")?,
        supply_of(pool, side_out, &ctx.accounts.mint_out, "mint_out")?,
    ];
    let protocol = ctx.accounts.config.load()?;
    let legacy = protocol.legacy_pyth_program;
    let price = oracle::read(pool, &ctx.accounts.oracle, &legacy, &clock)?;
    oracle::check(
        &price,
        &pool.oracle,
        pool.books.last_publish_time,
        &clock,
        PriceUse::of(side_out),
    )?;
    let executed = exact_input(
        pool, &price, clock.slot, side_in, side_out, amount, supplies,
    )?;
    let outcome = &executed.outcome;
    Ok(TradeQuote {
        amount_in: executed.amount_in,
        amount_out: executed.amount_out,
        value: narrow(outcome.value)?,
        opening_fee: narrow(outcome.opening_fee)?,
        skew_charge: narrow(outcome.skew_charge)?,
        funding: funding_paid(&outcome.funding)?,
        price: narrow(outcome.price.price)?,
    })
}
