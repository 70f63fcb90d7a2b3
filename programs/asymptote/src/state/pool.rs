//! The pool account, read in place (`AccountLoader`): a `Pod` layout without padding whose
//! bytes are exactly its Borsh encoding (little-endian integers, fields in order), so
//! clients decode it with the IDL. Decoding the pool with Borsh cost about 5,400 CU on SBF
//! and writing it back about 1,300; in place it costs neither.
//!
//! `repr(C, packed(8))` with every field at an offset that is a multiple of its size (up to
//! 8): account data is only 8-byte aligned and `u128` is 16-byte aligned on both targets,
//! so `packed(8)` caps the alignment the layout needs at what the runtime gives, and the
//! field order leaves no padding (the `Pod` derive checks it). Fields are read with
//! aligned loads; under plain `packed` the SBF backend, which has no unaligned access,
//! read every multi-byte field a byte at a time (about 1,800 CU a trade, measured).
//! `u128` fields are still copied out, never borrowed (the compiler enforces it).
//!
//! `unsafe_code` is allowed in this module only for the `Pod` impls that `bytemuck`'s derive
//! and Anchor's `zero_copy` generate; no `unsafe` is written here.
#![allow(unsafe_code)]

use anchor_lang::prelude::*;
use asymptote_math::{Config as MathConfig, Powers, SkewConfig, State as MathState, U256, U64F64};
use asymptote_math::{Side, MINIMUM_SUPPLY};
use bytemuck::{Pod, Zeroable};

use crate::constants::BPS;
use crate::error::AsymptoteError;

/// Where the pool reads its price.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum OracleSource {
    /// Pyth pull oracle: `PriceUpdateV2` accounts of the receiver program, any account with
    /// the pool's feed id.
    PythPull,
    /// Legacy Pyth price account: one fixed account owned by the configured Pyth program.
    PythLegacy,
}

/// Oracle source and the limits every price must pass, as `create_pool` takes them.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub struct OracleConfig {
    pub source: OracleSource,
    /// Pull: the feed id. Legacy: the price account's address.
    pub key: [u8; 32],
    /// Pull: seconds. Legacy: slots.
    pub max_age: u32,
    /// Confidence limit (`conf / price`, bps) for opens and swaps.
    pub max_conf_bps_open: u16,
    /// Wider confidence limit for closes.
    pub max_conf_bps_close: u16,
    /// `|spot - ema| / ema` limit (bps) for opens and swaps.
    pub max_ema_divergence_bps: u16,
    /// Candidate prices are widened against the trader by this fraction of their
    /// confidence (bps of conf; 0 = none).
    pub conf_widening_bps: u16,
}

/// `OracleConfig` as the pool stores it: the source as its one-byte tag (an enum is not
/// `Pod`), the same bytes as the Borsh encoding of the `OracleConfig` it came from.
#[zero_copy(unsafe)]
#[repr(C, packed)]
#[derive(Debug, PartialEq, Eq, Pod, Zeroable)]
pub struct PoolOracle {
    /// `OracleSource` tag: 0 pull, 1 legacy.
    pub source: u8,
    pub key: [u8; 32],
    pub max_age: u32,
    pub max_conf_bps_open: u16,
    pub max_conf_bps_close: u16,
    pub max_ema_divergence_bps: u16,
    pub conf_widening_bps: u16,
}

impl From<OracleConfig> for PoolOracle {
    fn from(o: OracleConfig) -> Self {
        Self {
            source: match o.source {
                OracleSource::PythPull => PoolOracle::PYTH_PULL,
                OracleSource::PythLegacy => PoolOracle::PYTH_LEGACY,
            },
            key: o.key,
            max_age: o.max_age,
            max_conf_bps_open: o.max_conf_bps_open,
            max_conf_bps_close: o.max_conf_bps_close,
            max_ema_divergence_bps: o.max_ema_divergence_bps,
            conf_widening_bps: o.conf_widening_bps,
        }
    }
}

