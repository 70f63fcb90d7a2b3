//! `exp2` on 64.64 fixed point, bit-exact with the reference (ABDK's `exp_2`), and the
//! half-life decay factor built on it.

use fixed::types::{I64F64, U64F64};

use crate::error::{ArithmeticError, ArithmeticKind};
use crate::wide::U256;

mod series;

/// `2^(2^-i) * 2^128 - 2^128` for `i = 1..=64` (the reference table of
/// `shared/vectors/exp2_table.json` without its integer part, which is always 1).
/// Multiplying by an entry is `x + floor(x * frac / 2^128)`, exact and 128-bit only.
const FRACTION_FACTORS: [u128; 64] = [
    0x6a09e667f3bcc908b2fb1366ea957d3e, // 2^(2^-1)
    0x306fe0a31b7152de8d5a46305c85edec, // 2^(2^-2)
    0x172b83c7d517adcdf7c8c50eb14a791f, // 2^(2^-3)
    0x0b5586cf9890f6298b92b71842a98363, // 2^(2^-4)
    0x059b0d31585743ae7c548eb68ca417fd, // 2^(2^-5)
    0x02c9a3e778060ee6f7caca4f7a29bde8, // 2^(2^-6)
    0x0163da9fb33356d84a66ae336dcdfa3f, // 2^(2^-7)
    0x00b1afa5abcbed6129ab13ec11dc9543, // 2^(2^-8)
    0x0058c86da1c09ea1ff19d294cf2f679b, // 2^(2^-9)
    0x002c605e2e8cec506d21bfc89a23a00f, // 2^(2^-10)
    0x00162f3904051fa128bca9c55c31e5df, // 2^(2^-11)
    0x000b175effdc76ba38e31671ca939725, // 2^(2^-12)
    0x00058ba01fb9f96d6cacd4b180917c3d, // 2^(2^-13)
    0x0002c5cc37da9491d0985c348c68e7b3, // 2^(2^-14)
    0x000162e525ee054754457d5995292026, // 2^(2^-15)
    0x0000b17255775c040618bf4a4ade83fc, // 2^(2^-16)
    0x000058b91b5bc9ae2eed81e9b7d4cfab, // 2^(2^-17)
    0x00002c5c89d5ec6ca4d7c8acc017b7c9, // 2^(2^-18)
    0x0000162e43f4f831060e02d839a9d16d, // 2^(2^-19)
    0x00000b1721bcfc99d9f890ea06911763, // 2^(2^-20)
    0x0000058b90cf1e6d97f9ca14dbcc1628, // 2^(2^-21)
    0x000002c5c863b73f016468f6bac5ca2b, // 2^(2^-22)
    0x00000162e430e5a18f6119e3c02282a5, // 2^(2^-23)
    0x000000b1721835514b86e6d96efd1bfe, // 2^(2^-24)
    0x00000058b90c0b48c6be5df846c5b2ef, // 2^(2^-25)
    0x0000002c5c8601cc6b9e94213c72737a, // 2^(2^-26)
    0x000000162e42fff037df38aa2b219f06, // 2^(2^-27)
    0x0000000b17217fba9c739aa5819f44f9, // 2^(2^-28)
    0x000000058b90bfcdee5acd3c1cedc823, // 2^(2^-29)
    0x00000002c5c85fe31f35a6a30da1be50, // 2^(2^-30)
    0x0000000162e42ff0999ce3541b9fffcf, // 2^(2^-31)
    0x00000000b17217f80f4ef5aadda45554, // 2^(2^-32)
    0x0000000058b90bfbf8479bd5a81b51ad, // 2^(2^-33)
    0x000000002c5c85fdf84bd62ae30a74cc, // 2^(2^-34)
    0x00000000162e42fefb2fed257559bdaa, // 2^(2^-35)
    0x000000000b17217f7d5a7716bba4a9ae, // 2^(2^-36)
    0x00000000058b90bfbe9ddbac5e109cce, // 2^(2^-37)
    0x0000000002c5c85fdf4b15de6f17eb0d, // 2^(2^-38)
    0x000000000162e42fefa494f1478fde05, // 2^(2^-39)
    0x0000000000b17217f7d20cf927c8e94c, // 2^(2^-40)
    0x000000000058b90bfbe8f71cb4e4b33d, // 2^(2^-41)
    0x00000000002c5c85fdf477b662b26945, // 2^(2^-42)
    0x0000000000162e42fefa3ae53369388c, // 2^(2^-43)
    0x00000000000b17217f7d1d351a389d40, // 2^(2^-44)
    0x0000000000058b90bfbe8e8b2d3d4ede, // 2^(2^-45)
    0x000000000002c5c85fdf4741bea6e77e, // 2^(2^-46)
    0x00000000000162e42fefa39fe95583c2, // 2^(2^-47)
    0x000000000000b17217f7d1cfb72b45e1, // 2^(2^-48)
    0x00000000000058b90bfbe8e7cc35c3f0, // 2^(2^-49)
    0x0000000000002c5c85fdf473e242ea38, // 2^(2^-50)
    0x000000000000162e42fefa39f02b772c, // 2^(2^-51)
    0x0000000000000b17217f7d1cf7d83c1a, // 2^(2^-52)
    0x000000000000058b90bfbe8e7bdcbe2e, // 2^(2^-53)
    0x00000000000002c5c85fdf473dea871f, // 2^(2^-54)
    0x0000000000000162e42fefa39ef44d91, // 2^(2^-55)
    0x00000000000000b17217f7d1cf79e949, // 2^(2^-56)
    0x0000000000000058b90bfbe8e7bce544, // 2^(2^-57)
    0x000000000000002c5c85fdf473de6eca, // 2^(2^-58)
    0x00000000000000162e42fefa39ef366f, // 2^(2^-59)
    0x000000000000000b17217f7d1cf79afa, // 2^(2^-60)
    0x00000000000000058b90bfbe8e7bcd6d, // 2^(2^-61)
    0x0000000000000002c5c85fdf473de6b2, // 2^(2^-62)
    0x000000000000000162e42fefa39ef358, // 2^(2^-63)
    0x0000000000000000b17217f7d1cf79ab, // 2^(2^-64)
];

