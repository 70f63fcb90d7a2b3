use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;

use crate::constants::CONFIG_SEED;
use crate::error::AsymptoteError;
use crate::events::ConfigInitialized;
use crate::state::ProtocolConfig;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct InitializeConfigArgs {
    pub guardian: Pubkey,
    pub fee_recipient: Pubkey,
    pub legacy_pyth_program: Pubkey,
}

/// Create the protocol config. Only the program's upgrade authority may, once; it becomes
/// the admin.
#[event_cpi]
#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        init,
        payer = authority,
        space = ProtocolConfig::SPACE,
        seeds = [CONFIG_SEED],
        bump,
    )]
    pub config: AccountLoader<'info, ProtocolConfig>,
    /// The program's ProgramData account (its address is derived from the program id).
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(authority.key())
            @ AsymptoteError::NotUpgradeAuthority,
    )]
    pub program_data: Account<'info, ProgramData>,
    pub system_program: Program<'info, System>,
}

pub fn initialize_config(ctx: Context<InitializeConfig>, args: InitializeConfigArgs) -> Result<()> {
    let mut config_data = ctx.accounts.config.load_init()?;
    let config = &mut *config_data;
    config.version = ProtocolConfig::VERSION;
    config.bump = ctx.bumps.config;
    config.paused = 0;
    config.admin = ctx.accounts.authority.key();
    config.pending_admin = Pubkey::default();
    config.guardian = args.guardian;
    config.fee_recipient = args.fee_recipient;
    config.legacy_pyth_program = args.legacy_pyth_program;
    config.pool_count = 0;
    config.reserved = [0; 128];
    emit_cpi!(ConfigInitialized {
        admin: config.admin,
        guardian: config.guardian,
        fee_recipient: config.fee_recipient,
        legacy_pyth_program: config.legacy_pyth_program,
    });
    Ok(())
}
