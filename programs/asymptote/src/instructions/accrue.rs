use anchor_lang::prelude::*;
use asymptote_math::{accrue_funding_at, Side};

use super::common::{funding_paid, snapshot};
use crate::constants::*;
use crate::error::{math_err, AsymptoteError};
use crate::events::{emit_event, FundingAccrued};
use crate::oracle::{self, OraclePrice, PriceUse};
use crate::state::{Pool, ProtocolConfig};
use crate::units::narrow;

/// The permissionless funding crank: charges interest, premium and the protocol fee up to
/// the current slot. When the oracle is stale it accrues at the pool's last valid price.
#[event_cpi]
#[derive(Accounts)]
pub struct Accrue<'info> {
    #[account(address = CONFIG_ADDRESS_AND_BUMP.0)]
    pub config: AccountLoader<'info, ProtocolConfig>,
    // The only writable account: nothing to be a duplicate of, so `dup` skips Anchor's
    // hash-set check (about 1,000 CU on SBF).
    #[account(mut, dup)]
    pub pool: AccountLoader<'info, Pool>,
    /// CHECK: validated by `oracle::read` against the pool's oracle config.
    pub oracle: UncheckedAccount<'info>,
}

/// A fresh price if the oracle has one, else (only when the oracle is stale) the last
/// valid one the pool recorded. Any other oracle fault is refused.
fn crank_price(
    pool: &mut Pool,
    account: &AccountInfo,
    legacy: &Pubkey,
    clock: &Clock,
) -> Result<(OraclePrice, bool)> {
    if let Some(price) = oracle::fetch_unless_stale(pool, account, legacy, clock, PriceUse::Close)?
    {
        return Ok((price, false));
    }
    require!(
        pool.books.last_price > 0,
        AsymptoteError::OracleNoFallbackPrice
    );
    let last = OraclePrice {
        price: pool.books.last_price,
        conf: 0,
        ema: pool.books.last_ema_price,
        ema_conf: 0,
        publish_time: pool.books.last_publish_time,
    };
    Ok((last, true))
}

pub fn accrue(ctx: Context<Accrue>) -> Result<()> {
    crate::cu_trace!("accrue: accounts loaded");
    let protocol = ctx.accounts.config.load()?;
    protocol.require_not_paused(pause::ACCRUE)?;
    let clock = Clock::get()?;
    let legacy = protocol.legacy_pyth_program;
    let pool_key = ctx.accounts.pool.key();
    let mut pool_data = ctx.accounts.pool.load_mut()?;
    let pool = &mut *pool_data;
    let (price, used_fallback_price) = crank_price(pool, &ctx.accounts.oracle, &legacy, &clock)?;
    crate::cu_trace!("accrue: oracle read");
    let config = pool.params.math_config()?;
    let prices = oracle::candidates(&price, 0, Side::Collateral, Side::Collateral)?
        .with_known(pool.known_powers());
    let state = pool.math_state([(Side::Collateral, 0), (Side::Collateral, 0)]);
    let accrual = accrue_funding_at(&config, &state, prices, clock.slot).map_err(math_err)?;
    let (charges, reserves) = (accrual.charges, accrual.reserves);
    crate::cu_trace!("accrue: funding");
    pool.books.protocol_fees_owed = pool
        .books
        .protocol_fees_owed
        .checked_add(narrow(charges.protocol_fee)?)
        .ok_or(AsymptoteError::MathOverflow)?;
    pool.store(&accrual.state)?;
    // The next trade at this price skips `x^K` and its inverse.
    pool.keep_powers(&accrual.powers);
    let books = snapshot(
        pool,
        &reserves,
        [(Side::Collateral, 0), (Side::Collateral, 0)],
    )?;
    let event = FundingAccrued {
        pool: pool_key,
        funding: funding_paid(&charges)?,
        price: price.price,
        used_fallback_price,
        slot: clock.slot,
        books,
    };
    crate::cu_trace!("accrue: event built");
    emit_event(&ctx.accounts.event_authority, &event)?;
    crate::cu_trace!("accrue: event emitted");
    Ok(())
}
