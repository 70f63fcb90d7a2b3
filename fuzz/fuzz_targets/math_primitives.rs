//! The math core's building blocks against independent references.
//!
//! * `mul_div` / `mul_div_up` (32-bit-digit schoolbook product and Knuth division) equal
//!   ruint's 512-bit `floor(a b / d)` / `ceil(a b / d)`, and fail exactly on `d = 0`
//!   (`DivisionByZero`) or a quotient >= 2^256 (`Overflow`).
//! * `curve::coefficient` then `curve::reserve` gives back at least the reserve asked for
//!   (on the flat branch: at least one unit less), below `R`, and on the power branch at
//!   most one coefficient step (`ceil(x^K)`) more;
//!   `reserve` is monotone in the coefficient.
//! * Solvency: whenever `check_solvent(R, a, b)` holds, `evaluate` at any power gives
//!   `rA + rB <= R`.
//! * `exp2::decay(t, h)`: `decay(0, h) = 1`, `<= 1`, non-increasing in `t`, non-decreasing in
//!   `h`, within 1e-12 of `2^(-t/h)` (f64).
//! * `skew::charge`: zero when `lambda = 0`; otherwise exactly
//!   `ceil(lambda (N1^2 L0 - N0^2 L1) / (2 L0 L1 2^64))` (0 if negative), computed here in
//!   1024 bits, with `Overflow` only where the documented 512-bit bounds are exceeded.
//!   `check_cap` never refuses with `b_max = 0` or a trade that lowers `|N|` without
//!   removing depth.
//! * `price::xk`: `Q128` at the mark; monotone in the price while `(price / mark)^K` stays
//!   within 2^±64 (no de-power fallback).

#![no_main]

use arbitrary::Arbitrary;
use asymptote_fuzz::{Fixed64, Wide};
use asymptote_math::curve::{check_solvent, coefficient, evaluate, reserve};
use asymptote_math::exp2::decay;
use asymptote_math::skew::{charge, check_cap, Skew};
use asymptote_math::wide::{mul_div, mul_div_up, U512};
use asymptote_math::{xk, ArithmeticKind, PoolError, SkewConfig, Q128, U256, U64F64};
use libfuzzer_sys::fuzz_target;
use ruint::UintTryFrom;

type U1024 = ruint::Uint<1024, 16>;

#[derive(Debug, Arbitrary)]
enum Case {
    MulDiv {
        a: Wide,
        b: Wide,
        d: Wide,
    },
    RoundTrip {
        r: Wide,
        xk: Wide,
        big_r: Wide,
        dv: u8,
    },
    Solvent {
        big_r: Wide,
        a: Wide,
        b: Wide,
        xk: Wide,
    },
    Decay {
        t: u64,
        dt: u64,
        half_life: Wide,
        dh: Wide,
    },
    Charge {
        lambda: Fixed64,
        b_max: Fixed64,
        before: (bool, Wide, Wide),
        after: (bool, Wide, Wide),
        removes_depth: bool,
    },
    Xk {
        mark: u128,
        /// Price ratios to the mark, in 1/256 units (1/256 .. 256).
        p1: u16,
        p2: u16,
        k: u8,
    },
}

fuzz_target!(|case: Case| match case {
    Case::MulDiv { a, b, d } => mul_div_matches_reference(a.0, b.0, d.0),
    Case::RoundTrip { r, xk, big_r, dv } => round_trip(r.0, xk.0, big_r.0, dv),
    Case::Solvent { big_r, a, b, xk } => solvent_means_split_fits(big_r.0, a.0, b.0, xk.0),
    Case::Decay {
        t,
        dt,
        half_life,
        dh,
    } => decay_properties(t, dt, half_life.0, dh.0),
    Case::Charge {
        lambda,
        b_max,
        before,
        after,
        removes_depth,
    } => charge_matches_reference(lambda, b_max, before, after, removes_depth),
    Case::Xk { mark, p1, p2, k } => xk_properties(mark, p1, p2, k),
});

fn arithmetic(kind: ArithmeticKind) -> impl Fn(&asymptote_math::ArithmeticError) -> bool {
    move |e| e.kind == kind
}

