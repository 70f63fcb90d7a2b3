// `unsafe_code` only for the `Pod` impls that Anchor's `zero_copy` generates (no `unsafe`
// is written here).
#![allow(unsafe_code)]

use anchor_lang::prelude::*;

use crate::constants::pause;
use crate::error::AsymptoteError;

/// The one protocol config (PDA `["config"]`), read in place like the pool (see
/// `state::pool`): its packed layout is its Borsh encoding.
#[account(zero_copy(unsafe))]
#[repr(C, packed)]
#[derive(Debug)]
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
    /// Account size: the discriminator and the packed layout.
    pub const SPACE: usize = 8 + core::mem::size_of::<ProtocolConfig>();

    /// The admin and the guardian may set pause bits.
    pub fn may_pause(&self, signer: &Pubkey) -> bool {
        *signer == self.admin || *signer == self.guardian
    }

    pub fn require_not_paused(&self, bit: u16) -> Result<()> {
        require!(self.paused & bit == 0, AsymptoteError::Paused);
        Ok(())
    }

    pub fn validate_pause_bits(bits: u16) -> Result<()> {
        require!(bits & !pause::ALL == 0, AsymptoteError::InvalidPauseBits);
        Ok(())
    }
}
