//! hAMM skew charge (SPEC section 6): the LPs carry the net exposure the traders leave
//! unmatched, and a trade pays the rise of the potential `Phi = lambda * N^2 / (2L)`.

use fixed::types::U64F64;

use crate::error::{ArithmeticError, ArithmeticKind, PoolError, PoolResult};
use crate::wide::{
    div_shr_up_512, mul_512, mul_div_up, mul_small, narrow, sub, wide_mul, U256, U512,
};

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
    if l0 == l1 {
        if let Some(same_depth) = charge_at_one_depth(lambda, before.magnitude, after.magnitude, l0)
        {
            return same_depth;
        }
    }
    // On 32-bit digits (`wide`): ruint's 512-bit products and division take emulated
    // 128-bit steps on SBF.
    let n0_sq = wide_mul(before.magnitude, before.magnitude);
    let n1_sq = wide_mul(after.magnitude, after.magnitude);
    let up = mul_512(n1_sq, l0)?;
    let down = mul_512(n0_sq, l1)?;
    if up <= down {
        return Ok(U256::ZERO);
    }
    let numerator = mul_512(up - down, U256::from(lambda))?;
    let l0_l1 = wide_mul(l0, l1);
    if l0_l1.bit_len() > 512 - 65 {
        return Err(ArithmeticError::new(ArithmeticKind::Overflow).into());
    }
    Ok(div_shr_up_512::<65>(numerator, l0_l1)?)
}

