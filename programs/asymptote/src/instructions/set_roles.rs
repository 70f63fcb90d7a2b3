use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::error::AsymptoteError;
use crate::events::RolesChanged;
use crate::state::ProtocolConfig;

/// The admin replaces the guardian and the protocol-fee recipient.
#[event_cpi]
#[derive(Accounts)]
pub struct SetRoles<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ AsymptoteError::NotAdmin)]
    pub config: Account<'info, ProtocolConfig>,
}

pub fn set_roles(ctx: Context<SetRoles>, guardian: Pubkey, fee_recipient: Pubkey) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.guardian = guardian;
    config.fee_recipient = fee_recipient;
    emit_cpi!(RolesChanged {
        guardian,
        fee_recipient,
    });
    Ok(())
}
