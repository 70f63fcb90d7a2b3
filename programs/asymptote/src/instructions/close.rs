use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use anchor_spl::token_interface::TokenInterface;
use asymptote_math::Side;

use super::common::{
    burn_side, check_collateral_accounts, check_side_accounts, pay_from_vault, settle,
    traded_event, Bounds,
};
use super::pool_accounts::{distinct, key_of, pool_fixes, Fixed};
use crate::constants::*;
use crate::error::AsymptoteError;
use crate::events::{emit_event, TradeSide};
use crate::state::{Pool, ProtocolConfig};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct CloseArgs {
    /// LONG, SHORT or LP.
    pub side: TradeSide,
    /// Side tokens offered; the pool burns at most this many.
    pub amount: u64,
    /// Least collateral the trader accepts (atoms).
    pub min_out: u64,
    /// Last slot the trade may land in (0 = no expiry).
    pub expiry_slot: u64,
}

/// Side tokens in, collateral out (sell LONG or SHORT, or remove LP).
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: CloseArgs)]
pub struct Close<'info> {
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
    /// CHECK: an account of the collateral mint on the collateral's token program (any
    /// owner: the payout may go elsewhere), checked by `check_collateral_accounts`.
    #[account(mut)]
    pub trader_collateral: UncheckedAccount<'info>,
    /// CHECK: the pool's mint of `args.side`, read by `check_side_accounts`.
    #[account(mut)]
    pub side_mint: UncheckedAccount<'info>,
    /// CHECK: the trader's SPL Token account of `side_mint`, checked by
    /// `check_side_accounts`.
    #[account(mut)]
    pub trader_side: UncheckedAccount<'info>,
    /// CHECK: validated by `oracle::fetch` against the pool's oracle config.
    pub oracle: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    /// The collateral's token program (`pool_fixes`).
    pub collateral_token_program: Interface<'info, TokenInterface>,
}

pub fn close(ctx: Context<Close>, args: CloseArgs) -> Result<()> {
    let protocol = ctx.accounts.config.load()?;
    protocol.require_not_paused(pause::CLOSE)?;
    let side: Side = args.side.into();
    require!(side.is_token(), AsymptoteError::InvalidSide);
    let clock = Clock::get()?;
    let trader = ctx.accounts.trader.key();
    let pool_key = ctx.accounts.pool.key();
    let mut pool_data = ctx.accounts.pool.load_mut()?;
    let pool = &mut *pool_data;
    let vault_before = check_collateral_accounts(
        pool,
        &ctx.accounts.vault,
        (&ctx.accounts.trader_collateral, "trader_collateral"),
        None,
    )?;
    let supply = check_side_accounts(
        &ctx.accounts.side_mint,
        &ctx.accounts.trader_side,
        ("side_mint", "trader_side"),
        Some(&trader),
    )?;

    let legacy = protocol.legacy_pyth_program;
    let supplies = [(side, supply), (Side::Collateral, 0)];
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
        side,
        Side::Collateral,
        bounds,
        supplies,
    )?;
    let burned = executed.amount_in;
    let paid_out = executed.amount_out;

    burn_side(
        &ctx.accounts.token_program,
        &ctx.accounts.side_mint,
        &ctx.accounts.trader_side,
        &ctx.accounts.trader,
        burned,
    )?;
    pay_from_vault(
        pool,
        &pool_key,
        &ctx.accounts.collateral_token_program,
        &ctx.accounts.collateral_mint,
        &ctx.accounts.vault,
        vault_before,
        &ctx.accounts.trader_collateral,
        &ctx.accounts.pool_authority.to_account_info(),
        paid_out,
    )?;

    let supply_after = supply.saturating_sub(burned);
    let event = traded_event(
        pool_key,
        pool,
        trader,
        (args.side, TradeSide::Collateral),
        &executed,
        clock.slot,
        [(side, supply_after), (Side::Collateral, 0)],
    )?;
    emit_event(&ctx.accounts.event_authority, &event)?;
    Ok(())
}