fn mul_div_matches_reference(a: U256, b: U256, d: U256) {
    let floor = mul_div(a, b, d);
    let ceil = mul_div_up(a, b, d);
    if d.is_zero() {
        assert!(floor
            .as_ref()
            .is_err_and(arithmetic(ArithmeticKind::DivisionByZero)));
        assert!(ceil
            .as_ref()
            .is_err_and(arithmetic(ArithmeticKind::DivisionByZero)));
        return;
    }
    let product = U512::from(a) * U512::from(b);
    let (q, rem) = product.div_rem(U512::from(d));
    let q_up = if rem.is_zero() {
        q
    } else {
        q + U512::from(1u8)
    };
    let fits = |x: U512| U256::uint_try_from(x).ok();
    match fits(q) {
        Some(q) => assert_eq!(floor, Ok(q), "floor({a} * {b} / {d})"),
        None => assert!(floor
            .as_ref()
            .is_err_and(arithmetic(ArithmeticKind::Overflow))),
    }
    match fits(q_up) {
        Some(q) => assert_eq!(ceil, Ok(q), "ceil({a} * {b} / {d})"),
        None => assert!(ceil
            .as_ref()
            .is_err_and(arithmetic(ArithmeticKind::Overflow))),
    }
}

fn round_trip(r: U256, xk: U256, big_r: U256, dv: u8) {
    if xk.is_zero() || big_r.is_zero() || r >= big_r {
        return;
    }
    let Ok(v) = coefficient(r, xk, big_r) else {
        return;
    };
    let Ok(back) = reserve(v, xk, big_r) else {
        return;
    };
    // The coefficient is rounded up, so the reserve it gives is at least `r`, except on the
    // flat branch, where the floor of `4 v x^K` can take one unit back (finding F1 in
    // docs/fuzzing.md): at most one unit below.
    if r <= big_r >> 1 {
        assert!(
            back >= r,
            "power branch: reserve(coefficient(r)) = {back} < r = {r}"
        );
    } else {
        assert!(
            back + U256::from(1u8) >= r,
            "flat branch: reserve(coefficient(r)) = {back} < r - 1 = {r} - 1"
        );
    }
    assert!(back < big_r, "reserve {back} >= R {big_r}");
    if r <= big_r >> 1 && back <= big_r >> 1 {
        // Power branch: one unit of coefficient is worth x^K units of reserve.
        let grain = mul_div_up(U256::from(1u8), xk, Q128)
            .unwrap_or(U256::MAX)
            .max(U256::from(1u8));
        assert!(back - r <= grain, "power branch: {back} > {r} + {grain}");
    }
    // Monotone in the coefficient.
    if let Some(v2) = v.checked_add(U256::from(dv)) {
        if let Ok(back2) = reserve(v2, xk, big_r) {
            assert!(
                back2 >= back,
                "reserve not monotone: v {v} -> {back}, v {v2} -> {back2}"
            );
        }
    }
}

fn solvent_means_split_fits(big_r: U256, a: U256, b: U256, xk: U256) {
    if xk.is_zero() || check_solvent(big_r, a, b).is_err() {
        return;
    }
    if let Ok((long, short)) = evaluate(big_r, a, b, xk) {
        let sum = long.checked_add(short);
        assert!(
            sum.is_some_and(|s| s <= big_r),
            "4ab <= R^2 but rA {long} + rB {short} > R {big_r}"
        );
    }
}

fn decay_properties(t: u64, dt: u64, half_life: U256, dh: U256) {
    let one = U64F64::ONE;
    let Ok(f) = decay(t, half_life) else {
        assert!(half_life.is_zero(), "decay({t}, {half_life}) failed");
        return;
    };
    assert!(!half_life.is_zero());
    assert!(f <= one);
    assert_eq!(decay(0, half_life), Ok(one));
    let later = t.saturating_add(dt);
    let g = decay(later, half_life).expect("positive half-life");
    assert!(g <= f, "decay grew with time: {t} -> {f}, {later} -> {g}");
    let longer = half_life.saturating_add(dh);
    let h = decay(t, longer).expect("positive half-life");
    assert!(h >= f, "a longer half-life decayed more");
    // Against f64 (its own error is ~1e-16 relative here).
    if let Ok(hl) = u128::try_from(half_life) {
        let exact = (-(t as f64) / (hl as f64)).exp2();
        let got = f.to_num::<f64>();
        assert!(
            (got - exact).abs() <= 1e-12,
            "decay({t}, {hl}) = {got}, 2^-t/h = {exact}"
        );
    }
}

