//! The asymptotic power curve: reserve of a side from its coefficient (`r`), the inverse
//! (`v`), and the solvency condition `4ab <= R^2`.

use crate::error::{PoolError, PoolResult};
use crate::price::inverse_xk;
use crate::wide::{mul_div_up, mul_shr, q128_div_up_by, sub, wide_mul, Product, Q128, U256};

/// Reserve of a side with coefficient `v` at power `xk` (Q128) in a pool holding `big_r`:
/// `floor(v * xk)` on the power branch (up to `floor(R/2)`), else
/// `R - ceil(R^2 / floor(4 * v * xk))` on the flat branch. Always `< R` for `R > 0`.
pub fn reserve(v: U256, xk: U256, big_r: U256) -> PoolResult<U256> {
    // Both branches shift the same product (one 512-bit product instead of two).
    let product = Product::of(v, xk);
    let (r, _) = product.shr::<128>()?;
    if r <= big_r >> 1 {
        return Ok(r);
    }
    let (four_u, _) = product.shr::<126>()?;
    Ok(sub(big_r, mul_div_up(big_r, big_r, four_u)?)?)
}

/// The coefficient that gives reserve `r` at power `xk` with collateral `big_r`, rounded up:
/// `ceil(r / xk)` on the power branch, `ceil(R^2 / floor(4 (R - r) xk))` on the flat one.
/// On the power branch `reserve(coefficient(r)) >= r`; on the flat branch the reserve's own
/// floor can make it `r - 1` (cargo-fuzz: `xk = 0.9 Q128, R = 1000, r = 503` gives 502; 0.7%
/// of random flat-branch cases, always one unit, i.e. 2^-64 atom in the program). Kept as the
/// reference computes it: the conformance vectors pin these values.
pub fn coefficient(r: U256, xk: U256, big_r: U256) -> PoolResult<U256> {
    if r <= big_r >> 1 {
        // Q128 first: the product runs a row for each non-zero digit of its first factor
        // (one for Q128, four or more for a reserve).
        return Ok(mul_div_up(Q128, r, xk)?);
    }
    let den = mul_shr::<126>(sub(big_r, r)?, xk)?;
    Ok(mul_div_up(big_r, big_r, den)?)
}

/// [`coefficient`] given `inverse`, an estimate from below of `2^256 / xk` (the pool's
/// other power): the power branch's quotient comes from products instead
/// ([`q128_div_up_by`], the same value, about 500 CU less on SBF).
pub fn coefficient_by(r: U256, xk: U256, inverse: U256, big_r: U256) -> PoolResult<U256> {
    if r <= big_r >> 1 {
        return Ok(q128_div_up_by(r, xk, inverse)?);
    }
    coefficient(r, xk, big_r)
}

/// `(rA, rB)` of a pool `(R, a, b)` at LONG power `xk`; SHORT uses `Q256M / xk`.
pub fn evaluate(big_r: U256, a: U256, b: U256, xk: U256) -> PoolResult<(U256, U256)> {
    evaluate_at(big_r, a, b, xk, inverse_xk(xk)?)
}

/// `evaluate` with the SHORT power `Q256M / xk` already computed (it is a 256-bit division).
pub fn evaluate_at(
    big_r: U256,
    a: U256,
    b: U256,
    xk: U256,
    xk_short: U256,
) -> PoolResult<(U256, U256)> {
    Ok((reserve(a, xk, big_r)?, reserve(b, xk_short, big_r)?))
}

/// `rA + rB <= R` at every price iff `4ab <= R^2`; refuse any state that breaks it.
pub fn check_solvent(big_r: U256, a: U256, b: U256) -> PoolResult<()> {
    // 4ab <= R^2  <=>  ab <= floor(R^2 / 4), computed in 512 bits unless the leading bits
    // already decide it (two 512-bit products cost about 1,000 CU on SBF).
    if clearly_solvent(big_r, a, b) || exactly_solvent(big_r, a, b) {
        Ok(())
    } else {
        Err(PoolError::Insolvent)
    }
}

