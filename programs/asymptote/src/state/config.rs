use anchor_lang::prelude::*;

use crate::constants::pause;
use crate::error::AsymptoteError;

/// The one protocol config (PDA `["config"]`).
#[account]
#[derive(InitSpace, Debug)]
pub struct ProtocolConfig {
    pub version: u8,
    pub bump: u8,
    /// Pause bits, one per instruction family (`constants::pause`).
    pub paused: u16,
    pub admin: Pubkey,
    /// Set by `propose_admin`, cleared by `accept_admin`; `Pubkey::default()` when none.
    pub pending_admin: Pubkey,
    /// May only set pause bits.
    pub guardian: Pubkey,
    /// Owner of the token accounts that receive collected protocol fees.
    pub fee_recipient: Pubkey,
    /// Owner program of legacy Pyth price accounts on this cluster.
    pub legacy_pyth_program: Pubkey,
    pub pool_count: u64,
    pub reserved: [u8; 128],
}

impl ProtocolConfig {
    pub const VERSION: u8 = 1;

    pub fn require_not_paused(&self, bit: u16) -> Result<()> {
        require!(self.paused & bit == 0, AsymptoteError::Paused);
        Ok(())
    }

    pub fn validate_pause_bits(bits: u16) -> Result<()> {
        require!(bits & !pause::ALL == 0, AsymptoteError::InvalidPauseBits);
        Ok(())
    }
}