impl PoolOracle {
    /// `source` tags, the Borsh variant indices of `OracleSource`.
    pub const PYTH_PULL: u8 = 0;
    pub const PYTH_LEGACY: u8 = 1;

    /// The source; `create_pool` only stores valid tags, so an unknown one is a corrupt pool.
    pub fn source(&self) -> Result<OracleSource> {
        match self.source {
            Self::PYTH_PULL => Ok(OracleSource::PythPull),
            Self::PYTH_LEGACY => Ok(OracleSource::PythLegacy),
            _ => err!(AsymptoteError::InvalidOracleParameter),
        }
    }
}

/// Immutable economics of a pool (also `create_pool`'s argument, Borsh-encoded as its bytes).
/// Widest fields first, so every field is aligned and there is no padding.
#[zero_copy(unsafe)]
#[repr(C, packed(8))]
#[derive(Debug, PartialEq, Eq, Pod, Zeroable)]
pub struct PoolParams {
    /// Reference price in the normalised unit (18 decimals).
    pub mark: u128,
    /// Skew charge `lambda`, 64.64 bits (0: none).
    pub skew_lambda: u128,
    /// Skew cap `b_max`, 64.64 bits (0: none).
    pub skew_cap: u128,
    /// Slots.
    pub interest_half_life: u64,
    /// Slots (0 or >= 2).
    pub premium_half_life: u64,
    /// Protocol share of interest is `1 / fee_divisor` (0: none).
    pub fee_divisor: u64,
    /// Depth cap `psi` in collateral atoms (0: none).
    pub skew_depth_cap: u64,
    pub k: u32,
    /// At most `MAX_OPENING_FEE_BPS` (a `u32` so the layout needs no padding).
    pub opening_fee_bps: u32,
}

// Borsh for a `Pod` type without padding is its bytes: fixed-width little-endian fields in
// declaration order. (The Borsh derive cannot be used on a packed struct: it borrows every
// field, and the `u128` fields cannot be borrowed.)
impl AnchorSerialize for PoolParams {
    fn serialize<W: std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(bytemuck::bytes_of(self))
    }
}

impl AnchorDeserialize for PoolParams {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let mut params = Self::zeroed();
        reader.read_exact(bytemuck::bytes_of_mut(&mut params))?;
        Ok(params)
    }
}

impl PoolParams {
    /// `OPEN_RATE = floor((10000 - fee_bps) * Q128 / 10000)`: the same value as
    /// `mul_div(Q128, kept, BPS)`, without a 256-bit product (it runs twice a trade;
    /// `mul_div` costs about 1,000 CU on SBF).
    pub fn open_rate(&self) -> Result<U256> {
        Ok(q128_ratio(self.kept_bps()?, BPS))
    }

    /// `floor(10000 * Q128 / (10000 - fee_bps))`, an estimate from below of `2^256 /
    /// OPEN_RATE` (since `OPEN_RATE <= kept Q128 / 10000`): within two units of it up to
    /// `MAX_OPENING_FEE_BPS`, within `(10000 / kept)^2 + 2` for any fee; 0 (none) for a fee
    /// of 100%.
    pub fn open_rate_inverse(&self) -> Result<U256> {
        let kept = self.kept_bps()?;
        Ok(if kept == 0 {
            U256::ZERO
        } else {
            q128_ratio(BPS, kept)
        })
    }

    /// `10000 - fee_bps`.
    fn kept_bps(&self) -> Result<u64> {
        BPS.checked_sub(u64::from(self.opening_fee_bps))
            .ok_or_else(|| error!(AsymptoteError::InvalidPoolParameter))
    }

    pub fn math_config(&self) -> Result<MathConfig> {
        Ok(MathConfig {
            k: self.k,
            mark: U256::from(self.mark),
            interest_hl: self.interest_half_life,
            premium_hl: self.premium_half_life,
            open_rate: self.open_rate()?,
            open_rate_inverse: self.open_rate_inverse()?,
            fee_divisor: self.fee_divisor,
            skew: SkewConfig {
                lambda: U64F64::from_bits(self.skew_lambda),
                b_max: U64F64::from_bits(self.skew_cap),
                // The math runs on sub-atoms; the cap is stored in atoms.
                psi: crate::units::sub_atoms(self.skew_depth_cap),
            },
        })
    }
}