/// The table entries as 32-bit limbs, least significant first, split at compile time. From
/// entry 31 on (`2^(2^-32)` and beyond) the top limb is zero and is left out of the product.
const FACTOR_LIMBS: [[u64; 4]; 64] = limb_table(&FRACTION_FACTORS);
/// The first entry whose top 32-bit limb is zero.
const FIRST_THREE_LIMB_FACTOR: usize = 31;

/// High 128 bits of the 256-bit product of `a` and the first `N` limbs of `b`, by
/// schoolbook multiplication on 32-bit limbs so that every partial product is a native
/// 64-bit multiply on chain (SBF has no 64x64->128 multiply; 128-bit products are emulated
/// and cost several times more). `N` is a constant so the loops unroll. A `const fn` (hence
/// the `while` loops) so that `LEADING_ONES` is built by this same step.
const fn mul_high<const N: usize>(a: u128, b: &[u64; 4]) -> u128 {
    let a = limbs32(a);
    let mut acc = [0u64; 8];
    let mut i = 0;
    while i < 4 {
        let mut carry = 0u64;
        let mut j = 0;
        while j < N {
            // < 2^64: (2^32-1)^2 + 2 (2^32-1) = 2^64 - 1
            let t = a[i] * b[j] + acc[i + j] + carry;
            acc[i + j] = t & 0xffff_ffff;
            carry = t >> 32;
            j += 1;
        }
        acc[i + N] = carry;
        i += 1;
    }
    (acc[4] | (acc[5] << 32)) as u128 | (((acc[6] | (acc[7] << 32)) as u128) << 64)
}

/// Every entry of a table as its [`limbs32`], at compile time.
const fn limb_table<const N: usize>(entries: &[u128; N]) -> [[u64; 4]; N] {
    let mut out = [[0u64; 4]; N];
    let mut i = 0;
    while i < N {
        out[i] = limbs32(entries[i]);
        i += 1;
    }
    out
}

/// The four 32-bit limbs of `x`, least significant first, each widened to u64.
const fn limbs32(x: u128) -> [u64; 4] {
    [
        (x as u64) & 0xffff_ffff,
        (x as u64) >> 32,
        ((x >> 64) as u64) & 0xffff_ffff,
        ((x >> 64) as u64) >> 32,
    ]
}

