use anchor_lang::prelude::*;

use crate::constants::CONFIG_ADDRESS_AND_BUMP;
use crate::error::AsymptoteError;
use crate::events::AdminChanged;
use crate::state::ProtocolConfig;

/// Second step of the admin hand-over: the proposed admin accepts.
#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    pub new_admin: Signer<'info>,
    // The only writable account: nothing to be a duplicate of, so `dup` skips Anchor's
    // hash-set check (about 1,000 CU on SBF).
    #[account(mut, dup, address = CONFIG_ADDRESS_AND_BUMP.0)]
    pub config: AccountLoader<'info, ProtocolConfig>,
}

pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
    let mut config_data = ctx.accounts.config.load_mut()?;
    let config = &mut *config_data;
    require!(
        config.pending_admin != Pubkey::default(),
        AsymptoteError::NoPendingAdmin
    );
    require_keys_eq!(
        ctx.accounts.new_admin.key(),
        config.pending_admin,
        AsymptoteError::NotPendingAdmin
    );
    let previous = config.admin;
    config.admin = config.pending_admin;
    config.pending_admin = Pubkey::default();
    emit_cpi!(AdminChanged {
        previous,
        admin: config.admin,
    });
    Ok(())
}
