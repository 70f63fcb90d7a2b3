use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use anchor_spl::token_interface::TokenInterface;
use asymptote_math::Side;

use super::common::{
    authority_seeds, check_collateral_accounts, check_side_accounts, check_vault_covers_books,
    mint_side, settle, traded_event, transfer_collateral, vault_balance_after, Bounds, Collateral,
};
use super::pool_accounts::{distinct, key_of, pool_fixes, Fixed};
use crate::constants::*;
use crate::error::AsymptoteError;
use crate::events::{emit_event, TradeSide};
use crate::state::{Pool, ProtocolConfig};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct OpenArgs {
    /// LONG, SHORT or LP.
    pub side: TradeSide,
    /// Collateral the trader pays at most (atoms); the pool takes the largest trade whose
    /// total cost (value, opening fee, skew charge) fits.
    pub amount_in: u64,
    /// Fewest side tokens the trader accepts.
    pub min_out: u64,
    /// Last slot the trade may land in (0 = no expiry).
    pub expiry_slot: u64,
}

/// Collateral in, side tokens out (buy LONG or SHORT, or add LP).
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: OpenArgs)]
pub struct Open<'info> {
    #[account(
        constraint = distinct(&[
            key_of(&pool),
            key_of(&vault),
            key_of(&trader_collateral),
            key_of(&side_mint),
            key_of(&trader_side),
        ]) @ anchor_lang::error::ErrorCode::ConstraintDuplicateMutableAccount,
    )]
    pub trader: Signer<'info>,
    #[account(address = CONFIG_ADDRESS_AND_BUMP.0)]
    pub config: AccountLoader<'info, ProtocolConfig>,
    #[account(mut, dup, constraint = pool_fixes(&pool, &[
        Fixed::Vault(vault.key),
        Fixed::CollateralMint(collateral_mint.key),
        Fixed::Authority(pool_authority.key),
        Fixed::Mint(args.side.into(), "side_mint", side_mint.key),
        Fixed::CollateralTokenProgram(key_of(&collateral_token_program)),
    ])?)]
    pub pool: AccountLoader<'info, Pool>,
    /// CHECK: the pool's signer PDA (`pool_fixes`).
    pub pool_authority: UncheckedAccount<'info>,
    /// CHECK: the pool's vault (`pool_fixes`), read in place by `check_collateral_accounts`.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the pool's collateral mint (`pool_fixes`).
    pub collateral_mint: UncheckedAccount<'info>,
    /// CHECK: the trader's account of the collateral mint, on the collateral's token
    /// program, owned by the trader: checked by `check_collateral_accounts`.
    #[account(mut)]
    pub trader_collateral: UncheckedAccount<'info>,
    /// CHECK: the pool's mint of `args.side`, read by `check_side_accounts`.
    #[account(mut)]
    pub side_mint: UncheckedAccount<'info>,
    /// CHECK: an SPL Token account of `side_mint`, checked by `check_side_accounts`.
    #[account(mut)]
    pub trader_side: UncheckedAccount<'info>,
    /// CHECK: validated by `oracle::fetch` against the pool's oracle config.
    pub oracle: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    /// The collateral's token program (`pool_fixes`).
    pub collateral_token_program: Interface<'info, TokenInterface>,
}

pub fn open(ctx: Context<Open>, args: OpenArgs) -> Result<()> {
    crate::cu_trace!("open: accounts loaded");
    let protocol = ctx.accounts.config.load()?;
    protocol.require_not_paused(pause::OPEN)?;
    let side: Side = args.side.into();
    require!(side.is_token(), AsymptoteError::InvalidSide);
    let clock = Clock::get()?;
    let trader = ctx.accounts.trader.key();
    let pool_key = ctx.accounts.pool.key();
    let mut pool_data = ctx.accounts.pool.load_mut()?;
    let pool = &mut *pool_data;
    crate::cu_trace!("open: pool loaded");
    let vault_before = check_collateral_accounts(
        pool,
        &ctx.accounts.vault,
        (&ctx.accounts.trader_collateral, "trader_collateral"),
        Some(&trader),
    )?;
    crate::cu_trace!("open: collateral accounts");
    let supply = check_side_accounts(
        &ctx.accounts.side_mint,
        &ctx.accounts.trader_side,
        ("side_mint", "trader_side"),
        None,
    )?;

    let legacy = protocol.legacy_pyth_program;
    let supplies = [(side, supply), (Side::Collateral, 0)];
    let bounds = Bounds {
        max_in: args.amount_in,
        min_out: args.min_out,
        expiry_slot: args.expiry_slot,
    };
    let executed = settle(
        pool,
        &ctx.accounts.oracle,
        &legacy,
        &clock,
        Side::Collateral,
        side,
        bounds,
        supplies,
    )?;
    crate::cu_trace!("open: settled");
    let paid = executed.amount_in;
    let minted = executed.amount_out;

    let collateral = Collateral::of(
        pool,
        &ctx.accounts.collateral_token_program,
        &ctx.accounts.collateral_mint,
    );
    transfer_collateral(
        &collateral,
        &ctx.accounts.trader_collateral,
        &ctx.accounts.vault,
        &ctx.accounts.trader.to_account_info(),
        &[],
        paid,
    )?;
    let expected = vault_before
        .checked_add(paid)
        .ok_or(AsymptoteError::MathOverflow)?;
    crate::cu_trace!("open: collateral in");
    let vault_after = vault_balance_after(&ctx.accounts.vault, expected)?;
    require!(vault_after == expected, AsymptoteError::CollateralShortfall);
    check_vault_covers_books(pool, vault_after)?;

    let bump = [pool.authority_bump];
    let seeds = authority_seeds(&pool_key, &bump);
    mint_side(
        &ctx.accounts.token_program,
        &ctx.accounts.side_mint,
        &ctx.accounts.trader_side,
        &ctx.accounts.pool_authority.to_account_info(),
        &seeds,
        minted,
    )?;

    crate::cu_trace!("open: minted");
    let supply_after = supply.saturating_add(minted);
    let event = traded_event(
        pool_key,
        pool,
        trader,
        (TradeSide::Collateral, args.side),
        &executed,
        clock.slot,
        [(side, supply_after), (Side::Collateral, 0)],
    )?;
    crate::cu_trace!("open: event built");
    emit_event(&ctx.accounts.event_authority, &event)?;
    crate::cu_trace!("open: event emitted");
    Ok(())
}
