//! hAMM skew charge (SPEC section 6): the LPs carry the net exposure the traders leave
//! unmatched, and a trade pays the rise of the potential `Phi = lambda * N^2 / (2L)`.

use fixed::types::U64F64;

use crate::error::{ArithmeticError, ArithmeticKind, PoolError, PoolResult};
use crate::wide::{mul_small, narrow, sub, U256, U512};

/// Skew-charge parameters of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkewConfig {
    /// Charge coefficient `lambda` (64.64). Zero disables the charge (pure Derion).
    pub lambda: U64F64,
    /// Skew cap `b_max` (64.64): `|N| <= b_max * L` after a trade that raises `|N|`.
    /// Zero means no cap.
    pub b_max: U64F64,
    /// Depth cap `psi` in collateral units: `L = min(rC, psi)`. Zero means no depth cap.
    pub psi: U256,
}

impl SkewConfig {
    pub const NONE: SkewConfig = SkewConfig {
        lambda: U64F64::ZERO,
        b_max: U64F64::ZERO,
        psi: U256::ZERO,
    };

    /// Largest accepted `lambda` (a charge of 2^16 * N^2/(2L) is already prohibitive).
    pub const MAX_LAMBDA: U64F64 = U64F64::from_bits(1u128 << 80);

    pub fn validate(&self) -> PoolResult<()> {
        if self.lambda > Self::MAX_LAMBDA {
            return Err(PoolError::InvalidSkewConfig);
        }
        Ok(())
    }

    pub fn is_enabled(&self) -> bool {
        self.lambda != U64F64::ZERO || self.b_max != U64F64::ZERO
    }
}

/// Net skew `N` (signed: positive when LONG exposure exceeds SHORT) and depth `L`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skew {
    pub long_heavy: bool,
    /// `|N| = |E_long - E_short|`, in collateral units times leverage.
    pub magnitude: U256,
    /// `L = rC`, or `min(rC, psi)` with a depth cap.
    pub depth: U256,
}

impl Skew {
    /// The signed net skew as (sign, magnitude) -> i.e. `N`.
    pub fn signed(&self) -> (bool, U256) {
        (self.long_heavy, self.magnitude)
    }
}

/// Exposure of a side: `K * min(r, R - r)` (`K r` on the power branch, `K (R - r)` on the
/// flat one).
pub fn exposure(k: u32, r: U256, big_r: U256) -> PoolResult<U256> {
    let rest = sub(big_r, r)?;
    Ok(mul_small(r.min(rest), k)?)
}

/// Skew of a pool split `(rA, rB, rC)` of `R`.
pub fn skew(
    config: &SkewConfig,
    k: u32,
    big_r: U256,
    r_long: U256,
    r_short: U256,
    r_lp: U256,
) -> PoolResult<Skew> {
    let e_long = exposure(k, r_long, big_r)?;
    let e_short = exposure(k, r_short, big_r)?;
    let depth = if config.psi.is_zero() {
        r_lp
    } else {
        r_lp.min(config.psi)
    };
    Ok(Skew {
        long_heavy: e_long >= e_short,
        magnitude: crate::wide::abs_diff(e_long, e_short),
        depth,
    })
}

/// `S = ceil(lambda * (N1^2 L0 - N0^2 L1) / (2 L0 L1 2^64))` when positive, else 0.
/// One rounding, in the pool's favour; 512-bit intermediates throughout.
pub fn charge(config: &SkewConfig, before: &Skew, after: &Skew) -> PoolResult<U256> {
    let lambda = config.lambda.to_bits();
    if lambda == 0 {
        return Ok(U256::ZERO);
    }
    let (l0, l1) = (before.depth, after.depth);
    if l0.is_zero() || l1.is_zero() {
        return Err(ArithmeticError::new(ArithmeticKind::DivisionByZero).into());
    }
    let n0_sq: U512 = before.magnitude.widening_mul(before.magnitude);
    let n1_sq: U512 = after.magnitude.widening_mul(after.magnitude);
    let up = widen_mul(n1_sq, l0)?;
    let down = widen_mul(n0_sq, l1)?;
    if up <= down {
        return Ok(U256::ZERO);
    }
    let overflow = || PoolError::from(ArithmeticError::new(ArithmeticKind::Overflow));
    let numerator = (up - down)
        .checked_mul(U512::from(lambda))
        .ok_or_else(overflow)?;
    let l0_l1: U512 = l0.widening_mul(l1);
    if l0_l1.bit_len() > 512 - 65 {
        return Err(overflow());
    }
    let (q, r) = numerator.div_rem(l0_l1 << 65);
    let q = narrow(q).ok_or_else(overflow)?;
    if r.is_zero() {
        Ok(q)
    } else {
        Ok(crate::wide::add(q, U256::from(1u8))?)
    }
}

fn widen_mul(a: U512, b: U256) -> PoolResult<U512> {
    a.checked_mul(U512::from(b))
        .ok_or_else(|| ArithmeticError::new(ArithmeticKind::Overflow).into())
}

/// The skew cap: a trade that raises `|N|` (or removes LP depth) may not end with
/// `|N1| > b_max * L1`.
pub fn check_cap(
    config: &SkewConfig,
    before: &Skew,
    after: &Skew,
    removes_depth: bool,
) -> PoolResult<()> {
    let b_max = config.b_max.to_bits();
    if b_max == 0 {
        return Ok(());
    }
    if after.magnitude <= before.magnitude && !removes_depth {
        return Ok(());
    }
    // |N1| > b_max * L1  <=>  |N1| * 2^64 > b_max_raw * L1, in 512 bits.
    let lhs: U512 = U512::from(after.magnitude) << 64;
    let rhs: U512 = U256::from(b_max).widening_mul(after.depth);
    if lhs > rhs {
        Err(PoolError::SkewCapExceeded)
    } else {
        Ok(())
    }
}