/// [`charge`] when the trade leaves the depth as it was (LONG and SHORT trades do not move
/// `rC`): with `L0 = L1 = L` the formula is `ceil(lambda (N1 - N0)(N1 + N0) / (L 2^65))`,
/// the same rational number, so the same charge: a 256-bit `mul_div_up` at the usual sizes
/// (a 512-bit division by `L` above them) where the general form takes four 512-bit products
/// and a division by `L^2`. `None` (take the general form) unless every product of the
/// general form fits, so that both agree on errors too.
fn charge_at_one_depth(lambda: u128, n0: U256, n1: U256, l: U256) -> Option<PoolResult<U256>> {
    let lambda_bits = (u128::BITS - lambda.leading_zeros()) as usize;
    let product_bits = 2 * n0.max(n1).bit_len() + l.bit_len() + lambda_bits;
    if product_bits > 512 || 2 * l.bit_len() > 512 - 65 {
        return None;
    }
    if n1 <= n0 {
        return Some(Ok(U256::ZERO));
    }
    // n1 < 2^255 (the bound above), so n1 + n0 < 2^256.
    let squares = wide_mul(n1 - n0, n1 + n0);
    let charge = match narrow(squares) {
        // The usual sizes (N below 2^128, L below 2^191): one 256-bit `mul_div_up`.
        Some(squares) if l.bit_len() <= 256 - 65 => {
            mul_div_up(U256::from(lambda), squares, l << 65usize)
        }
        _ => mul_512(squares, U256::from(lambda))
            .and_then(|numerator| div_shr_up_512::<65>(numerator, U512::from(l))),
    };
    Some(charge.map_err(Into::into))
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
    let rhs = wide_mul(U256::from(b_max), after.depth);
    if lhs > rhs {
        Err(PoolError::SkewCapExceeded)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wide::Q256M;

    /// The charge in ruint's 512-bit arithmetic, the reference for the digit version.
    fn reference(config: &SkewConfig, before: &Skew, after: &Skew) -> Option<U256> {
        let lambda = config.lambda.to_bits();
        if lambda == 0 {
            return Some(U256::ZERO);
        }
        let (l0, l1) = (before.depth, after.depth);
        if l0.is_zero() || l1.is_zero() {
            return None;
        }
        let up = squared_times(after.magnitude, l0)?;
        let down = squared_times(before.magnitude, l1)?;
        if up <= down {
            return Some(U256::ZERO);
        }
        let numerator = (up - down).checked_mul(U512::from(lambda))?;
        let l0_l1: U512 = l0.widening_mul(l1);
        if l0_l1.bit_len() > 512 - 65 {
            return None;
        }
        let (q, r) = numerator.div_rem(l0_l1 << 65);
        let q = crate::wide::narrow(q)?;
        if r.is_zero() {
            Some(q)
        } else {
            q.checked_add(U256::from(1u8))
        }
    }

    /// `n^2 l` in 512 bits.
    fn squared_times(n: U256, l: U256) -> Option<U512> {
        let n_sq: U512 = n.widening_mul(n);
        n_sq.checked_mul(U512::from(l))
    }

    fn skew(magnitude: U256, depth: U256) -> Skew {
        Skew {
            long_heavy: true,
            magnitude,
            depth,
        }
    }

    fn config(lambda: u128) -> SkewConfig {
        SkewConfig {
            lambda: U64F64::from_bits(lambda),
            b_max: U64F64::ZERO,
            psi: U256::ZERO,
        }
    }

    #[test]
    fn charge_matches_the_wide_reference_at_the_extremes() {
        let values = [
            U256::ZERO,
            U256::from(1u8),
            U256::from(u64::MAX),
            U256::from(1u8) << 106,
            U256::from(u128::MAX),
            U256::from(1u8) << 200,
            Q256M,
        ];
        for lambda in [1u128, 1 << 60, 1 << 64, u128::MAX] {
            for &n0 in &values {
                for &n1 in &values {
                    for &l0 in &values[1..] {
                        for &l1 in &values[1..] {
                            let (before, after) = (skew(n0, l0), skew(n1, l1));
                            let got = charge(&config(lambda), &before, &after).ok();
                            assert_eq!(
                                got,
                                reference(&config(lambda), &before, &after),
                                "lambda {lambda} n0 {n0} n1 {n1} l0 {l0} l1 {l1}"
                            );
                        }
                    }
                }
            }
        }
        let zero_depth = charge(
            &config(1),
            &skew(U256::ZERO, U256::ZERO),
            &skew(U256::from(1u8), U256::from(1u8)),
        );
        assert_eq!(
            zero_depth.map_err(|e| e.name()),
            Err("DivisionByZero"),
            "an empty LP side cannot price skew"
        );
    }

    proptest::proptest! {
        /// Random widths of every operand: the digit charge is the reference's, errors
        /// (overflow) included.
        #[test]
        fn charge_matches_the_wide_reference(
            n in proptest::array::uniform2(proptest::array::uniform4(proptest::num::u64::ANY)),
            l in proptest::array::uniform2(proptest::array::uniform4(proptest::num::u64::ANY)),
            shifts in proptest::array::uniform4(40usize..256),
            lambda in proptest::num::u128::ANY,
        ) {
            let before = skew(U256::from_limbs(n[0]) >> shifts[0], (U256::from_limbs(l[0]) >> shifts[1]) | U256::from(1u8));
            let after = skew(U256::from_limbs(n[1]) >> shifts[2], (U256::from_limbs(l[1]) >> shifts[3]) | U256::from(1u8));
            let config = config(lambda);
            proptest::prop_assert_eq!(charge(&config, &before, &after).ok(), reference(&config, &before, &after));
        }

        /// A trade that keeps the depth (LONG and SHORT) takes the one-depth form: the
        /// reference's charge at random widths, and wherever that form applies, the same
        /// charge as the general one (a wrong rounding or a missed `N1 <= N0` fails it).
        #[test]
        fn one_depth_charge_is_the_general_charge(
            n in proptest::array::uniform2(proptest::array::uniform4(proptest::num::u64::ANY)),
            l in proptest::array::uniform4(proptest::num::u64::ANY),
            shifts in proptest::array::uniform3(40usize..256),
            lambda in proptest::num::u128::ANY,
        ) {
            let depth = (U256::from_limbs(l) >> shifts[2]) | U256::from(1u8);
            let before = skew(U256::from_limbs(n[0]) >> shifts[0], depth);
            let after = skew(U256::from_limbs(n[1]) >> shifts[1], depth);
            let config = config(lambda);
            let got = charge(&config, &before, &after);
            proptest::prop_assert_eq!(got.ok(), reference(&config, &before, &after));
            if let Some(one_depth) = charge_at_one_depth(lambda, before.magnitude, after.magnitude, depth) {
                proptest::prop_assert_eq!(one_depth.ok(), got.ok());
            }
        }
    }
}