/// `floor(num * 2^128 / den)` for `0 < den <= 2^32` and `num <= 2^32`, by long division on
/// 32-bit digits: every partial dividend `rem * 2^32` (with `rem < den`) fits in a `u64`.
fn q128_ratio(num: u64, den: u64) -> U256 {
    // num * 2^128 has the digit `num` at 2^128 and zeros below.
    let mut limbs = [0u64; 4];
    limbs[2] = num / den;
    let mut rem = num % den;
    for limb in limbs[..2].iter_mut().rev() {
        let hi = (rem << 32) / den;
        rem = (rem << 32) % den;
        let lo = (rem << 32) / den;
        rem = (rem << 32) % den;
        *limb = (hi << 32) | lo;
    }
    U256::from_limbs(limbs)
}

/// The pool's books: collateral, curve coefficients, timers, oracle memory, fees owed.
/// Widest fields first (the coefficients at multiples of 8), no padding.
#[zero_copy(unsafe)]
#[repr(C, packed(8))]
#[derive(Debug, PartialEq, Eq, Pod, Zeroable)]
pub struct PoolBooks {
    /// Collateral `R` that backs the three sides, in sub-atoms (atoms x 2^64, see
    /// `units`); excludes protocol fees owed.
    pub r: u128,
    /// Protocol fees charged and not yet collected, in sub-atoms (held in the vault).
    pub protocol_fees_owed: u128,
    /// Last valid spot and EMA prices (normalised) and the slot they were read: the crank's
    /// fallback when the oracle is stale.
    pub last_price: u128,
    pub last_ema_price: u128,
    /// LONG coefficient `a`, U256 little-endian.
    pub a: [u8; 32],
    /// SHORT coefficient `b`, U256 little-endian.
    pub b: [u8; 32],
    /// The powers `x^K` and `x^-K` (Q128, U256 little-endian) at `powers_price` (zero: none
    /// yet), as the last trade computed them. MARK and K never change, so a trade at the
    /// same price takes them from here (`asymptote_math::Powers`).
    pub powers_price: [u8; 32],
    pub powers_xk: [u8; 32],
    pub powers_xk_short: [u8; 32],
    pub last_price_slot: u64,
    pub last_interest_slot: u64,
    pub last_premium_slot: u64,
    /// Newest oracle publish time the pool has used (never goes back).
    pub last_publish_time: i64,
    /// Tokens of each side in circulation (the mint's supply, dead shares excluded) after
    /// the pool's last mint or burn of that side. Funding reads them for the sides an
    /// instruction does not load: no flow goes to a side only dead shares hold.
    pub circulating_long: u64,
    pub circulating_short: u64,
    pub circulating_lp: u64,
}

/// A pool (PDA `["pool", collateral_mint, oracle key, nonce]`). Every field sits at a
/// multiple of its alignment; the oracle limits (45 bytes, byte-aligned) come last.
#[account(zero_copy(unsafe))]
#[repr(C, packed(8))]
#[derive(Debug)]
pub struct Pool {
    pub version: u8,
    pub bump: u8,
    pub authority_bump: u8,
    pub vault_bump: u8,
    pub long_mint_bump: u8,
    pub short_mint_bump: u8,
    pub lp_mint_bump: u8,
    pub collateral_decimals: u8,
    pub nonce: u64,
    pub creator: Pubkey,
    /// The pool's signer PDA `["authority", pool]` (stored so instructions compare keys
    /// instead of re-deriving it).
    pub authority: Pubkey,
    pub collateral_mint: Pubkey,
    pub collateral_token_program: Pubkey,
    pub vault: Pubkey,
    pub long_mint: Pubkey,
    pub short_mint: Pubkey,
    pub lp_mint: Pubkey,
    pub params: PoolParams,
    pub books: PoolBooks,
    pub created_slot: u64,
    pub oracle: PoolOracle,
    pub reserved: [u8; Pool::RESERVED],
}

