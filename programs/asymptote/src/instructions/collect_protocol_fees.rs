use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use super::common::{check_collateral_accounts, pay_from_vault};
use super::pool_accounts::{distinct, key_of, pool_fixes, Fixed};
use crate::constants::*;
use crate::error::AsymptoteError;
use crate::events::{emit_event, ProtocolFeesCollected};
use crate::state::{Pool, ProtocolConfig};
use crate::units::atoms_down;

/// Send the whole atoms of a pool's protocol fees to the fee recipient's token account.
/// Permissionless: the funds can only go to the configured recipient.
#[event_cpi]
#[derive(Accounts)]
pub struct CollectProtocolFees<'info> {
    #[account(
        address = CONFIG_ADDRESS_AND_BUMP.0,
        constraint = distinct(&[key_of(&pool), key_of(&vault), key_of(&recipient_collateral)])
            @ anchor_lang::error::ErrorCode::ConstraintDuplicateMutableAccount,
    )]
    pub config: AccountLoader<'info, ProtocolConfig>,
    #[account(mut, dup, constraint = pool_fixes(&pool, &[
        Fixed::Vault(vault.key),
        Fixed::CollateralMint(collateral_mint.key),
        Fixed::Authority(pool_authority.key),
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
    /// CHECK: the fee recipient's account of the collateral mint, checked by
    /// `check_collateral_accounts`.
    #[account(mut)]
    pub recipient_collateral: UncheckedAccount<'info>,
    /// The collateral's token program (`pool_fixes`).
    pub collateral_token_program: Interface<'info, TokenInterface>,
}

pub fn collect_protocol_fees(ctx: Context<CollectProtocolFees>) -> Result<()> {
    let protocol = ctx.accounts.config.load()?;
    protocol.require_not_paused(pause::COLLECT_FEES)?;
    let pool_key = ctx.accounts.pool.key();
    let mut pool_data = ctx.accounts.pool.load_mut()?;
    let pool = &mut *pool_data;
    let vault_amount = check_collateral_accounts(
        pool,
        &ctx.accounts.vault,
        (&ctx.accounts.recipient_collateral, "recipient_collateral"),
        Some(&protocol.fee_recipient),
    )?;
    let owed = pool.books.protocol_fees_owed;
    let (amount, rest) = atoms_down(asymptote_math::U256::from(owed))?;
    require!(amount > 0, AsymptoteError::NothingToCollect);
    pool.books.protocol_fees_owed = crate::units::narrow(rest)?;
    pay_from_vault(
        pool,
        &pool_key,
        &ctx.accounts.collateral_token_program,
        &ctx.accounts.collateral_mint,
        &ctx.accounts.vault,
        vault_amount,
        &ctx.accounts.recipient_collateral,
        &ctx.accounts.pool_authority.to_account_info(),
        amount,
    )?;
    let event = ProtocolFeesCollected {
        pool: pool_key,
        recipient_account: ctx.accounts.recipient_collateral.key(),
        amount,
    };
    emit_event(&ctx.accounts.event_authority, &event)?;
    Ok(())
}