/// `2^x` for a 64.64 exponent `x < 64`, exactly as the reference computes it: start from
/// `2^127`, multiply in (floored) the table entry of every set bit of the two's-complement
/// fractional part, highest bit first, then shift right by `63 - floor(x)`.
/// Returns 0 below `-64` (the reference's underflow), fails at `x >= 64`.
///
/// For `x < 0` (every decay) the shift drops at least 64 bits, so a cheaper estimate of the
/// product usually decides the result on its own (see [`estimated`]); when it cannot, the
/// exact product is computed.
pub fn exp2(x: I64F64) -> Result<U64F64, ArithmeticError> {
    let bits = x.to_bits();
    if bits >= 64i128 << 64 {
        return Err(ArithmeticError::new(ArithmeticKind::Overflow));
    }
    if bits < -(64i128 << 64) {
        return Ok(U64F64::ZERO);
    }
    let fraction = bits as u64; // low 64 bits of the two's complement
    let integer = bits >> 64; // floor(x), in [-64, 63]
    let shift = (63 - integer) as u32; // in [0, 127]
    if integer < 0 {
        if let Some(result) = estimated(fraction, shift) {
            return Ok(U64F64::from_bits(result));
        }
    }
    Ok(U64F64::from_bits(exact_product(fraction) >> shift))
}

/// The reference's product for `fraction`: `2^127` times the entry of every set bit, each
/// product floored. `result * (2^128 + factor) / 2^128 < 2^128`: the product of all entries
/// is < 2. Out of line: it is the rare path of a decay, and inlined into `exp2` it cost the
/// estimate's path about 300 CU on SBF.
#[inline(never)]
fn exact_product(fraction: u64) -> u128 {
    let (run, mut result) = leading_ones(fraction);
    for (i, factor) in FACTOR_LIMBS.iter().enumerate().skip(run) {
        if fraction & (1u64 << (63 - i)) != 0 {
            result += if i < FIRST_THREE_LIMB_FACTOR {
                mul_high::<4>(result, factor)
            } else {
                mul_high::<3>(result, factor)
            };
        }
    }
    result
}

/// `LEADING_ONES[k]`: the reference's product after its first `k` steps when all of them
/// multiply (the top `k` bits of the fraction set), computed at compile time by the same
/// floored steps, so a product may start from it bit for bit. A decay over a few slots has
/// a fraction just below 1: a run of ones about as long as log2 of the half-life.
const LEADING_ONES: [u128; 65] = {
    let mut out = [0u128; 65];
    let mut result: u128 = 1 << 127;
    out[0] = result;
    let mut k = 0;
    while k < 64 {
        // The entries with a zero top limb give the same high half as `mul_high::<3>`.
        result += mul_high::<4>(result, &FACTOR_LIMBS[k]);
        k += 1;
        out[k] = result;
    }
    out
};

/// The number of leading set bits of `fraction` and the product after them.
fn leading_ones(fraction: u64) -> (usize, u128) {
    let run = (!fraction).leading_zeros() as usize; // 0..=64
    match LEADING_ONES.get(run) {
        Some(&product) => (run, product),
        None => (0, 1 << 127),
    }
}

/// Bound on how far [`estimated`]'s product falls below the exact one.
///
/// Each step adds `H = (A F - L) / 2^128`, the product without its four lowest 32-bit
/// columns `L < 5 * 2^160`, so `floor(A F / 2^128) - H < 2^35`. With `D = R - A` (exact
/// minus estimate, never negative because every term only drops), one step gives
/// `D' < D (1 + F / 2^128) + 2^35 + 1`; over at most 64 steps, with the product of all the
/// `1 + F / 2^128` below 2, `D < 64 * 2 * (2^35 + 1) < 2^43`.
const MAX_ESTIMATE_DEFICIT: u128 = 1 << 43;