pub fn u256_to_bytes(x: U256) -> [u8; 32] {
    x.to_le_bytes::<32>()
}

pub fn u256_from_bytes(b: &[u8; 32]) -> U256 {
    U256::from_le_bytes(*b)
}

/// Token supply as the math core counts it: the mint's supply plus the `MINIMUM_SUPPLY`
/// dead shares that were never minted (so no one can ever burn them).
pub fn math_supply(mint_supply: u64) -> U256 {
    U256::from(mint_supply) + U256::from(MINIMUM_SUPPLY)
}

impl Pool {
    pub const VERSION: u8 = 1;
    /// Account size: the discriminator and the layout.
    pub const SPACE: usize = 8 + core::mem::size_of::<Pool>();
    /// Bytes kept free for upgrades: 256 at version 1, less what was carved out since (the
    /// circulation counters, the powers), plus the three that make the layout a multiple of
    /// its 8-byte alignment (832 bytes).
    pub const RESERVED: usize = 256 - 3 * 8 - 3 * 32 + 3;

    /// The mint of a token side (`None` for collateral), by reference: a key copied out of
    /// the pool moves byte by byte on SBF.
    pub fn mint_of(&self, side: Side) -> Option<&Pubkey> {
        match side {
            Side::Long => Some(&self.long_mint),
            Side::Short => Some(&self.short_mint),
            Side::Lp => Some(&self.lp_mint),
            Side::Collateral => None,
        }
    }

    /// The math core's view of the pool. `supplies` are the mint supplies of the sides the
    /// instruction loaded; the other sides come from the circulation the pool recorded.
    pub fn math_state(&self, supplies: [(Side, u64); 2]) -> MathState {
        let mut state = MathState {
            r: U256::from(self.books.r),
            a: u256_from_bytes(&self.books.a),
            b: u256_from_bytes(&self.books.b),
            supply_long: math_supply(self.books.circulating_long),
            supply_short: math_supply(self.books.circulating_short),
            supply_lp: math_supply(self.books.circulating_lp),
            last_interest: self.books.last_interest_slot,
            last_premium: self.books.last_premium_slot,
        };
        for (side, supply) in supplies {
            let s = math_supply(supply);
            match side {
                Side::Long => state.supply_long = s,
                Side::Short => state.supply_short = s,
                Side::Lp => state.supply_lp = s,
                Side::Collateral => {}
            }
        }
        state
    }

    /// Store the math core's new state (R, coefficients, timers).
    pub fn store(&mut self, state: &MathState) -> Result<()> {
        self.books.r = crate::units::narrow(state.r)?;
        self.books.a = u256_to_bytes(state.a);
        self.books.b = u256_to_bytes(state.b);
        self.books.last_interest_slot = state.last_interest;
        self.books.last_premium_slot = state.last_premium;
        Ok(())
    }

    /// The powers the pool keeps, if any.
    pub fn known_powers(&self) -> Option<Powers> {
        let price = u256_from_bytes(&self.books.powers_price);
        (!price.is_zero()).then(|| Powers {
            price,
            xk: u256_from_bytes(&self.books.powers_xk),
            xk_short: u256_from_bytes(&self.books.powers_xk_short),
        })
    }

    /// Keep the powers at the price a trade used, for the next trade at that price.
    pub fn keep_powers(&mut self, powers: &Powers) {
        self.books.powers_price = u256_to_bytes(powers.price);
        self.books.powers_xk = u256_to_bytes(powers.xk);
        self.books.powers_xk_short = u256_to_bytes(powers.xk_short);
    }