/// `ab <= floor(R^2 / 4)` in 512 bits.
fn exactly_solvent(big_r: U256, a: U256, b: U256) -> bool {
    wide_mul(a, b) <= wide_mul(big_r, big_r) >> 2
}

/// Bits kept of each factor by `clearly_solvent`: products of two stay below 2^62.
const LEAD_BITS: usize = 31;

/// `x = m 2^s` with `m` the leading `LEAD_BITS` bits of `x`, so `m 2^s <= x < (m + 1) 2^s`.
/// From the top two limbs (a 256-bit shift by a runtime amount costs about 100 CU on SBF).
fn lead(x: U256) -> (u64, usize) {
    let limbs = x.as_limbs();
    let Some(top) = limbs.iter().rposition(|&limb| limb != 0) else {
        return (0, 0);
    };
    let zeros = limbs[top].leading_zeros() as usize;
    let bit_len = 64 * top + 64 - zeros;
    let shift = bit_len.saturating_sub(LEAD_BITS);
    // The top 64 bits, left-aligned (the lower limb fills what the top one leaves).
    let below = if top > 0 { limbs[top - 1] } else { 0 };
    let aligned = match zeros {
        0 => limbs[top],
        z => (limbs[top] << z) | (below >> (64 - z)),
    };
    let m = if bit_len <= LEAD_BITS {
        limbs[0]
    } else {
        aligned >> (64 - LEAD_BITS)
    };
    (m, shift)
}

