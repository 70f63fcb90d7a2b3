use anchor_lang::prelude::*;

use crate::constants::CONFIG_ADDRESS_AND_BUMP;
use crate::error::AsymptoteError;
use crate::events::PauseChanged;
use crate::state::ProtocolConfig;

/// Set the pause bits. The admin may set any bits; the guardian may only add bits.
#[event_cpi]
#[derive(Accounts)]
pub struct SetPause<'info> {
    pub signer: Signer<'info>,
    // The only writable account: nothing to be a duplicate of, so `dup` skips Anchor's
    // hash-set check (about 1,000 CU on SBF).
    #[account(
        mut,
        dup,
        address = CONFIG_ADDRESS_AND_BUMP.0,
        constraint = config.load()?.may_pause(&signer.key()) @ AsymptoteError::NotAdminOrGuardian,
    )]
    pub config: AccountLoader<'info, ProtocolConfig>,
}

pub fn set_pause(ctx: Context<SetPause>, paused: u16) -> Result<()> {
    ProtocolConfig::validate_pause_bits(paused)?;
    let mut config_data = ctx.accounts.config.load_mut()?;
    let config = &mut *config_data;
    let previous = config.paused;
    let by = ctx.accounts.signer.key();
    if by != config.admin {
        require!(
            paused & previous == previous,
            AsymptoteError::GuardianCannotUnpause
        );
    }
    config.paused = paused;
    emit_cpi!(PauseChanged {
        by,
        previous,
        paused,
    });
    Ok(())
}
