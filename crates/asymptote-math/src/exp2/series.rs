//! A short decay, `2^-e` for `e < 2^-8` (a few slots of funding: one slot is `e` near
//! `2^-28` for interest and `2^-21` for the premium), from the Taylor series of `e^(-y)`
//! instead of the reference's product over the exponent's bits: about a dozen 64 x 128-bit
//! products instead of one 128 x 128-bit product for each of some 40 set bits.
//!
//! The series only locates the reference's value. Let `V = 2^128 2^-e` (real), `P` the
//! reference's product for the fraction `1 - e` (whose result is `P >> 64`) and `S` the
//! series below:
//! * `|P - V| < 2^9`: each of at most 64 floored steps adds under one unit, plus under two
//!   from its table entry (within two units of the true factor; tested), and earlier
//!   errors grow by the product of the later factors, below 2: `3 * 64 * 2`.
//! * `|S - V| < 2^5`: the first omitted term is below one unit (the alternating terms
//!   shrink), every rounded coefficient is within half a unit, and every floored product
//!   within one, for at most 11 terms.
//!
//! So `P` lies within [`SERIES_MARGIN`] of `S`; when both ends of that interval give the
//! same `>> 64`, that is the reference's result. Otherwise (about one exponent in 2^52) the
//! caller computes the product.

/// `ln(2)^n / n! * 2^128` rounded to nearest, `n = 1..`: the series is
/// `2^-e = 1 - c_1 e + c_2 e^2 - ...`. Computed to 120 digits (Python `decimal`); checked
/// against each other and the exp2 table in the tests.
const COEFFICIENTS: [u128; 12] = [
    0xb17217f7d1cf79abc9e3b39803f2f6af,
    0x3d7f7bff058b1d50de2d60dd92e6bf95,
    0x0e35846b82505fc599d3b15d995e96f7,
    0x0276556df749cee539977c16a7dd58a1,
    0x005761ff9e299cc441c5fda69452fb0d,
    0x000a184897c363c3b7a58544c3591a10,
    0x0000ffe5fe2c458634358a8e643ec735,
    0x0000162c0223a5c823fd8ffe606da77c,
    0x000001b5253d395e7c3da4a70e5a4ff9,
    0x0000001e4cf5158b8ec9f6fda1d952e7,
    0x00000001e8cac7351bb24c0f57995e47,
    0x000000001c3bd650fc2985e2b5687e18,
];

/// Exponents (`e` in units of `2^-64`) from this one on take the reference's product.
pub const SERIES_LIMIT: u64 = 1 << 56;

/// How far the reference's product may lie from the series, in units of `2^-128`.
const SERIES_MARGIN: u128 = 1 << 11;

/// `TERMS[z]`: how many coefficients an exponent with `z` leading zero bits (`e < 2^-z`)
/// needs so that the first one left out is below a unit: `c_(n+1) e^(n+1) < 1`.
const TERMS: [usize; 65] = {
    let mut out = [0usize; 65];
    let mut zeros = 8;
    while zeros <= 64 {
        let mut n = 1;
        // The next term's bound: `c_(n+1) 2^(-zeros (n+1))`.
        while n < COEFFICIENTS.len()
            && zeros * (n + 1) < 128
            && COEFFICIENTS[n] >> (zeros * (n + 1)) > 0
        {
            n += 1;
        }
        out[zeros] = n;
        zeros += 1;
    }
    out
};

/// `floor(e * s / 2^64)`: a 64 x 128-bit product on 32-bit limbs (eight native 64-bit
/// multiplies on SBF, where a `u128` product is emulated).
fn mul_shr64(e: u64, s: u128) -> u128 {
    let e = [e & 0xffff_ffff, e >> 32];
    let s = [
        (s as u64) & 0xffff_ffff,
        (s as u64) >> 32,
        ((s >> 64) as u64) & 0xffff_ffff,
        ((s >> 64) as u64) >> 32,
    ];
    let mut acc = [0u64; 6];
    for (i, &ei) in e.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &sj) in s.iter().enumerate() {
            // < 2^64: (2^32-1)^2 + 2 (2^32-1) = 2^64 - 1
            let t = ei * sj + acc[i + j] + carry;
            acc[i + j] = t & 0xffff_ffff;
            carry = t >> 32;
        }
        acc[i + 4] = carry;
    }
    u128::from(acc[2] | (acc[3] << 32)) | (u128::from(acc[4] | (acc[5] << 32)) << 64)
}

/// `S`, the series' `2^128 2^-e` for `0 < e < 2^-8`, by Horner's rule. Every partial sum
/// `c_n - e * (...)` stays positive: `e c_(n+1) < c_n`.
fn series(exponent: u64) -> u128 {
    let terms = TERMS[exponent.leading_zeros() as usize];
    let mut sum = COEFFICIENTS[terms - 1];
    for &coefficient in COEFFICIENTS[..terms - 1].iter().rev() {
        sum = coefficient - mul_shr64(exponent, sum);
    }
    // 2^128 - e * sum, in (0, 2^128) for 0 < e < 1.
    0u128.wrapping_sub(mul_shr64(exponent, sum))
}

