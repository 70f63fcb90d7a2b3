//! Seeds, bounds and fixed precisions of the program.

use anchor_lang::prelude::Pubkey;

/// Protocol config PDA: `["config"]`.
pub const CONFIG_SEED: &[u8] = b"config";

/// The config's address and bump, derived at compile time: checking it is a key comparison
/// instead of a 1,500-CU `create_program_address` in every instruction.
pub const CONFIG_ADDRESS_AND_BUMP: (Pubkey, u8) = {
    let (address, bump) =
        anchor_lang::derive_program_address(&[CONFIG_SEED], &crate::ID_CONST.to_bytes());
    (Pubkey::new_from_array(address), bump)
};
/// Pool PDA: `["pool", collateral_mint, oracle_key (32 bytes), nonce (u64 LE)]`.
pub const POOL_SEED: &[u8] = b"pool";
/// Per-pool signer of the vault and mint authority of the side mints: `["authority", pool]`.
pub const AUTHORITY_SEED: &[u8] = b"authority";
/// Collateral vault token account: `["vault", pool]`.
pub const VAULT_SEED: &[u8] = b"vault";
/// Side mints: `["long", pool]`, `["short", pool]`, `["lp", pool]`.
pub const LONG_MINT_SEED: &[u8] = b"long";
pub const SHORT_MINT_SEED: &[u8] = b"short";
pub const LP_MINT_SEED: &[u8] = b"lp";

/// Oracle prices are normalised to this many decimals (Pyth exponent `e` in
/// `MIN_EXPONENT..=MAX_EXPONENT` becomes `price * 10^(PRICE_DECIMALS + e)`).
pub const PRICE_DECIMALS: i32 = 18;
pub const MIN_EXPONENT: i32 = -18;
pub const MAX_EXPONENT: i32 = 0;

/// Basis points denominator.
pub const BPS: u64 = 10_000;

/// Bounds checked by `create_pool` (documented in the README).
pub const MAX_K: u32 = 16;
/// Half-lives in slots: at most ~10 years of 400 ms slots.
pub const MAX_HALF_LIFE_SLOTS: u64 = 800_000_000;
/// Opening fee at most 10 %.
pub const MAX_OPENING_FEE_BPS: u16 = 1_000;
/// Protocol share of interest is `1 / fee_divisor`, from 1/100 to all of it.
pub const MAX_FEE_DIVISOR: u64 = 100;
/// Smallest initial deposit (atoms): every side starts with more than its dead shares.
pub const MIN_INITIAL_DEPOSIT: u64 = 1_000_000;
/// Oracle limits: ages, confidence and EMA divergence bounds accepted at creation.
pub const MAX_PRICE_AGE_SECONDS: u32 = 3_600;
pub const MAX_PRICE_AGE_SLOTS: u32 = 9_000;
pub const MAX_CONF_BPS: u16 = 2_000;
pub const MAX_EMA_DIVERGENCE_BPS: u16 = 5_000;
/// A price may be published at most this many seconds after the validator clock.
pub const MAX_FUTURE_SKEW_SECONDS: i64 = 10;

/// Pause bits (protocol config), one per instruction family.
pub mod pause {
    pub const CREATE_POOL: u16 = 1 << 0;
    pub const OPEN: u16 = 1 << 1;
    pub const CLOSE: u16 = 1 << 2;
    pub const SWAP: u16 = 1 << 3;
    pub const ACCRUE: u16 = 1 << 4;
    pub const COLLECT_FEES: u16 = 1 << 5;
    pub const ALL: u16 = (1 << 6) - 1;
}
