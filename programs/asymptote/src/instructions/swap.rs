use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use asymptote_math::Side;

use super::common::{
    authority_seeds, burn_side, check_side_accounts, mint_side, settle, traded_event, Bounds,
};
use super::pool_accounts::{distinct, key_of, pool_fixes, Fixed};
use crate::constants::*;
use crate::error::AsymptoteError;
use crate::events::{emit_event, TradeSide};
use crate::state::{Pool, ProtocolConfig};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct SwapArgs {
    pub side_in: TradeSide,
    pub side_out: TradeSide,
    /// Tokens of `side_in` offered; the pool burns at most this many.
    pub amount: u64,
    /// Fewest `side_out` tokens the trader accepts.
    pub min_out: u64,
    /// Last slot the trade may land in (0 = no expiry).
    pub expiry_slot: u64,
}

/// One side's tokens for another's (LONG, SHORT, LP), collateral staying in the pool.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: SwapArgs)]
pub struct Swap<'info> {
    #[account(
        constraint = distinct(&[
            key_of(&pool),
            key_of(&mint_in),
            key_of(&trader_in),
            key_of(&mint_out),
            key_of(&trader_out),
        ]) @ anchor_lang::error::ErrorCode::ConstraintDuplicateMutableAccount,
    )]
    pub trader: Signer<'info>,
    #[account(address = CONFIG_ADDRESS_AND_BUMP.0)]
    pub config: AccountLoader<'info, ProtocolConfig>,
    #[account(mut, dup, constraint = pool_fixes(&pool, &[
        Fixed::Authority(pool_authority.key),
        Fixed::Mint(args.side_in.into(), "mint_in", mint_in.key),
        Fixed::Mint(args.side_out.into(), "mint_out", mint_out.key),
    ])?)]
    pub pool: AccountLoader<'info, Pool>,
    /// CHECK: the pool's signer PDA (`pool_fixes`).
    pub pool_authority: UncheckedAccount<'info>,
    /// CHECK: the pool's mint of `args.side_in`, read by `check_side_accounts`.
    #[account(mut)]
    pub mint_in: UncheckedAccount<'info>,
    /// CHECK: the trader's SPL Token account of `mint_in`, checked by `check_side_accounts`.
    #[account(mut)]
    pub trader_in: UncheckedAccount<'info>,
    /// CHECK: the pool's mint of `args.side_out`, read by `check_side_accounts`.
    #[account(mut)]
    pub mint_out: UncheckedAccount<'info>,
    /// CHECK: an SPL Token account of `mint_out`, checked by `check_side_accounts`.
    #[account(mut)]
    pub trader_out: UncheckedAccount<'info>,
    /// CHECK: validated by `oracle::fetch` against the pool's oracle config.
    pub oracle: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn swap(ctx: Context<Swap>, args: SwapArgs) -> Result<()> {
    let protocol = ctx.accounts.config.load()?;
    protocol.require_not_paused(pause::SWAP)?;
    let (side_in, side_out): (Side, Side) = (args.side_in.into(), args.side_out.into());
    require!(
        side_in.is_token() && side_out.is_token(),
        AsymptoteError::InvalidSide
    );
    require!(side_in != side_out, AsymptoteError::SameSide);
    let clock = Clock::get()?;
    let trader = ctx.accounts.trader.key();
    let pool_key = ctx.accounts.pool.key();
    let mut pool_data = ctx.accounts.pool.load_mut()?;
    let pool = &mut *pool_data;
    let supply_in = check_side_accounts(
        &ctx.accounts.mint_in,
        &ctx.accounts.trader_in,
        ("mint_in", "trader_in"),
        Some(&trader),
    )?;
    let supply_out = check_side_accounts(
        &ctx.accounts.mint_out,
        &ctx.accounts.trader_out,
        ("mint_out", "trader_out"),
        None,
    )?;

    let legacy = protocol.legacy_pyth_program;
    let supplies = [(side_in, supply_in), (side_out, supply_out)];
    let bounds = Bounds {
        max_in: args.amount,
        min_out: args.min_out,
        expiry_slot: args.expiry_slot,
    };
    let executed = settle(
        pool,
        &ctx.accounts.oracle,
        &legacy,
        &clock,
        side_in,
        side_out,
        bounds,
        supplies,
    )?;
    let burned = executed.amount_in;
    let minted = executed.amount_out;

    burn_side(
        &ctx.accounts.token_program,
        &ctx.accounts.mint_in,
        &ctx.accounts.trader_in,
        &ctx.accounts.trader,
        burned,
    )?;
    let bump = [pool.authority_bump];
    let seeds = authority_seeds(&pool_key, &bump);
    mint_side(
        &ctx.accounts.token_program,
        &ctx.accounts.mint_out,
        &ctx.accounts.trader_out,
        &ctx.accounts.pool_authority.to_account_info(),
        &seeds,
        minted,
    )?;

    let event = traded_event(
        pool_key,
        pool,
        trader,
        (args.side_in, args.side_out),
        &executed,
        clock.slot,
        [
            (side_in, supply_in.saturating_sub(burned)),
            (side_out, supply_out.saturating_add(minted)),
        ],
    )?;
    emit_event(&ctx.accounts.event_authority, &event)?;
    Ok(())
}
