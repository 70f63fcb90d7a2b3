use anchor_lang::prelude::*;

use crate::constants::CONFIG_ADDRESS_AND_BUMP;
use crate::error::AsymptoteError;
use crate::events::RolesChanged;
use crate::state::ProtocolConfig;

/// The admin replaces the guardian and the protocol-fee recipient.
#[event_cpi]
#[derive(Accounts)]
pub struct SetRoles<'info> {
    pub admin: Signer<'info>,
    // The only writable account: nothing to be a duplicate of, so `dup` skips Anchor's
    // hash-set check (about 1,000 CU on SBF).
    #[account(mut, dup, address = CONFIG_ADDRESS_AND_BUMP.0, has_one = admin @ AsymptoteError::NotAdmin)]
    pub config: AccountLoader<'info, ProtocolConfig>,
}

pub fn set_roles(ctx: Context<SetRoles>, guardian: Pubkey, fee_recipient: Pubkey) -> Result<()> {
    let mut config_data = ctx.accounts.config.load_mut()?;
    let config = &mut *config_data;
    config.guardian = guardian;
    config.fee_recipient = fee_recipient;
    emit_cpi!(RolesChanged {
        guardian,
        fee_recipient,
    });
    Ok(())
}