/// A sufficient condition for `ab < R^2 / 4` from the leading bits alone:
/// `ab < (m_a + 1)(m_b + 1) 2^(s_a + s_b) <= m_R^2 2^(2 s_R - 2) <= R^2 / 4`.
/// False means "not decided here", never "insolvent". An integer below `R^2 / 4` is at most
/// `floor(R^2 / 4)`, so a true answer agrees with the exact check.
fn clearly_solvent(big_r: U256, a: U256, b: U256) -> bool {
    let ((m_a, s_a), (m_b, s_b), (m_r, s_r)) = (lead(a), lead(b), lead(big_r));
    // Both products are below 2^62.
    let (lhs, rhs) = ((m_a + 1) * (m_b + 1), m_r * m_r);
    // Compare lhs 2^(s_a + s_b) with rhs 2^(2 s_r - 2), shifting the smaller exponent's
    // side; a shift that would leave 64 bits decides nothing here.
    let (left, right) = (s_a + s_b + 2, 2 * s_r);
    if left >= right {
        let up = left - right;
        up < 2 && (lhs << up) <= rhs
    } else {
        let up = right - left;
        up >= 2 || lhs <= rhs << up
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wide::{add, mul_div, Q256M};

    fn u(x: u128) -> U256 {
        U256::from(x)
    }

    const R: u128 = 1_000_000_000_000_000_000_000;

    /// The leading bits from the limbs are the shifted value's, at every bit length.
    #[test]
    fn lead_is_the_shifted_value() {
        let mut random = crate::wide::sampling::Xorshift(0x2545_f491_4f6c_dd1d);
        for bits in 0..=256usize {
            for _ in 0..20 {
                let v = random.of_bits(bits);
                let shift = v.bit_len().saturating_sub(LEAD_BITS);
                assert_eq!(lead(v), ((v >> shift).as_limbs()[0], shift), "{v}");
            }
        }
    }

    #[test]
    fn branches_join_at_half_r_with_equal_value() {
        // v * xk = R/2 exactly: the power branch gives R/2; one unit more switches to the
        // flat branch, whose value at 4u = 2R + 4 is R - ceil(R^2 / (2R + 4)) ~ R/2.
        let big_r = u(R);
        let half = u(R / 2);
        assert_eq!(reserve(half, Q128, big_r).unwrap(), half);
        let above = reserve(half + u(1), Q128, big_r).unwrap();
        assert!(above >= half && above <= half + u(1), "{above}");
    }

    #[test]
    fn slope_is_continuous_at_the_joint() {
        // d r / d v on both sides of v = R/2 (xk = 1): 1 below, R^2/(4v^2) = 1 above.
        let big_r = u(R);
        let h = u(R / 1_000_000);
        let at = u(R / 2);
        let below = at - reserve(at - h, Q128, big_r).unwrap();
        let above = reserve(at + h, Q128, big_r).unwrap() - at;
        let diff = if below > above {
            below - above
        } else {
            above - below
        };
        // second-order term: h^2 / R relative, i.e. one part in 10^6 of h here
        assert!(diff * u(1_000) <= h, "below {below} above {above}");
    }

    #[test]
    fn effective_leverage_is_k_below_and_k_r_minus_r_over_r_above() {
        // K = 2: multiply x by (1 + e); dr/r ~ k_eff * e.
        let big_r = u(R);
        let xk0 = Q128;
        // power branch: r = v*xk, k_eff = K exactly
        let v = u(R / 4);
        let bump = mul_div(Q128, u(1_000_002), u(1_000_000)).unwrap(); // x^K * (1 + 2e-6)
        let r0 = reserve(v, xk0, big_r).unwrap();
        let r1 = reserve(v, bump, big_r).unwrap();
        // k_eff = (dr/r) / (dx/x) with dx/x = 1e-6; scaled by 1e6
        let k_eff_micro = mul_div(r1 - r0, u(1_000_000_000_000), r0).unwrap();
        assert!(
            k_eff_micro >= u(1_999_990) && k_eff_micro <= u(2_000_001),
            "{k_eff_micro}"
        );
        // flat branch: r = 0.75 R, k_eff = K (R - r)/r = 2/3
        let v_flat = coefficient(u(R / 4 * 3), xk0, big_r).unwrap();
        let r0 = reserve(v_flat, xk0, big_r).unwrap();
        let r1 = reserve(v_flat, bump, big_r).unwrap();
        let k_eff_micro = mul_div(r1 - r0, u(1_000_000_000_000), r0).unwrap();
        assert!(
            k_eff_micro >= u(666_660) && k_eff_micro <= u(666_670),
            "{k_eff_micro}"
        );
    }

    #[test]
    fn reserve_stays_below_r_for_huge_coefficients() {
        let big_r = u(R);
        let r = reserve(U256::from(1u8) << 200, Q128, big_r).unwrap();
        assert!(r < big_r);
        assert!(r > big_r - u(2));
    }

    /// cargo-fuzz finding F1, pinned: on the flat branch the round trip can lose one unit.
    #[test]
    fn a_flat_branch_round_trip_can_come_back_one_unit_short() {
        let xk = mul_div(Q128, u(9), u(10)).unwrap();
        let v = coefficient(u(503), xk, u(1000)).unwrap();
        assert_eq!(v, u(559));
        assert_eq!(reserve(v, xk, u(1000)).unwrap(), u(502));
    }

    #[test]
    fn reserve_overflow_is_an_error_not_a_panic() {
        assert!(reserve(Q256M, Q256M, u(R)).is_err());
    }

    /// `r(v(r)) >= r`, and above by at most the granularity of one unit of coefficient:
    /// one unit of reserve while `x^K <= 1`, `ceil(x^K)` units beyond.
    #[test]
    fn coefficient_round_trips_within_one_unit_on_both_branches() {
        let big_r = u(R);
        for xk in [Q128, Q128 >> 3, (Q128 << 2) + u(12345)] {
            for r in [
                u(1),
                u(1000),
                u(R / 3),
                u(R / 2),
                u(R / 2 + 1),
                u(R / 10 * 9),
                u(R - 1_000_000),
            ] {
                let v = coefficient(r, xk, big_r).unwrap();
                let back = reserve(v, xk, big_r).unwrap();
                assert!(back >= r, "r {r} xk {xk}: {back}");
                let grain = mul_div_up(u(1), xk, Q128).unwrap().max(u(1));
                assert!(back <= r + grain, "r {r} xk {xk}: {back}");
            }
        }
    }

    #[test]
    fn coefficient_of_the_whole_pool_is_refused() {
        assert!(coefficient(u(R), Q128, u(R)).is_err());
        assert!(coefficient(u(R + 1), Q128, u(R)).is_err());
    }

    #[test]
    fn solvency_is_exactly_4ab_at_most_r_squared() {
        let big_r = u(1000);
        assert_eq!(check_solvent(big_r, u(500), u(500)), Ok(()));
        assert_eq!(
            check_solvent(big_r, u(500), u(501)),
            Err(PoolError::Insolvent)
        );
        assert_eq!(check_solvent(big_r, u(250), u(1000)), Ok(()));
        // at the boundary rA + rB == R at every price
        for xk in [Q128, Q128 >> 5, Q128 << 5] {
            let (ra, rb) = evaluate(big_r, u(250), u(1000), xk).unwrap();
            assert!(add(ra, rb).unwrap() <= big_r);
        }
        // 512-bit products: no overflow for maximal coefficients
        assert_eq!(check_solvent(Q256M, Q256M >> 1, u(2)), Ok(()));
        assert_eq!(check_solvent(u(1), Q256M, Q256M), Err(PoolError::Insolvent));
    }

    /// Near the boundary `4ab = R^2`, where the leading bits cannot decide, the exact
    /// products do: one unit either side, at every width.
    #[test]
    fn the_leading_bits_shortcut_never_changes_the_answer_at_the_boundary() {
        for bits in [1usize, 2, 30, 31, 32, 33, 62, 64, 100, 127, 128, 200, 254] {
            let big_r = (U256::from(1u8) << bits) + u(12345);
            let half = big_r >> 1;
            for (a, b) in [(half, half), (half + u(1), half), (half, half + u(1))] {
                assert_eq!(
                    check_solvent(big_r, a, b).is_ok(),
                    exactly_solvent(big_r, a, b),
                    "R = 2^{bits} + 12345, a {a}, b {b}"
                );
            }
        }
        // A typical pool (a, b about R/3) is decided by the shortcut alone.
        let big_r = u(R);
        assert!(clearly_solvent(big_r, u(R / 3), u(R / 3)));
        assert!(!clearly_solvent(big_r, u(R / 2), u(R / 2)));
    }

    proptest::proptest! {
        /// The shortcut only ever says "solvent" when the 512-bit check does, so
        /// `check_solvent` is the exact check for any operands.
        #[test]
        fn check_solvent_is_the_exact_check(
            r in proptest::array::uniform4(proptest::num::u64::ANY),
            a in proptest::array::uniform4(proptest::num::u64::ANY),
            b in proptest::array::uniform4(proptest::num::u64::ANY),
            shifts in proptest::array::uniform3(0usize..256),
        ) {
            let big_r = U256::from_limbs(r) >> shifts[0];
            // a b near R^2 / 4 as often as far from it: b from a and R.
            let a = U256::from_limbs(a) >> shifts[1];
            let near = if a.is_zero() { U256::ZERO } else { mul_div(big_r, big_r, a << 2).unwrap_or(U256::MAX) };
            for b in [U256::from_limbs(b) >> shifts[2], near, near + u(1), near.saturating_sub(u(1))] {
                if clearly_solvent(big_r, a, b) {
                    proptest::prop_assert!(exactly_solvent(big_r, a, b));
                }
                proptest::prop_assert_eq!(check_solvent(big_r, a, b).is_ok(), exactly_solvent(big_r, a, b));
            }
        }
    }
}