/// The reference's `2^-e` in 64.64 (`exp2(-exponent)`) for `0 < exponent < SERIES_LIMIT`,
/// or `None` when the series cannot decide it.
pub fn short_decay(exponent: u64) -> Option<u128> {
    if exponent == 0 || exponent >= SERIES_LIMIT {
        return None;
    }
    let estimate = series(exponent);
    let low = estimate.checked_sub(SERIES_MARGIN)? >> 64;
    let high = estimate.checked_add(SERIES_MARGIN)? >> 64;
    (low == high).then_some(low)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::super::{exact_product, FRACTION_FACTORS};
    use super::*;
    use crate::wide::U512;

    /// `floor(sqrt(x))` by Newton's method.
    fn isqrt(x: U512) -> U512 {
        let mut r = x;
        let mut next = (x >> 1) + U512::from(1u8);
        while next < r {
            r = next;
            next = (r + x / r) >> 1;
        }
        r
    }

    /// The exp2 table is within two units of `2^(2^-i) 2^128` (the `|P - V|` bound
    /// assumes it): within one of the true values truncated, from repeated integer square
    /// roots at 2^-200 (their own error is far below a unit at 2^-128).
    #[test]
    fn the_exp2_table_is_within_two_units_of_the_true_factors() {
        let mut root = U512::from(2u8) << 200; // 2^(2^0) at 2^-200
        for (i, &entry) in FRACTION_FACTORS.iter().enumerate() {
            root = isqrt(root << 200);
            let true_value = root >> 72; // 2^(2^-(i+1)) at 2^-128, within a unit
            let entry = (U512::from(1u8) << 128) + U512::from(entry);
            let gap = if entry > true_value {
                entry - true_value
            } else {
                true_value - entry
            };
            assert!(gap <= U512::from(1u8), "entry {i}: {gap}");
        }
    }

    /// Each coefficient is the previous one times `ln 2 / n` (within two units), and the
    /// first agrees with the table's last entry, `2^(2^-64) - 1 ~ ln(2) 2^-64`.
    #[test]
    fn coefficients_follow_their_recurrence() {
        let ln2 = U512::from(COEFFICIENTS[0]);
        assert_eq!(COEFFICIENTS[0] >> 64, FRACTION_FACTORS[63]);
        for n in 1..COEFFICIENTS.len() {
            let next = ((U512::from(COEFFICIENTS[n - 1]) * ln2) >> 128) / U512::from(n + 1);
            let got = U512::from(COEFFICIENTS[n]);
            let gap = if next > got { next - got } else { got - next };
            assert!(gap <= U512::from(2u8), "c_{}: {gap}", n + 1);
        }
    }

    #[test]
    fn terms_leave_out_only_terms_below_a_unit() {
        for (zeros, &n) in TERMS.iter().enumerate().skip(8) {
            // The table did not run out: the first term left out is there, and small.
            let next = COEFFICIENTS[n];
            let shift = zeros * (n + 1);
            assert!(
                shift >= 128 || next >> shift == 0,
                "{zeros} zeros, {n} terms"
            );
            // One term fewer would not do (except where one term already suffices).
            let shift = zeros * n;
            assert!(n == 1 || (shift < 128 && COEFFICIENTS[n - 1] >> shift > 0));
        }
        assert_eq!(TERMS[8], 11);
    }

    #[test]
    fn mul_shr64_matches_a_wide_product() {
        for (e, s) in [
            (0u64, 0u128),
            (u64::MAX, u128::MAX),
            (1, 1 << 64),
            (
                0x1234_5678_9abc_def0,
                0xfedc_ba98_7654_3210_0123_4567_89ab_cdef,
            ),
        ] {
            let wide = (U512::from(e) * U512::from(s)) >> 64;
            assert_eq!(U512::from(mul_shr64(e, s)), wide, "{e} * {s}");
        }
    }

    /// Exponents of every magnitude the series takes: powers of two, their neighbours,
    /// and xorshift values at each bit length.
    fn sample_exponents() -> std::vec::Vec<u64> {
        let mut out = std::vec::Vec::new();
        let mut x = 0x853c_49e6_748f_ea9bu64;
        for bits in 1..=56u32 {
            let top = 1u64 << (bits - 1);
            out.extend([top, top + 1, (top << 1) - 1]);
            for _ in 0..400 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                out.push(top | (x & (top - 1)));
            }
        }
        out
    }

    /// The reference's product lies well inside the margin of the series (88 units at
    /// most here), and every decided value is the reference's.
    #[test]
    fn the_series_locates_the_reference_product() {
        let mut widest = 0u128;
        let mut undecided = 0;
        for exponent in sample_exponents() {
            let exact = exact_product(exponent.wrapping_neg());
            let estimate = series(exponent);
            widest = widest.max(exact.abs_diff(estimate));
            match short_decay(exponent) {
                Some(result) => assert_eq!(result, exact >> 64, "{exponent:#x}"),
                None => undecided += 1,
            }
        }
        assert!(widest < SERIES_MARGIN / 4, "{widest}");
        assert_eq!(undecided, 0);
    }

    #[test]
    fn out_of_range_exponents_are_left_to_the_product() {
        assert_eq!(short_decay(0), None);
        assert_eq!(short_decay(SERIES_LIMIT), None);
        assert_eq!(short_decay(u64::MAX), None);
        assert!(short_decay(SERIES_LIMIT - 1).is_some());
    }
}
