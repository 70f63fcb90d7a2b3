//! Events (emitted with `emit_cpi!`): enough for an indexer to rebuild every pool's history.

use anchor_lang::prelude::*;

/// A side of a trade, as events and instruction arguments name it.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum TradeSide {
    Collateral,
    Long,
    Short,
    Lp,
}

/// The pool's books after an operation, at the price it used. Collateral quantities are in
/// sub-atoms (atoms x 2^64, see `units`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub struct PoolSnapshot {
    pub r: u128,
    pub a: [u8; 32],
    pub b: [u8; 32],
    pub r_long: u128,
    pub r_short: u128,
    pub r_lp: u128,
    /// Mint supplies (dead shares excluded) of the sides the operation touched; others 0.
    pub supply_long: u64,
    pub supply_short: u64,
    pub supply_lp: u64,
    pub last_interest_slot: u64,
    pub last_premium_slot: u64,
    pub protocol_fees_owed: u128,
}

/// Funding charged by an operation before it traded, in sub-atoms.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct FundingPaid {
    /// Interest LONG and SHORT paid (LP's share plus the protocol fee).
    pub interest: u128,
    /// Premium moved from the larger side to the smaller.
    pub premium: u128,
    pub premium_paid_by_long: bool,
    pub protocol_fee: u128,
}

#[event]
pub struct ConfigInitialized {
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub fee_recipient: Pubkey,
    pub legacy_pyth_program: Pubkey,
}

#[event]
pub struct PoolCreated {
    pub pool: Pubkey,
    pub creator: Pubkey,
    pub collateral_mint: Pubkey,
    pub long_mint: Pubkey,
    pub short_mint: Pubkey,
    pub lp_mint: Pubkey,
    pub nonce: u64,
    pub params: crate::state::PoolParams,
    pub oracle: crate::state::OracleConfig,
    pub deposit: u64,
    pub price: u128,
    pub slot: u64,
    pub books: PoolSnapshot,
}

#[event]
pub struct Traded {
    pub pool: Pubkey,
    pub trader: Pubkey,
    pub side_in: TradeSide,
    pub side_out: TradeSide,
    /// Paid by the trader (collateral atoms or tokens), opening fee and skew charge included.
    pub amount_in: u64,
    /// Received by the trader (collateral atoms or tokens).
    pub amount_out: u64,
    /// Collateral value moved between the sides (sub-atoms).
    pub value: u128,
    /// Opening fee in the input's unit (sub-atoms for collateral, else tokens).
    pub opening_fee: u128,
    /// Skew charge paid to LP (sub-atoms).
    pub skew_charge: u128,
    pub funding: FundingPaid,
    /// The normalised price the trade used.
    pub price: u128,
    pub slot: u64,
    pub books: PoolSnapshot,
}

#[event]
pub struct FundingAccrued {
    pub pool: Pubkey,
    pub funding: FundingPaid,
    pub price: u128,
    /// True when the oracle was stale and the last valid price was used.
    pub used_fallback_price: bool,
    pub slot: u64,
    pub books: PoolSnapshot,
}

#[event]
pub struct ProtocolFeesCollected {
    pub pool: Pubkey,
    pub recipient_account: Pubkey,
    /// Atoms transferred.
    pub amount: u64,
}

#[event]
pub struct PauseChanged {
    pub by: Pubkey,
    pub previous: u16,
    pub paused: u16,
}

#[event]
pub struct AdminProposed {
    pub admin: Pubkey,
    pub proposed: Pubkey,
}

#[event]
pub struct AdminChanged {
    pub previous: Pubkey,
    pub admin: Pubkey,
}

#[event]
pub struct RolesChanged {
    pub guardian: Pubkey,
    pub fee_recipient: Pubkey,
}

/// What `emit_cpi!` does, the same self-invocation with the same data (event tag,
/// discriminator, Borsh body) signed by the event authority, with the data written into
/// one buffer: the macro chains byte iterators into its vector, about 2,500 CU for a
/// `Traded` event on SBF.
pub fn emit_event<E: anchor_lang::Event>(event_authority: &AccountInfo, event: &E) -> Result<()> {
    let tag = anchor_lang::event::EVENT_IX_TAG_LE;
    let mut data = Vec::with_capacity(512);
    data.extend_from_slice(tag);
    data.extend_from_slice(E::DISCRIMINATOR);
    event.serialize(&mut data)?;
    crate::cpi::invoke(
        &crate::ID,
        [crate::cpi::CpiAccount::signer(event_authority)],
        &data,
        &[b"__event_authority", &[crate::EVENT_AUTHORITY_AND_BUMP.1]],
    )
}