    /// Record the circulation after a trade minted or burned (`state` from `math_state`,
    /// so every supply includes the dead shares).
    pub fn record_circulation(&mut self, state: &MathState) -> Result<()> {
        let circulating = |supply: U256| -> Result<u64> {
            crate::units::narrow(
                supply
                    .checked_sub(U256::from(MINIMUM_SUPPLY))
                    .ok_or(AsymptoteError::MinimumSupply)?,
            )
        };
        self.books.circulating_long = circulating(state.supply_long)?;
        self.books.circulating_short = circulating(state.supply_short)?;
        self.books.circulating_lp = circulating(state.supply_lp)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::MAX_OPENING_FEE_BPS;
    use asymptote_math::{mul_div, Q128};

    #[test]
    fn params_borsh_is_each_field_little_endian_in_order() {
        let params = PoolParams {
            k: 3,
            mark: 150 << 64 | 7,
            interest_half_life: 11,
            premium_half_life: 12,
            opening_fee_bps: 30,
            fee_divisor: 5,
            skew_lambda: 1 << 63,
            skew_cap: 3 << 64,
            skew_depth_cap: 1_000_000,
        };
        let mut expected = Vec::new();
        expected.extend_from_slice(&(150u128 << 64 | 7).to_le_bytes());
        expected.extend_from_slice(&(1u128 << 63).to_le_bytes());
        expected.extend_from_slice(&(3u128 << 64).to_le_bytes());
        expected.extend_from_slice(&11u64.to_le_bytes());
        expected.extend_from_slice(&12u64.to_le_bytes());
        expected.extend_from_slice(&5u64.to_le_bytes());
        expected.extend_from_slice(&1_000_000u64.to_le_bytes());
        expected.extend_from_slice(&3u32.to_le_bytes());
        expected.extend_from_slice(&30u32.to_le_bytes());
        let mut encoded = Vec::new();
        params.serialize(&mut encoded).ok();
        assert_eq!(encoded, expected);
        assert_eq!(PoolParams::try_from_slice(&encoded).ok(), Some(params));
        assert!(
            PoolParams::try_from_slice(&encoded[1..]).is_err(),
            "one byte short"
        );
    }

    #[test]
    fn open_rate_is_the_floored_mul_div_for_every_fee() {
        for fee in 0..=10_000u32 {
            let params = PoolParams {
                k: 2,
                mark: 1,
                interest_half_life: 0,
                premium_half_life: 0,
                opening_fee_bps: fee,
                fee_divisor: 0,
                skew_lambda: 0,
                skew_cap: 0,
                skew_depth_cap: 0,
            };
            let expected = mul_div(Q128, U256::from(10_000 - u64::from(fee)), U256::from(BPS));
            assert_eq!(params.open_rate().ok(), expected.ok(), "fee {fee}");
        }
        let params = PoolParams {
            k: 2,
            mark: 1,
            interest_half_life: 0,
            premium_half_life: 0,
            opening_fee_bps: 10_001,
            fee_divisor: 0,
            skew_lambda: 0,
            skew_cap: 0,
            skew_depth_cap: 0,
        };
        assert!(params.open_rate().is_err());
    }

    #[test]
    fn open_rate_inverse_is_a_few_units_below_the_reciprocal_for_every_fee() {
        for fee in 0..10_000u32 {
            let params = PoolParams {
                opening_fee_bps: fee,
                ..PoolParams::zeroed()
            };
            let (rate, inverse) = (params.open_rate().ok(), params.open_rate_inverse().ok());
            let (Some(rate), Some(inverse)) = (rate, inverse) else {
                panic!("fee {fee}: no rate");
            };
            let Ok(reciprocal) = mul_div(Q128, Q128, rate) else {
                panic!("fee {fee}: no reciprocal");
            };
            let kept = BPS - u64::from(fee);
            let most = if fee <= u32::from(MAX_OPENING_FEE_BPS) {
                2
            } else {
                BPS * BPS / (kept * kept) + 2
            };
            let below = reciprocal.checked_sub(inverse);
            assert!(
                below.is_some_and(|gap| gap <= U256::from(most)),
                "fee {fee}: {inverse} vs {reciprocal}"
            );
        }
        let full = PoolParams {
            opening_fee_bps: 10_000,
            ..PoolParams::zeroed()
        };
        assert_eq!(full.open_rate_inverse().ok(), Some(U256::ZERO));
    }
}