/// `exact_product(fraction) >> shift` from an estimate of the product, or `None` when the
/// estimate cannot decide it. The exact product lies in `[A, A + 2^43)`; when both ends
/// give the same value after the shift, that is the exact result. For a shift of 64 or
/// more this fails for about one fraction in 2^21. Each step is six 32-bit products
/// instead of sixteen.
fn estimated(fraction: u64, shift: u32) -> Option<u128> {
    // The leading run is exact: the estimate's steps start after it.
    let (run, mut estimate) = leading_ones(fraction);
    for (i, factor) in FACTOR_LIMBS.iter().enumerate().skip(run) {
        if fraction & (1u64 << (63 - i)) != 0 {
            estimate += mul_high_estimate(estimate, factor);
        }
    }
    let low = estimate >> shift;
    let high = estimate.checked_add(MAX_ESTIMATE_DEFICIT)? >> shift;
    (low == high).then_some(low)
}

/// `(a b - L) / 2^128` for the 32-bit limbs of `a` and `b`, where `L` is the sum of the
/// partial products below column 4 (weights under 2^128): the columns 4, 5 and 6 only.
fn mul_high_estimate(a: u128, b: &[u64; 4]) -> u128 {
    let a = limbs32(a);
    let column4 = u128::from(a[1] * b[3]) + u128::from(a[2] * b[2]) + u128::from(a[3] * b[1]);
    let column5 = u128::from(a[2] * b[3]) + u128::from(a[3] * b[2]);
    let column6 = u128::from(a[3] * b[3]);
    column4 + (column5 << 32) + (column6 << 64)
}

/// `2^(-t / half_life)` as the reference computes it: `exp2(-floor(t * 2^64 / half_life))`.
/// `t` and `half_life` are in the same unit (slots). Saturates to 0 after 64 half-lives.
pub fn decay(t: u64, half_life: U256) -> Result<U64F64, ArithmeticError> {
    if half_life.is_zero() {
        return Err(ArithmeticError::new(ArithmeticKind::DivisionByZero));
    }
    // t * 2^64 < 2^128, so a half-life of 2^128 or more gives a zero exponent. Staying in
    // u128 keeps this free of 256-bit operations (cheaper on chain).
    let Ok(half_life) = u128::try_from(half_life) else {
        return Ok(U64F64::ONE);
    };
    let exponent = scaled_ratio(t, half_life);
    // Anything past 64 half-lives underflows to 0 in the reference.
    if exponent > 64u128 << 64 {
        return Ok(U64F64::ZERO);
    }
    // The table and series decide it for a fraction of the product's cost.
    if let Some(result) = series::decay(exponent) {
        return Ok(U64F64::from_bits(result));
    }
    exp2(I64F64::from_bits(-(exponent as i128)))
}