fn skew_of((long_heavy, magnitude, depth): (bool, Wide, Wide)) -> Skew {
    Skew {
        long_heavy,
        magnitude: magnitude.0,
        depth: depth.0,
    }
}

fn charge_matches_reference(
    lambda: Fixed64,
    b_max: Fixed64,
    before: (bool, Wide, Wide),
    after: (bool, Wide, Wide),
    removes_depth: bool,
) {
    let (before, after) = (skew_of(before), skew_of(after));
    let config = SkewConfig {
        lambda: U64F64::from_bits(lambda.0),
        b_max: U64F64::from_bits(b_max.0),
        psi: U256::ZERO,
    };
    let got = charge(&config, &before, &after);
    if lambda.0 == 0 {
        assert_eq!(got, Ok(U256::ZERO));
    } else if before.depth.is_zero() || after.depth.is_zero() {
        assert!(
            matches!(got, Err(PoolError::Arithmetic(e)) if e.kind == ArithmeticKind::DivisionByZero)
        );
    } else {
        let wide = |x: U256| U1024::from(x);
        let (n0, n1, l0, l1) = (
            wide(before.magnitude),
            wide(after.magnitude),
            wide(before.depth),
            wide(after.depth),
        );
        let up = n1 * n1 * l0;
        let down = n0 * n0 * l1;
        let expected = if up <= down {
            Some(U256::ZERO)
        } else {
            let num = (up - down) * U1024::from(lambda.0);
            let den = (l0 * l1) << 65;
            let (q, r) = num.div_rem(den);
            let q = if r.is_zero() { q } else { q + U1024::from(1u8) };
            U256::uint_try_from(q).ok()
        };
        // The implementation's documented limits: N^2 L and lambda (N1^2 L0 - N0^2 L1) in
        // 512 bits, L0 L1 below 2^447.
        let bits = |x: U1024| x.bit_len();
        let within_limits = bits(up) <= 512
            && bits(down) <= 512
            && (up <= down || bits((up - down) * U1024::from(lambda.0)) <= 512)
            && bits(l0 * l1) <= 512 - 65;
        match (got, expected) {
            (Ok(s), Some(e)) => assert_eq!(s, e, "charge differs from the 1024-bit reference"),
            (Ok(s), None) => panic!("charge {s} where the reference overflows 256 bits"),
            (Err(err), Some(e)) => assert!(
                !within_limits
                    && matches!(err, PoolError::Arithmetic(a) if a.kind == ArithmeticKind::Overflow),
                "charge refused ({err}) within its limits; reference {e}"
            ),
            (Err(err), None) => assert!(
                matches!(err, PoolError::Arithmetic(a) if a.kind == ArithmeticKind::Overflow),
                "{err}"
            ),
        }
    }
    let cap = check_cap(&config, &before, &after, removes_depth);
    if b_max.0 == 0 || (after.magnitude <= before.magnitude && !removes_depth) {
        assert_eq!(cap, Ok(()));
    } else {
        let over =
            (U512::from(after.magnitude) << 64) > U512::from(b_max.0) * U512::from(after.depth);
        assert_eq!(cap.is_err(), over);
    }
}

fn xk_properties(mark: u128, p1: u16, p2: u16, k: u8) {
    let mark = U256::from(mark.max(1)) << 8;
    let k = u32::from(k % 16) + 1;
    assert_eq!(xk(mark, mark, k), Ok(Q128));
    let (lo, hi) = (p1.min(p2).max(1), p1.max(p2).max(1));
    let price = |p: u16| mark * U256::from(p) >> 8;
    let (Ok(x_lo), Ok(x_hi)) = (xk(price(lo), mark, k), xk(price(hi), mark, k)) else {
        panic!("xk failed for a price within 256x of the mark");
    };
    // (1/256)^16 = 2^-128: at k = 16 the lowest ratios reach the de-power fallback.
    let bound = |p: u16| (u32::from(p.max(256) / p.min(256)).max(1).ilog2() + 1) * k <= 64;
    if bound(lo) && bound(hi) {
        assert!(
            x_lo <= x_hi,
            "xk not monotone: {lo}/256 -> {x_lo}, {hi}/256 -> {x_hi}"
        );
    }
}
