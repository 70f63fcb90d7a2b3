use anchor_lang::prelude::*;

use crate::constants::CONFIG_ADDRESS_AND_BUMP;
use crate::error::AsymptoteError;
use crate::events::AdminProposed;
use crate::state::ProtocolConfig;

/// First step of the admin hand-over: the admin names a successor (default key cancels).
#[event_cpi]
#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    pub admin: Signer<'info>,
    // The only writable account: nothing to be a duplicate of, so `dup` skips Anchor's
    // hash-set check (about 1,000 CU on SBF).
    #[account(mut, dup, address = CONFIG_ADDRESS_AND_BUMP.0, has_one = admin @ AsymptoteError::NotAdmin)]
    pub config: AccountLoader<'info, ProtocolConfig>,
}

pub fn propose_admin(ctx: Context<ProposeAdmin>, proposed: Pubkey) -> Result<()> {
    let mut config_data = ctx.accounts.config.load_mut()?;
    let config = &mut *config_data;
    config.pending_admin = proposed;
    emit_cpi!(AdminProposed {
        admin: config.admin,
        proposed,
    });
    Ok(())
}