/// `floor(t * 2^64 / h)` for `h > 0`. Half-lives below 2^32 slots (every interest
/// half-life the program accepts) take three native 64-bit divisions; a `u128` division is
/// emulated on SBF at several thousand compute units.
fn scaled_ratio(t: u64, h: u128) -> u128 {
    let Ok(h) = u32::try_from(h) else {
        return (u128::from(t) << 64) / h;
    };
    let h = u64::from(h);
    // Long division in base 2^32: each remainder is below h < 2^32, so every shifted
    // remainder fits in 64 bits and every later quotient digit is below 2^32.
    let (whole, rest) = (t / h, t % h);
    let (high, rest) = ((rest << 32) / h, (rest << 32) % h);
    let low = (rest << 32) / h;
    (u128::from(whole) << 64) | (u128::from(high) << 32) | u128::from(low)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec;

    #[test]
    fn scaled_ratio_is_the_exact_quotient() {
        let ts = [
            0u64,
            1,
            2,
            7,
            86_400,
            216_000,
            1 << 31,
            (1 << 32) + 5,
            u64::MAX - 1,
            u64::MAX,
        ];
        let hs = [
            1u128,
            2,
            3,
            998_132,
            99_813_195,
            249_532_987,
            800_000_000,
            (1 << 32) - 1,
            1 << 32,
            (1 << 64) + 3,
            u128::MAX,
        ];
        for &t in &ts {
            for &h in &hs {
                assert_eq!(scaled_ratio(t, h), (u128::from(t) << 64) / h, "{t} / {h}");
            }
        }
    }

    fn q64(x: U64F64) -> u128 {
        x.to_bits()
    }

    #[test]
    fn mul_high_matches_a_wide_product() {
        let cases = [
            (0u128, 0u128),
            (u128::MAX, u128::MAX),
            (1 << 127, FRACTION_FACTORS[0]),
            (
                0x1234_5678_9abc_def0_1234_5678_9abc_def0,
                0xfedc_ba98_7654_3210_fedc_ba98_7654_3210,
            ),
        ];
        for (a, b) in cases {
            let wide = U256::from(a) * U256::from(b);
            assert_eq!(
                U256::from(mul_high::<4>(a, &limbs32(b))),
                wide >> 128,
                "{a} * {b}"
            );
        }
    }

    #[test]
    fn three_limb_entries_have_a_zero_top_limb_and_the_others_do_not() {
        for (i, limbs) in FACTOR_LIMBS.iter().enumerate() {
            assert_eq!(limbs[3] == 0, i >= FIRST_THREE_LIMB_FACTOR, "entry {i}");
        }
    }

    /// The reference's loop as written before the limb tables: one full 128 x 128 product
    /// per set bit, in 256 bits.
    pub(super) fn exp2_reference(x: I64F64) -> Option<u128> {
        let bits = x.to_bits();
        if bits >= 64i128 << 64 {
            return None;
        }
        if bits < -(64i128 << 64) {
            return Some(0);
        }
        let fraction = bits as u64;
        let mut result: u128 = 1 << 127;
        for (i, &factor) in FRACTION_FACTORS.iter().enumerate() {
            if fraction & (1u64 << (63 - i)) != 0 {
                let high = (U256::from(result) * U256::from(factor)) >> 128;
                result += u128::try_from(high).ok()?;
            }
        }
        Some(result >> (63 - (bits >> 64)) as u32)
    }

    /// Edge fractions and 20,000 xorshift values from `seed`.
    fn sample_fractions(seed: u64) -> std::vec::Vec<u64> {
        let mut random = crate::wide::sampling::Xorshift(seed);
        let mut fractions = vec![0u64, 1, u64::MAX, 1 << 63, (1 << 32) - 1, 1 << 32];
        for _ in 0..20_000 {
            let x = random.next();
            fractions.push(x);
            // A leading run of ones of every length (a decay's fraction just below 1),
            // then random bits, with and without the bit that ends the run.
            let run = (x % 65) as u32;
            let ones = u64::MAX.checked_shl(64 - run).unwrap_or(0);
            let rest = x.checked_shr(run).unwrap_or(0);
            fractions.push(ones | rest);
            fractions.push(ones | (rest >> 1));
        }
        fractions
    }

    #[test]
    fn leading_ones_table_is_the_reference_product_of_each_run() {
        for k in 0..=64u32 {
            let fraction = u64::MAX.checked_shl(64 - k).unwrap_or(0);
            let mut product: u128 = 1 << 127;
            for &factor in &FRACTION_FACTORS[..k as usize] {
                let high = (U256::from(product) * U256::from(factor)) >> 128;
                product += u128::try_from(high).unwrap_or_default();
            }
            assert_eq!(LEADING_ONES[k as usize], product, "run of {k}");
            assert_eq!(leading_ones(fraction), (k as usize, product), "run of {k}");
        }
    }

    #[test]
    fn exp2_matches_the_full_width_reference_bit_for_bit() {
        for &f in &sample_fractions(0x9e37_79b9_7f4a_7c15) {
            for integer in [-64i128, -40, -1, 0, 5, 63] {
                let arg = I64F64::from_bits((integer << 64) | i128::from(f));
                assert_eq!(exp2(arg).ok().map(q64), exp2_reference(arg), "{arg:?}");
            }
        }
    }

    /// The estimate stays within its proven bound below the exact product, and decides
    /// every shift of 64 or more it was tried on here; a shift too small for the bound is
    /// left to the exact product.
    #[test]
    fn estimated_product_stays_within_its_bound() {
        let mut widest = 0u128;
        for &f in &sample_fractions(0x2545_f491_4f6c_dd1d) {
            let exact = exact_product(f);
            let mut estimate: u128 = 1 << 127;
            for (i, factor) in FACTOR_LIMBS.iter().enumerate() {
                if f & (1u64 << (63 - i)) != 0 {
                    estimate += mul_high_estimate(estimate, factor);
                }
            }
            assert!(estimate <= exact, "{f:#x}");
            widest = widest.max(exact - estimate);
            for shift in [64u32, 100, 127] {
                assert_eq!(
                    estimated(f, shift),
                    Some(exact >> shift),
                    "{f:#x} >> {shift}"
                );
            }
            assert_eq!(
                estimated(f, 40),
                None,
                "{f:#x}: 2^43 spans many values of 2^40"
            );
        }
        assert!(widest < MAX_ESTIMATE_DEFICIT, "{widest}");
    }

    #[test]
    fn exp2_of_integers_is_exact() {
        assert_eq!(q64(exp2(I64F64::ZERO).unwrap_or_default()), 1 << 64);
        assert_eq!(q64(exp2(I64F64::from_num(-1)).unwrap_or_default()), 1 << 63);
        assert_eq!(q64(exp2(I64F64::from_num(3)).unwrap_or_default()), 1 << 67);
        assert_eq!(q64(exp2(I64F64::from_num(-64)).unwrap_or_default()), 1);
        assert_eq!(
            q64(exp2(I64F64::from_num(63)).unwrap_or_default()),
            1 << 127
        );
    }

    #[test]
    fn exp2_underflows_to_zero_and_refuses_overflow() {
        let below = I64F64::from_bits(-(64i128 << 64) - 1);
        assert_eq!(exp2(below), Ok(U64F64::ZERO));
        assert_eq!(exp2(I64F64::MIN), Ok(U64F64::ZERO));
        assert!(exp2(I64F64::from_num(64)).is_err());
        assert!(exp2(I64F64::MAX).is_err());
    }

    #[test]
    fn exp2_of_a_half_is_the_first_table_entry() {
        // 2^-0.5 = sqrt(2)/2: fraction bit 63 set, integer part -1.
        let x = exp2(I64F64::from_bits(-(1i128 << 63))).unwrap_or_default();
        let expected = ((1u128 << 127) + mul_high::<4>(1 << 127, &FACTOR_LIMBS[0])) >> 64;
        assert_eq!(q64(x), expected);
        // 13043817825332782212 = floor(2^64 / sqrt 2)
        assert_eq!(q64(x), 13_043_817_825_332_782_212);
    }

    #[test]
    fn decay_matches_the_reference_day_of_interest() {
        // derion-math.md §9.3: decayRate(86400, 99813195) = 18435679347126027009.
        let f = decay(86_400, U256::from(99_813_195u64)).unwrap_or_default();
        assert_eq!(q64(f), 18_435_679_347_126_027_009);
    }

    #[test]
    fn decay_edge_cases() {
        assert_eq!(q64(decay(0, U256::from(7u8)).unwrap_or_default()), 1 << 64);
        assert_eq!(
            q64(decay(10, U256::from(10u8)).unwrap_or_default()),
            1 << 63
        );
        // exactly 64 half-lives: 2^-64 is one unit; beyond it everything is 0
        assert_eq!(q64(decay(64, U256::from(1u8)).unwrap_or_default()), 1);
        assert_eq!(decay(65, U256::from(1u8)), Ok(U64F64::ZERO));
        assert_eq!(decay(u64::MAX, U256::from(1u8)), Ok(U64F64::ZERO));
        // a half-life far longer than any clock never decays below 1 - 2^-64
        assert!(q64(decay(u64::MAX, U256::MAX).unwrap_or_default()) >= (1 << 64) - 1);
        assert!(decay(1, U256::ZERO).is_err());
    }

    proptest::proptest! {
        /// Decays take the table and series (the product where they cannot decide):
        /// the reference's `exp2(-floor(t 2^64 / half_life))` at every length.
        #[test]
        fn decay_is_the_reference_on_both_paths(
            t in 1u64..=5_000_000,
            half_life in 1u64..=u64::from(u32::MAX),
        ) {
            let exponent = scaled_ratio(t, u128::from(half_life));
            let expected = if exponent > 64u128 << 64 {
                Some(0)
            } else {
                exp2_reference(I64F64::from_bits(-(exponent as i128)))
            };
            let got = decay(t, U256::from(half_life)).ok().map(q64);
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn decay_is_monotone_in_time() {
        let hl = U256::from(1_000u64);
        let mut prev = u128::MAX;
        for t in (0..70_000u64).step_by(97) {
            let f = q64(decay(t, hl).unwrap_or_default());
            assert!(f <= prev, "t = {t}");
            prev = f;
        }
    }
}
