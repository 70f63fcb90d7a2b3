//! Properties of the curve on its own: the inverse round-trips, solvency holds at every
//! price exactly when `4ab <= R^2`, and `xk` is monotone in the price.
#![cfg(test)]

mod common;

use asymptote_math::curve::{check_solvent, coefficient, evaluate, reserve};
use asymptote_math::{mul_div, xk, ArithmeticKind, PoolError, Q126, Q128, U256};
use common::*;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

/// `xk` values: exact powers of pool prices (K in 1..=8, 0.2x..5x) and raw Q128 ratios
/// from 2^-40 to 2^40.
fn xk_strategy() -> impl Strategy<Value = U256> {
    prop_oneof![
        (1u32..=8, price_ppm_strategy()).prop_map(|(k, ppm)| xk(
            U256::from(ppm),
            U256::from(PPM),
            k
        )
        .unwrap()),
        (0u32..=80, 1u128..=u64::MAX as u128).prop_map(|(shift, m)| {
            // m / 2^64 * 2^(shift - 40) in Q128
            let v: U256 = U256::from(m) << (128 - 64 + shift as usize);
            (v >> 40usize).max(U256::from(1u8))
        }),
    ]
}

fn collateral_strategy() -> impl Strategy<Value = U256> {
    prop_oneof![deposit_strategy(), (2u128..=100_000).prop_map(u)]
}

/// A reserve in `[0, R)`: anywhere, on the power branch, near the joint, on the flat
/// branch and close to `R`.
fn reserve_in(big_r: U256) -> impl Strategy<Value = U256> {
    let r = big_r.to::<u128>();
    prop_oneof![
        0u128..r,
        0u128..=r / 2,
        (r / 2).saturating_sub(3)..=(r / 2 + 3).min(r - 1),
        r / 2..r,
        r - r / 1000 - 1..r,
    ]
    .prop_map(u)
}

/// `floor(sqrt(n))` by Newton's method from above.
fn isqrt(n: U1024) -> U1024 {
    if n.is_zero() {
        return n;
    }
    let mut x = U1024::from(1u8) << n.bit_len().div_ceil(2);
    loop {
        let y = (x + n / x) >> 1;
        if y >= x {
            return x;
        }
        x = y;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// `reserve(coefficient(r))` is within `[r - 1, r + grain(xk)]` (`grain = floor(g +
    /// 1/(4g))`, `g = x^K`: derivation at `common::grain`), `>= r` on the power branch and
    /// exactly `r` there when `x^K <= 1`. The only refusal is the flat branch's denominator
    /// `floor(4 (R - r) x^K)` being 0, a named division by zero.
    ///
    /// The one-unit undershoot is the flat branch's double rounding: with `D = R - r`, the
    /// coefficient guarantees `4 v g >= R^2/D`, but the evaluation floors it,
    /// `four_u = floor(4 v g) >= floor(R^2/D) > R^2/D - 1`, and then ceils
    /// `R^2 / four_u < D + D/(R^2/D - 1) < D + 1/2` (as `D < R/2`), so `R - r' <= D + 1`.
    /// Smallest case found: `R = 144`, `r = 73`, `xk = 128221005772289216945655026061995409408`
    /// (`x^K = 0.3768`) gives 72. In a trade such an undershoot of a side other than the
    /// input makes the target check refuse the trade; it never pays anyone.
    #[test]
    fn the_inverse_round_trips(
        (big_r, r) in collateral_strategy().prop_flat_map(|big_r| (Just(big_r), reserve_in(big_r))),
        x in xk_strategy(),
    ) {
        let v = match coefficient(r, x, big_r) {
            Ok(v) => v,
            Err(PoolError::Arithmetic(e)) if e.kind == ArithmeticKind::DivisionByZero => {
                prop_assert!(r > big_r >> 1);
                prop_assert!(mul_div(big_r - r, x, Q126).unwrap().is_zero());
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("coefficient refused: {e}"))),
        };
        let back = reserve(v, x, big_r);
        prop_assert!(back.is_ok(), "{back:?}");
        let back = back.unwrap();
        prop_assert!(back + u(1) >= r, "r {r} R {big_r} xk {x}: back {back}");
        if r <= big_r >> 1 {
            prop_assert!(back >= r, "power branch r {r} R {big_r} xk {x}: back {back}");
        }
        prop_assert!(back < big_r);
        let g = grain(x);
        prop_assert!(back <= r + g, "r {r} R {big_r} xk {x}: back {back} (grain {g})");
        if r <= big_r >> 1 && x <= Q128 {
            prop_assert_eq!(back, r);
        }
    }

    /// `rA + rB <= R` at every price when `4ab <= R^2`.
    #[test]
    fn solvent_states_fit_at_every_price(
        big_r in collateral_strategy(),
        a_ppm in 1u64..=4 * PPM,
        b_ppm_of_max in 1u64..=PPM,
        x in xk_strategy(),
    ) {
        // a anywhere up to 4R, b up to its largest solvent value R^2 / (4a).
        let a = mul_div(big_r, U256::from(a_ppm), U256::from(PPM)).unwrap().max(u(1));
        let b_max = mul_div(big_r, big_r, a << 2).unwrap();
        let b = mul_div(b_max, U256::from(b_ppm_of_max), U256::from(PPM)).unwrap();
        prop_assert!(check_solvent(big_r, a, b).is_ok());
        let (ra, rb) = evaluate(big_r, a, b, x).unwrap();
        prop_assert!(ra + rb <= big_r, "R {big_r} a {a} b {b} xk {x}: {ra} + {rb}");
    }

    /// ... and `4ab > R^2` (by a margin above rounding) breaks it at the price where the
    /// two sides are equal, `x^K = sqrt(b/a)`.
    #[test]
    fn insolvent_states_overflow_somewhere(
        big_r in deposit_strategy(),
        a_ppm in 1_000u64..=4 * PPM,
        excess_ppm in 1_000u64..=PPM,
    ) {
        let a = mul_div(big_r, U256::from(a_ppm), U256::from(PPM)).unwrap();
        let b_max = mul_div(big_r, big_r, a << 2).unwrap();
        let b = mul_div(b_max, U256::from(PPM + excess_ppm), U256::from(PPM)).unwrap();
        prop_assert!(check_solvent(big_r, a, b).is_err());
        // xk = sqrt(b / a) in Q128 = sqrt(b * 2^256 / a)
        let ratio = (U1024::from(b) << 256) / U1024::from(a);
        let x = U256::from(isqrt(ratio));
        let (ra, rb) = evaluate(big_r, a, b, x).unwrap();
        prop_assert!(ra + rb > big_r, "R {big_r} a {a} b {b}: {ra} + {rb}");
    }

    /// `xk` never decreases as the price rises, for every K and any MARK.
    #[test]
    fn xk_is_monotone(k in 1u32..=8, mark in mark_strategy(), p in price_ppm_strategy(), q in price_ppm_strategy()) {
        let (lo, hi) = (p.min(q), p.max(q));
        let x_lo = xk(price_at(mark, lo), mark, k).unwrap();
        let x_hi = xk(price_at(mark, hi), mark, k).unwrap();
        prop_assert!(x_lo <= x_hi);
    }
}

/// The smallest undershoot found by the round-trip property, pinned.
#[test]
fn flat_branch_round_trip_can_undershoot_by_one_unit() {
    let (big_r, r) = (u(144), u(73));
    let x = U256::from(128_221_005_772_289_216_945_655_026_061_995_409_408u128);
    let v = coefficient(r, x, big_r).unwrap();
    assert_eq!(v, u(194));
    assert_eq!(reserve(v, x, big_r).unwrap(), u(72));
}

/// The flat branch's granularity for `x^K < 1`: at `x^K = 1/390625` (K = 8, price 0.2 MARK),
/// one step of the floored denominator `4 (R - r) x^K` is worth about `1/(4 x^K)` = 97656
/// units of reserve, so the round trip is not within one unit there (it is on the power
/// branch, and near `x^K = 1` on both).
#[test]
fn flat_branch_round_trip_granularity_at_small_powers() {
    let big_r = u(1_000_000_000);
    let x = xk(U256::from(200_000u64), U256::from(PPM), 8).unwrap();
    assert_eq!(grain(x), u(97_656));
    let r = u(600_000_000);
    let back = reserve(coefficient(r, x, big_r).unwrap(), x, big_r).unwrap();
    assert_eq!(back - r, u(97_656));
    // On the power branch at the same power: exact.
    let r = u(400_000_000);
    let back = reserve(coefficient(r, x, big_r).unwrap(), x, big_r).unwrap();
    assert_eq!(back, r);
    // ... and at x^K = 390625 (price 5 MARK) the power branch steps by up to x^K - 1.
    let x = xk(U256::from(5 * PPM), U256::from(PPM), 8).unwrap();
    let r = u(100_000_001);
    let back = reserve(coefficient(r, x, big_r).unwrap(), x, big_r).unwrap();
    assert_eq!(back - r, u(390_624));
}
