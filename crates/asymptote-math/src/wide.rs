//! 256-bit unsigned arithmetic (ruint) with a 512-bit intermediate for `mul_div`.
//!
//! Every helper is checked and reports the caller's location on failure.

use crate::error::{ArithmeticError, ArithmeticKind};

pub type U256 = ruint::Uint<256, 4>;
pub type U512 = ruint::Uint<512, 8>;

/// `2^64`: the unit of 64.64 decay factors.
pub const Q64: U256 = U256::from_limbs([0, 1, 0, 0]);
/// `2^126`: `4 / Q128`, used for the `4 * v * xk` denominators of the flat branch.
pub const Q126: U256 = U256::from_limbs([0, 1 << 62, 0, 0]);
/// `2^128`: the unit of `xk` and of `OPEN_RATE`.
pub const Q128: U256 = U256::from_limbs([0, 0, 1, 0]);
/// `2^256 - 1`: inversions are `Q256M / x` (Derion semantics, not `2^256 / x`).
pub const Q256M: U256 = U256::MAX;

type MathResult<T> = Result<T, ArithmeticError>;

#[track_caller]
fn fail(kind: ArithmeticKind) -> ArithmeticError {
    ArithmeticError::new(kind)
}

/// `floor(a * b / d)` with a 512-bit product; fails on `d == 0` or a quotient >= 2^256.
#[track_caller]
pub fn mul_div(a: U256, b: U256, d: U256) -> MathResult<U256> {
    let (q, _) = mul_div_rem(a, b, d)?;
    Ok(q)
}

/// `ceil(a * b / d)` with a 512-bit product; fails on `d == 0` or a quotient >= 2^256.
#[track_caller]
pub fn mul_div_up(a: U256, b: U256, d: U256) -> MathResult<U256> {
    let (q, exact) = mul_div_rem(a, b, d)?;
    round_up(q, exact)
}

/// A floored quotient `q` rounded up unless the division was exact.
#[track_caller]
fn round_up(q: U256, exact: bool) -> MathResult<U256> {
    if exact {
        Ok(q)
    } else {
        q.checked_add(U256::from(1u8))
            .ok_or_else(|| fail(ArithmeticKind::Overflow))
    }
}

/// `(floor(a * b / d), remainder == 0)`.
///
/// Computed on 32-bit digits with 64-bit intermediates (schoolbook product, Knuth's
/// algorithm D for the division): on SBF every step is a native 64-bit instruction, where
/// 128-bit limb arithmetic would be emulated at several times the cost. Not inlined: with
/// operands of known small width LLVM would fold limb arithmetic into native wide multiplies
/// the SBF backend cannot lower. Checked against ruint's 512-bit arithmetic in the tests.
#[track_caller]
#[inline(never)]
fn mul_div_rem(a: U256, b: U256, d: U256) -> MathResult<(U256, bool)> {
    if d.is_zero() {
        return Err(fail(ArithmeticKind::DivisionByZero));
    }
    let divisor = digits::of(d);
    let product = digits::mul(&digits::of(a), &digits::of(b));
    if let Some(shift) = digits::log2_if_power_of_two(&divisor) {
        // A power-of-two divisor below 2^256: a shift by at most 255.
        return Product::from_digits(&product).shr_by(shift);
    }
    let (quotient, exact) = digits::div(&product, &divisor);
    let q = digits::to_u256(&quotient).ok_or_else(|| fail(ArithmeticKind::Overflow))?;
    Ok((q, exact))
}

/// How many times [`q128_div_up_by`] moves its estimate up before it divides instead.
const RECIPROCAL_STEPS: u32 = 4;

/// `ceil(r * 2^128 / d)` (`mul_div_up(Q128, r, d)`, the power branch's coefficient) from
/// `inverse`, a caller's estimate of `2^256 / d` (the pool's other power: `Q256M / xk` for
/// `xk`, and `xk` for `Q256M / xk`). The estimate's quotient `floor(r * inverse / 2^128)`
/// is checked against the exact product and moved up a few units if it falls short; an
/// estimate that overshoots or falls further short takes the division, so the result is
/// always the exact one. Two 512-bit products instead of a product and a quotient: about
/// 500 CU less on SBF.
#[track_caller]
pub fn q128_div_up_by(r: U256, d: U256, inverse: U256) -> MathResult<U256> {
    match reciprocal_quotient(r, d, inverse) {
        Some(q) => Ok(q),
        None => mul_div_up(Q128, r, d),
    }
}

/// [`q128_div_up_by`] from the estimate alone: `None` when it cannot be confirmed.
fn reciprocal_quotient(r: U256, d: U256, inverse: U256) -> Option<U256> {
    let mut q = mul_shr::<128>(r, inverse).ok()?;
    let target = U512::from(r) << 128;
    let mut product = wide_mul(q, d);
    if d.is_zero() || product > target {
        return None;
    }
    // `product = q d <= target`: the answer is the first `q` whose product reaches it.
    for _ in 0..RECIPROCAL_STEPS {
        if product >= target {
            return Some(q);
        }
        q = q.checked_add(U256::from(1u8))?;
        product += U512::from(d);
    }
    (product >= target).then_some(q)
}

/// `floor(a * b / 2^SHIFT)` for `SHIFT < 256`, failing on a quotient >= 2^256: `mul_div`
/// by a power of two without dividing (the Q64 and Q128 units, the `Q126` of the flat
/// branch).
pub fn mul_shr<const SHIFT: u32>(a: U256, b: U256) -> MathResult<U256> {
    let (q, _) = Product::of(a, b).shr::<SHIFT>()?;
    Ok(q)
}

/// `ceil(a * b / 2^SHIFT)` for `SHIFT < 256`, failing on a quotient >= 2^256.
pub fn mul_shr_up<const SHIFT: u32>(a: U256, b: U256) -> MathResult<U256> {
    let (q, exact) = Product::of(a, b).shr::<SHIFT>()?;
    round_up(q, exact)
}

/// A 512-bit product as eight 64-bit limbs, least significant first, for callers that
/// shift one product by several amounts (the curve's two branches share `v * xk`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product([u64; 8]);

impl Product {
    /// `a * b`, multiplied on 32-bit digits (native 64-bit products on SBF).
    #[inline(never)]
    pub fn of(a: U256, b: U256) -> Self {
        Self::from_digits(&digits::mul(&digits::of(a), &digits::of(b)))
    }

    fn from_digits(product: &[u32; 16]) -> Self {
        let mut limbs = [0u64; 8];
        digits::join(product, &mut limbs);
        Self(limbs)
    }

    /// `(floor(self / 2^SHIFT), remainder == 0)` for `SHIFT < 256`, failing when the
    /// quotient needs more than 256 bits. `SHIFT` is a constant, so the limb moves fold.
    #[inline(always)]
    pub fn shr<const SHIFT: u32>(&self) -> MathResult<(U256, bool)> {
        const { assert!(SHIFT < 256) };
        self.shr_by(SHIFT as usize)
    }

    /// [`Product::shr`] by a shift known only at run time; `shift < 256`.
    #[inline(always)]
    fn shr_by(&self, shift: usize) -> MathResult<(U256, bool)> {
        let x = &self.0;
        let (whole, bits) = (shift / 64, (shift % 64) as u32);
        // Bits at 256 + SHIFT and above would not fit the quotient.
        if x[whole + 4] >> bits != 0 || x[whole + 5..].iter().any(|&limb| limb != 0) {
            return Err(fail(ArithmeticKind::Overflow));
        }
        let below = if bits == 0 {
            0
        } else {
            x[whole] << (64 - bits)
        };
        let exact = below == 0 && x[..whole].iter().all(|&limb| limb == 0);
        let mut q = [0u64; 4];
        for (i, limb) in q.iter_mut().enumerate() {
            *limb = if bits == 0 {
                x[whole + i]
            } else {
                (x[whole + i] >> bits) | (x[whole + i + 1] << (64 - bits))
            };
        }
        Ok((U256::from_limbs(q), exact))
    }
}

/// Unsigned integers as little-endian base-2^32 digits.
mod digits {
    use super::{U256, U512};

    const BASE_BITS: u32 = 32;
    const LOW: u64 = 0xffff_ffff;

    pub fn of(x: U256) -> [u32; 8] {
        let mut out = [0u32; 8];
        split(x.as_limbs(), &mut out);
        out
    }

    pub fn of512(x: U512) -> [u32; 16] {
        let mut out = [0u32; 16];
        split(x.as_limbs(), &mut out);
        out
    }

    /// The value if it fits in 256 bits.
    pub fn to_u256(x: &[u32; 16]) -> Option<U256> {
        if x[8..].iter().any(|&d| d != 0) {
            return None;
        }
        let mut limbs = [0u64; 4];
        join(&x[..8], &mut limbs);
        Some(U256::from_limbs(limbs))
    }

    /// The 256-bit value of eight digits.
    pub fn u256_of(x: &[u32; 8]) -> U256 {
        let mut limbs = [0u64; 4];
        join(x, &mut limbs);
        U256::from_limbs(limbs)
    }

    /// The 512-bit value.
    pub fn to_u512(x: &[u32; 16]) -> U512 {
        let mut limbs = [0u64; 8];
        join(x, &mut limbs);
        U512::from_limbs(limbs)
    }

    /// 64-bit limbs into 32-bit digits, least significant first.
    #[inline(always)]
    fn split(limbs: &[u64], out: &mut [u32]) {
        for (pair, &limb) in out.chunks_exact_mut(2).zip(limbs) {
            pair[0] = limb as u32;
            pair[1] = (limb >> BASE_BITS) as u32;
        }
    }

    /// 32-bit digits into 64-bit limbs.
    #[inline(always)]
    pub fn join(digits: &[u32], limbs: &mut [u64]) {
        for (limb, pair) in limbs.iter_mut().zip(digits.chunks_exact(2)) {
            *limb = u64::from(pair[0]) | (u64::from(pair[1]) << BASE_BITS);
        }
    }

    /// Full 512-bit product. Only the significant digits of each factor are multiplied
    /// (the values the pool uses are mostly well under 256 bits): a row for each non-zero
    /// digit of `a` (callers put a sparse factor such as `Q128` first), across `b`, whose
    /// width is a constant of the row loop so that it unrolls (as in `div`).
    pub fn mul(a: &[u32; 8], b: &[u32; 8]) -> [u32; 16] {
        let mut w = [0u32; 16];
        product_into(&a[..significant(a)], b, &mut w);
        w
    }

    /// `w = rows * b` for a zeroed `w` of at least `rows.len() + significant(b)` digits,
    /// one instance per width of `b`.
    fn product_into(rows: &[u32], b: &[u32; 8], w: &mut [u32]) {
        match significant(b) {
            0 => {}
            1 => rows_across::<1>(rows, b, w),
            2 => rows_across::<2>(rows, b, w),
            3 => rows_across::<3>(rows, b, w),
            4 => rows_across::<4>(rows, b, w),
            5 => rows_across::<5>(rows, b, w),
            6 => rows_across::<6>(rows, b, w),
            7 => rows_across::<7>(rows, b, w),
            _ => rows_across::<8>(rows, b, w),
        }
    }

    /// `a * b` if it fits in 512 bits.
    pub fn mul_512_256(a: &[u32; 16], b: &[u32; 8]) -> Option<[u32; 16]> {
        let (na, nb) = (significant(a), significant(b));
        if na + nb > 17 {
            // a >= 2^(32 (na - 1)) and b >= 2^(32 (nb - 1)): the product is >= 2^512.
            return None;
        }
        let mut w = [0u32; 17];
        product_into(&a[..na], b, &mut w);
        if w[16] != 0 {
            return None;
        }
        let mut out = [0u32; 16];
        out.copy_from_slice(&w[..16]);
        Some(out)
    }

    /// `w = rows * wide[..N]` for a zeroed `w` of at least `rows.len() + N` digits.
    fn rows_across<const N: usize>(rows: &[u32], wide: &[u32; 8], w: &mut [u32]) {
        let Some(wide) = wide.first_chunk::<N>() else {
            return;
        };
        for (i, &digit) in rows.iter().enumerate() {
            if digit == 0 {
                continue;
            }
            // One bounds check a row, not one a digit.
            let Some(row) = w.get_mut(i..=i + N) else {
                return;
            };
            let digit = u64::from(digit);
            let mut carry = 0u64;
            for j in 0..N {
                // <= (2^32-1)^2 + 2 (2^32-1) = 2^64 - 1
                let t = digit * u64::from(wide[j]) + u64::from(row[j]) + carry;
                row[j] = t as u32;
                carry = t >> BASE_BITS;
            }
            row[N] = carry as u32;
        }
    }

    /// `Some(log2 x)` when the non-zero `x` is a power of two.
    pub fn log2_if_power_of_two(x: &[u32; 8]) -> Option<usize> {
        let n = significant(x);
        let top = *x.get(n.checked_sub(1)?)?;
        if top.is_power_of_two() && x[..n - 1].iter().all(|&d| d == 0) {
            Some((n - 1) * 32 + top.trailing_zeros() as usize)
        } else {
            None
        }
    }

    pub fn significant(x: &[u32]) -> usize {
        x.iter().rposition(|&d| d != 0).map_or(0, |i| i + 1)
    }

    /// `(u / v, u % v == 0)` for `v != 0`: Knuth, TAOCP vol. 2, 4.3.1, algorithm D.
    /// `V` is the divisor's width in digits (8: a U256, 16: a U512).
    pub fn div<const V: usize>(u: &[u32; 16], v: &[u32; V]) -> ([u32; 16], bool) {
        let mut q = [0u32; 16];
        let (m, n) = (significant(u), significant(v));
        if m < n {
            return (q, m == 0);
        }
        if n == 1 {
            let rem = div_by_digit(&u[..m], v[0], &mut q);
            return (q, rem == 0);
        }
        // The common widths as constants, so the digit loops unroll (about 1,300 CU less
        // a trade on SBF than one loop over a runtime width); wider divisors (512-bit
        // ones, `div_shr_up_512`) take the runtime width.
        match n {
            2 => long_division(u, m, v, Const::<2>),
            3 => long_division(u, m, v, Const::<3>),
            4 => long_division(u, m, v, Const::<4>),
            5 => long_division(u, m, v, Const::<5>),
            6 => long_division(u, m, v, Const::<6>),
            7 => long_division(u, m, v, Const::<7>),
            8 => long_division(u, m, v, Const::<8>),
            _ => long_division(u, m, v, Runtime(n)),
        }
    }

    /// A divisor's significant digit count, known when compiled or only when run.
    trait Width: Copy {
        fn get(self) -> usize;
    }

    #[derive(Clone, Copy)]
    struct Const<const N: usize>;

    impl<const N: usize> Width for Const<N> {
        #[inline(always)]
        fn get(self) -> usize {
            N
        }
    }

    #[derive(Clone, Copy)]
    struct Runtime(usize);

    impl Width for Runtime {
        #[inline(always)]
        fn get(self) -> usize {
            self.0
        }
    }

    /// Algorithm D for a divisor `v` of `2 <= n <= 16` significant digits and a dividend of
    /// `m >= n`.
    fn long_division(u: &[u32; 16], m: usize, v: &[u32], width: impl Width) -> ([u32; 16], bool) {
        let n = width.get();
        // Normalise so the divisor's top digit has its high bit set.
        let mut vn = [0u32; 16];
        let s = v[n - 1].leading_zeros();
        for i in (1..n).rev() {
            vn[i] = shl_pair(v[i], v[i - 1], s);
        }
        vn[0] = v[0] << s;
        let mut un = [0u32; 17];
        un[m] = if s == 0 {
            0
        } else {
            u[m - 1] >> (BASE_BITS - s)
        };
        for i in (1..m).rev() {
            un[i] = shl_pair(u[i], u[i - 1], s);
        }
        un[0] = u[0] << s;
        let (v_top, v_next) = (u64::from(vn[n - 1]), u64::from(vn[n - 2]));
        let mut q = [0u32; 16];
        for j in (0..=m - n).rev() {
            // The n + 1 digits this step works on: one bounds check, not one per digit.
            let Some(w) = un.get_mut(j..=j + n) else {
                break;
            };
            // Estimate the quotient digit from the top two digits, then correct it (at most
            // twice) with the third.
            let num = (u64::from(w[n]) << BASE_BITS) | u64::from(w[n - 1]);
            let mut qhat = num / v_top;
            let mut rhat = num % v_top;
            while qhat > LOW || qhat * v_next > ((rhat << BASE_BITS) | u64::from(w[n - 2])) {
                qhat -= 1;
                rhat += v_top;
                if rhat > LOW {
                    break;
                }
            }
            // Multiply and subtract.
            let mut borrow = 0i64;
            for i in 0..n {
                let p = qhat * u64::from(vn[i]);
                let t = i64::from(w[i]) - borrow - (p & LOW) as i64;
                w[i] = t as u32;
                borrow = (p >> BASE_BITS) as i64 - (t >> BASE_BITS);
            }
            let t = i64::from(w[n]) - borrow;
            w[n] = t as u32;
            q[j] = qhat as u32;
            if t < 0 {
                // The estimate was one too large: add the divisor back.
                q[j] = q[j].wrapping_sub(1);
                let mut carry = 0u64;
                for i in 0..n {
                    let t = u64::from(w[i]) + u64::from(vn[i]) + carry;
                    w[i] = t as u32;
                    carry = t >> BASE_BITS;
                }
                w[n] = w[n].wrapping_add(carry as u32);
            }
        }
        (q, un[..n].iter().all(|&d| d == 0))
    }

    /// `q = u / d` for a digit `0 < d`, most significant digit first (each partial dividend
    /// `rem * 2^32 + digit` is below `d * 2^32 <= 2^64`); returns the remainder. `q` has at
    /// least `u.len()` digits, zero above them.
    #[inline(always)]
    pub fn div_by_digit(u: &[u32], d: u32, q: &mut [u32]) -> u64 {
        let divisor = u64::from(d);
        let q = &mut q[..u.len()];
        let mut rem = 0u64;
        for j in (0..u.len()).rev() {
            let cur = (rem << BASE_BITS) | u64::from(u[j]);
            q[j] = (cur / divisor) as u32;
            rem = cur % divisor;
        }
        rem
    }

    /// The digit `hi` shifted left by `s`, filled from the top of `lo`.
    fn shl_pair(hi: u32, lo: u32, s: u32) -> u32 {
        if s == 0 {
            hi
        } else {
            (hi << s) | (lo >> (BASE_BITS - s))
        }
    }
}

/// The low 256 bits of `x` if the high 256 are zero.
pub fn narrow(x: U512) -> Option<U256> {
    let l = x.as_limbs();
    if l[4..].iter().any(|&limb| limb != 0) {
        return None;
    }
    Some(U256::from_limbs([l[0], l[1], l[2], l[3]]))
}

/// `a + b`, failing on overflow.
#[track_caller]
pub fn add(a: U256, b: U256) -> MathResult<U256> {
    a.checked_add(b)
        .ok_or_else(|| fail(ArithmeticKind::Overflow))
}

/// `a - b`, failing when `b > a`.
#[track_caller]
pub fn sub(a: U256, b: U256) -> MathResult<U256> {
    a.checked_sub(b)
        .ok_or_else(|| fail(ArithmeticKind::Underflow))
}

/// `a * b`, failing on overflow.
#[track_caller]
pub fn mul(a: U256, b: U256) -> MathResult<U256> {
    a.checked_mul(b)
        .ok_or_else(|| fail(ArithmeticKind::Overflow))
}

/// `a * k` for a 32-bit factor, failing on overflow: one native multiply per 32-bit digit,
/// where `mul` would take ruint's 128-bit limb products (emulated on SBF, about 1,000 CU).
#[track_caller]
pub fn mul_small(a: U256, k: u32) -> MathResult<U256> {
    let k = u64::from(k);
    let mut limbs = *a.as_limbs();
    let mut carry = 0u64;
    for limb in &mut limbs {
        // Each half times k plus a carry below 2^32 stays below 2^64.
        let low = (*limb & LOW_DIGIT) * k + carry;
        let high = (*limb >> 32) * k + (low >> 32);
        *limb = (low & LOW_DIGIT) | (high << 32);
        carry = high >> 32;
    }
    if carry != 0 {
        return Err(fail(ArithmeticKind::Overflow));
    }
    Ok(U256::from_limbs(limbs))
}

/// The low 32-bit digit of a 64-bit limb.
const LOW_DIGIT: u64 = 0xffff_ffff;

/// `floor(a / d)`, failing on `d == 0`. A divisor below 2^32 (the protocol fee divisor, the
/// thirds of a deposit) takes one native 64-bit division per 32-bit digit; ruint's
/// single-limb path divides 128 by 64 bits, emulated on SBF. Wider divisors take ruint's
/// division, not Knuth on 32-bit digits as `mul_div`: for `Q256M / xk` (the SHORT power)
/// the digit version measured about 550 CU more on SBF.
#[track_caller]
pub fn div(a: U256, d: U256) -> MathResult<U256> {
    match u32::try_from(d) {
        Ok(0) => Err(fail(ArithmeticKind::DivisionByZero)),
        Ok(small) => Ok(div_small(a, small)),
        Err(_) => a
            .checked_div(d)
            .ok_or_else(|| fail(ArithmeticKind::DivisionByZero)),
    }
}

/// `floor(a / d)` for `0 < d < 2^32`.
fn div_small(a: U256, d: u32) -> U256 {
    let dividend = digits::of(a);
    // Leading zero digits give zero quotient digits (a zero interest costs nothing).
    let n = digits::significant(&dividend);
    let mut quotient = [0u32; 8];
    digits::div_by_digit(&dividend[..n], d, &mut quotient);
    digits::u256_of(&quotient)
}

/// `a * b` as a 512-bit value (never overflows). On 32-bit digits, like `mul_div`: ruint's
/// 64-bit limb products are 128-bit multiplies, emulated on SBF.
pub fn wide_mul(a: U256, b: U256) -> U512 {
    digits::to_u512(&digits::mul(&digits::of(a), &digits::of(b)))
}

/// `a * b` for a 512-bit `a`, failing when the product needs more than 512 bits. On
/// 32-bit digits: ruint's 512-bit product takes 64 emulated 128-bit multiplies on SBF.
#[track_caller]
pub fn mul_512(a: U512, b: U256) -> MathResult<U512> {
    digits::mul_512_256(&digits::of512(a), &digits::of(b))
        .map(|p| digits::to_u512(&p))
        .ok_or_else(|| fail(ArithmeticKind::Overflow))
}

/// `ceil(a / (d 2^SHIFT))` for a 512-bit `a` and `d`, as `ceil(ceil(a / d) / 2^SHIFT)` (the
/// same value for positive integers): the shift stays out of the divisor, which keeps its
/// own digit count (a 208-bit product of depths is 7 digits, shifted by 65 it is 9, past
/// the widths the division compiles as constants). Fails on `d == 0` or a quotient
/// `>= 2^256`.
#[track_caller]
pub fn div_shr_up_512<const SHIFT: usize>(a: U512, d: U512) -> MathResult<U256> {
    if d.is_zero() {
        return Err(fail(ArithmeticKind::DivisionByZero));
    }
    let (quotient, exact) = digits::div(&digits::of512(a), &digits::of512(d));
    let q = digits::to_u512(&quotient);
    // ceil(q' / 2^SHIFT) with q' = ceil(a / d): up by one when `a / d` was inexact or a
    // bit of `q` is shifted out (if both, q' carries into the kept bits: still one).
    let shifted_out = q.trailing_zeros() < SHIFT;
    let q = narrow(q >> SHIFT).ok_or_else(|| fail(ArithmeticKind::Overflow))?;
    round_up(q, exact && !shifted_out)
}

/// `|a - b|`.
pub fn abs_diff(a: U256, b: U256) -> U256 {
    if a >= b {
        a - b
    } else {
        b - a
    }
}

/// Narrow a 256-bit amount to an on-chain `u64` token amount.
#[track_caller]
pub fn to_u64(x: U256) -> MathResult<u64> {
    u64::try_from(x).map_err(|_| fail(ArithmeticKind::Overflow))
}

/// Deterministic pseudo-random values for the crate's tests.
#[cfg(test)]
pub(crate) mod sampling {
    use super::U256;

    /// Marsaglia's xorshift64: fixed seeds, repeatable cases.
    pub struct Xorshift(pub u64);

    impl Xorshift {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A value of exactly `bits` significant bits (zero for none).
        pub fn of_bits(&mut self, bits: usize) -> U256 {
            let x = self.next();
            if bits == 0 {
                return U256::ZERO;
            }
            let limbs = [x, x.rotate_left(17), x.rotate_left(31), x.rotate_left(47)];
            (U256::from_limbs(limbs) >> (256 - bits)) | (U256::from(1u8) << (bits - 1))
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::{vec, vec::Vec};

    fn u(x: u128) -> U256 {
        U256::from(x)
    }

    #[test]
    fn constants_are_the_named_powers_of_two() {
        assert_eq!(Q64, U256::from(1u8) << 64);
        assert_eq!(Q126, U256::from(1u8) << 126);
        assert_eq!(Q128, U256::from(1u8) << 128);
        assert_eq!(
            Q256M,
            (U256::from(1u8) << 255) - U256::from(1u8) + (U256::from(1u8) << 255)
        );
    }

    #[test]
    fn mul_div_floors_and_mul_div_up_ceils() {
        assert_eq!(mul_div(u(7), u(3), u(2)), Ok(u(10)));
        assert_eq!(mul_div_up(u(7), u(3), u(2)), Ok(u(11)));
        assert_eq!(mul_div_up(u(8), u(3), u(2)), Ok(u(12)));
        assert_eq!(mul_div(U256::ZERO, Q256M, u(1)), Ok(U256::ZERO));
    }

    #[test]
    fn mul_div_uses_a_512_bit_intermediate() {
        // (2^256-1) * (2^256-1) / (2^256-1) = 2^256-1, the product needs 512 bits.
        assert_eq!(mul_div(Q256M, Q256M, Q256M), Ok(Q256M));
        assert_eq!(mul_div_up(Q256M, Q256M, Q256M), Ok(Q256M));
        // 2^255 * 6 / 3 = 2^256: does not fit.
        let half = U256::from(1u8) << 255;
        assert_eq!(
            mul_div(half, u(6), u(3)).map_err(|e| e.kind),
            Err(ArithmeticKind::Overflow)
        );
        // Q256M * Q256M / Q128 overflows; / (Q256M - 1) rounds to Q256M + 1 and overflows when ceiled.
        assert!(mul_div(Q256M, Q256M, Q128).is_err());
        assert_eq!(mul_div(Q256M, Q256M - u(1), Q256M), Ok(Q256M - u(1)));
    }

    #[test]
    fn ceil_of_the_largest_quotient_overflows_cleanly() {
        // floor = 2^256 - 1 with a remainder: the ceil does not fit.
        let r = mul_div_up(Q256M, Q256M - u(1), Q256M - u(2));
        assert_eq!(r.map_err(|e| e.kind), Err(ArithmeticKind::Overflow));
    }

    #[test]
    fn division_by_zero_is_named_and_located() {
        let e = mul_div(u(1), u(1), U256::ZERO).err();
        let e = e.map(|e| (e.kind, e.at.file().ends_with("wide.rs")));
        assert_eq!(e, Some((ArithmeticKind::DivisionByZero, true)));
        assert!(mul_div_up(u(1), u(1), U256::ZERO).is_err());
        assert!(div(u(1), U256::ZERO).is_err());
    }

    /// ruint's exact 512-bit arithmetic, the reference for the digit routines.
    fn reference(a: U256, b: U256, d: U256) -> Option<(U256, bool)> {
        let p: U512 = a.widening_mul(b);
        let (q, r) = p.div_rem(U512::from(d));
        narrow(q).map(|q| (q, r.is_zero()))
    }

    /// Values that stress digit boundaries: zero, ones, powers of two and their neighbours,
    /// random-looking limbs, all ones.
    fn samples() -> Vec<U256> {
        let mut v = vec![
            U256::ZERO,
            u(1),
            u(2),
            u(3),
            u(0xffff_ffff),
            u(1 << 32),
            Q64,
            Q126,
            Q128,
            Q256M,
        ];
        for bits in [
            31usize, 32, 33, 63, 64, 65, 95, 96, 127, 128, 129, 160, 191, 192, 224, 255,
        ] {
            let p = U256::from(1u8) << bits;
            v.extend([p, p - u(1), p + u(1)]);
        }
        let mut x = U256::from(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..24 {
            x = x
                .wrapping_mul(U256::from(0x5851_f42d_4c95_7f2du64))
                .wrapping_add(U256::from(0x1405_7b7e_f767_814fu64));
            v.push(x);
            v.push(x >> 97);
            v.push(x >> 161);
        }
        v
    }

    #[test]
    fn digit_mul_div_matches_ruint_on_boundary_values() {
        let values = samples();
        let mut checked = 0u32;
        for &a in &values {
            for &b in values.iter().step_by(3) {
                for &d in values.iter().step_by(2) {
                    if d.is_zero() {
                        continue;
                    }
                    let got = mul_div_rem(a, b, d).ok();
                    assert_eq!(got, reference(a, b, d), "{a} * {b} / {d}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 50_000, "{checked}");
    }

    #[test]
    fn knuth_add_back_step_is_exercised() {
        // Hacker's Delight's case where the corrected estimate is still one too large and
        // the divisor is added back (checked by a model of algorithm D): digits
        // [0, 0, 2^31, 2^31 - 1] / [1, 0, 2^31].
        let u = U256::from(0x7fff_ffff_8000_0000_0000_0000_0000_0000u128);
        let d = U256::from(0x8000_0000_0000_0000_0000_0001u128);
        let expected = reference(u, U256::from(1u8), d);
        assert_eq!(expected, Some((U256::from(0xffff_fffeu64), false)));
        assert_eq!(mul_div_rem(u, U256::from(1u8), d).ok(), expected);
        // The same digits higher up, and with more quotient digits below them.
        for shift in [32usize, 64, 96, 128] {
            let (u, d) = (u << shift, d << shift);
            assert_eq!(
                mul_div_rem(u, U256::from(1u8), d).ok(),
                reference(u, U256::from(1u8), d)
            );
            let d = d >> shift;
            assert_eq!(
                mul_div_rem(u, U256::from(1u8), d).ok(),
                reference(u, U256::from(1u8), d)
            );
        }
    }

    /// The add-back case at divisor widths 3 to 8 (each compiled for its width) and 9 to
    /// 15 (the runtime width; 16 would need a 17-digit dividend), the digits shifted up
    /// whole.
    #[test]
    fn knuth_add_back_at_every_divisor_width() {
        let u = U512::from(0x7fff_ffff_8000_0000_0000_0000_0000_0000u128);
        let d = U512::from(0x8000_0000_0000_0000_0000_0001u128);
        for digits in 3..=15usize {
            let shift = 32 * (digits - 3);
            let (u, d) = (u << shift, d << shift);
            let (quotient, exact) =
                super::digits::div(&super::digits::of512(u), &super::digits::of512(d));
            let (q, r) = u.div_rem(d);
            assert_eq!(q, U512::from(0xffff_fffeu64), "{digits} digits");
            assert_eq!(
                (super::digits::to_u512(&quotient), exact),
                (q, r.is_zero()),
                "{digits} digits"
            );
        }
    }

    /// The reciprocal quotient is `mul_div_up(Q128, r, d)` with the estimates the pool
    /// passes (either power's inverse), with bad ones, and at the edges.
    fn check_reciprocal(r: U256, d: U256) {
        let want = mul_div_up(Q128, r, d).ok();
        let exact_inverse = div(Q256M, d).unwrap_or_default();
        let other = div(Q256M, exact_inverse.max(u(1))).unwrap_or_default();
        for inverse in [
            exact_inverse,
            other,
            exact_inverse.saturating_sub(u(7)),
            exact_inverse + u(1_000),
            U256::ZERO,
            Q256M,
        ] {
            assert_eq!(
                q128_div_up_by(r, d, inverse).ok(),
                want,
                "{r} / {d} ~ {inverse}"
            );
        }
    }

    #[test]
    fn reciprocal_quotient_matches_the_division_on_boundary_values() {
        let values = samples();
        for &r in &values {
            for &d in &values {
                check_reciprocal(r, d);
            }
        }
    }

    /// With the pool's own estimates (either power's inverse) the estimate decides the
    /// quotient itself for reserves below 2^112 (2^48 atoms) and `x^K` between 2^-32 and
    /// 2^8. (The SHORT side's estimate `xk` is off by about `2 xk^2 / 2^256`, so far above
    /// the MARK a large reserve takes the division.)
    #[test]
    fn reciprocal_quotient_needs_no_division_for_pool_sized_values() {
        let mut random = sampling::Xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let mut next = || random.next();
            let r = U256::from(next()) << (next() % 49);
            let xk = (Q128 >> 32) + (U256::from(next()) << (next() % 72));
            let xk_short = div(Q256M, xk).unwrap_or_default();
            let long = reciprocal_quotient(r, xk, xk_short);
            let short = reciprocal_quotient(r, xk_short, xk);
            assert_eq!(long, mul_div_up(Q128, r, xk).ok(), "{r} / {xk}");
            assert_eq!(
                short,
                mul_div_up(Q128, r, xk_short).ok(),
                "{r} / {xk_short}"
            );
        }
    }

    proptest::proptest! {
        /// Random limbs, with the divisor cut to a random width (Knuth D's paths depend on
        /// the divisor's digit count).
        #[test]
        fn digit_mul_div_matches_ruint_on_random_values(
            a in proptest::array::uniform4(proptest::num::u64::ANY),
            b in proptest::array::uniform4(proptest::num::u64::ANY),
            d in proptest::array::uniform4(proptest::num::u64::ANY),
            shifts in (0usize..256, 0usize..256),
        ) {
            let (a, b) = (U256::from_limbs(a) >> shifts.0, U256::from_limbs(b));
            let d = U256::from_limbs(d) >> shifts.1;
            proptest::prop_assume!(!d.is_zero());
            proptest::prop_assert_eq!(mul_div_rem(a, b, d).ok(), reference(a, b, d));
        }

        /// The reciprocal quotient on random reserves and powers of every width.
        #[test]
        fn reciprocal_quotient_matches_the_division_on_random_values(
            r in proptest::array::uniform4(proptest::num::u64::ANY),
            d in proptest::array::uniform4(proptest::num::u64::ANY),
            shifts in (0usize..256, 0usize..256),
        ) {
            check_reciprocal(U256::from_limbs(r) >> shifts.0, U256::from_limbs(d) >> shifts.1);
        }

        /// `div` against ruint, with divisors of every width (below 2^32 takes the digit
        /// path).
        #[test]
        fn div_matches_ruint_on_random_values(
            a in proptest::array::uniform4(proptest::num::u64::ANY),
            d in proptest::array::uniform4(proptest::num::u64::ANY),
            shifts in (0usize..256, 0usize..256),
        ) {
            let (a, d) = (U256::from_limbs(a) >> shifts.0, U256::from_limbs(d) >> shifts.1);
            proptest::prop_assert_eq!(div(a, d).ok(), a.checked_div(d));
        }
    }

    type U1024 = ruint::Uint<1024, 16>;

    proptest::proptest! {
        /// The shifted ceiling division is `ceil(a / (d 2^65))`, errors included.
        #[test]
        fn shifted_ceil_division_matches_ruint(
            a in proptest::array::uniform8(proptest::num::u64::ANY),
            d in proptest::array::uniform8(proptest::num::u64::ANY),
            shifts in (0usize..512, 0usize..512),
        ) {
            let (a, d) = (U512::from_limbs(a) >> shifts.0, U512::from_limbs(d) >> shifts.1);
            let expected = (!d.is_zero()).then(|| {
                let d = U1024::from(d) << 65;
                let (q, r) = U1024::from(a).div_rem(d);
                let q = if r.is_zero() { q } else { q + U1024::from(1u8) };
                let l = q.as_limbs();
                l[4..].iter().all(|&limb| limb == 0).then(|| U256::from_limbs([l[0], l[1], l[2], l[3]]))
            }).flatten();
            proptest::prop_assert_eq!(div_shr_up_512::<65>(a, d).ok(), expected);
        }
    }

    #[test]
    fn shifted_ceil_division_rounds_up_once() {
        let two_65 = U512::from(1u8) << 65;
        for (a, d, expected) in [
            (two_65 * U512::from(6u8), U512::from(3u8), 2u8), // exact both ways
            (
                two_65 * U512::from(6u8) + U512::from(1u8),
                U512::from(3u8),
                3,
            ), // a / d inexact
            (
                two_65 * U512::from(6u8) + U512::from(3u8),
                U512::from(3u8),
                3,
            ), // a / d exact, the shift not
            (
                two_65 * U512::from(6u8) - U512::from(1u8),
                U512::from(3u8),
                2,
            ), // carries back
            (U512::ZERO, U512::from(5u8), 0),
            (U512::from(1u8), U512::MAX, 1),
        ] {
            assert_eq!(
                div_shr_up_512::<65>(a, d).ok(),
                Some(U256::from(expected)),
                "{a} / {d}"
            );
        }
        assert!(div_shr_up_512::<65>(U512::from(1u8), U512::ZERO).is_err());
        assert!(div_shr_up_512::<65>(U512::MAX, U512::from(1u8)).is_err());
    }

    #[test]
    fn wide_product_and_ceil_division_match_ruint() {
        let values = samples();
        for &a in values.iter().step_by(2) {
            for &b in values.iter().step_by(2) {
                let p = wide_mul(a, b);
                for &c in values.iter().step_by(5) {
                    let expected = p.checked_mul(U512::from(c));
                    assert_eq!(mul_512(p, c).ok(), expected, "{p} * {c}");
                    if c.is_zero() {
                        assert!(div_shr_up_512::<0>(p, U512::from(c)).is_err());
                        continue;
                    }
                    // Divisors of both widths: c and c * b.
                    for d in [U512::from(c), wide_mul(c, b)] {
                        if d.is_zero() {
                            continue;
                        }
                        let (q, r) = p.div_rem(d);
                        let expected = narrow(q).and_then(|q| {
                            if r.is_zero() {
                                Some(q)
                            } else {
                                q.checked_add(u(1))
                            }
                        });
                        assert_eq!(div_shr_up_512::<0>(p, d).ok(), expected, "{p} / {d}");
                    }
                }
            }
        }
    }

    /// `mul_shr::<S>` and `mul_shr_up::<S>` against ruint's `mul_div` by `2^S`.
    fn check_shift<const S: u32>(a: U256, b: U256) {
        let d = U256::from(1u8) << S;
        let expected = reference(a, b, d);
        let floor = mul_shr::<S>(a, b).ok();
        assert_eq!(floor, expected.map(|(q, _)| q), "{a} * {b} >> {S}");
        let ceil =
            expected.and_then(|(q, exact)| if exact { Some(q) } else { q.checked_add(u(1)) });
        assert_eq!(mul_shr_up::<S>(a, b).ok(), ceil, "ceil {a} * {b} >> {S}");
        assert_eq!(Product::of(a, b).shr::<S>().ok(), expected);
    }

    fn check_shifts(a: U256, b: U256) {
        check_shift::<0>(a, b);
        check_shift::<1>(a, b);
        check_shift::<31>(a, b);
        check_shift::<32>(a, b);
        check_shift::<63>(a, b);
        check_shift::<64>(a, b);
        check_shift::<65>(a, b);
        check_shift::<126>(a, b);
        check_shift::<128>(a, b);
        check_shift::<129>(a, b);
        check_shift::<192>(a, b);
        check_shift::<255>(a, b);
    }

    #[test]
    fn shifted_products_match_ruint_on_boundary_values() {
        let values = samples();
        for &a in &values {
            for &b in &values {
                check_shifts(a, b);
            }
        }
        // The largest product overflows every shift but the widest.
        assert_eq!(
            mul_shr::<128>(Q256M, Q256M).map_err(|e| e.kind),
            Err(ArithmeticKind::Overflow)
        );
        assert_eq!(mul_shr::<255>(Q256M, u(2)), Ok(u(3)));
        assert_eq!(mul_shr_up::<255>(Q256M, u(2)), Ok(u(4)));
    }

    proptest::proptest! {
        #[test]
        fn shifted_products_match_ruint_on_random_values(
            a in proptest::array::uniform4(proptest::num::u64::ANY),
            b in proptest::array::uniform4(proptest::num::u64::ANY),
            shifts in (0usize..256, 0usize..256),
        ) {
            check_shifts(U256::from_limbs(a) >> shifts.0, U256::from_limbs(b) >> shifts.1);
        }
    }

    #[test]
    fn div_by_small_divisors_matches_ruint() {
        for &a in &samples() {
            for d in [0u32, 1, 2, 3, 7, 10, 100, 0xffff, 0x8000_0000, u32::MAX] {
                let expected = a.checked_div(U256::from(d));
                assert_eq!(div(a, U256::from(d)).ok(), expected, "{a} / {d}");
            }
        }
    }

    #[test]
    fn digit_wide_mul_matches_ruint() {
        let values = samples();
        for &a in &values {
            for &b in &values {
                assert_eq!(wide_mul(a, b), a.widening_mul(b), "{a} * {b}");
            }
        }
    }

    #[test]
    fn mul_small_matches_ruint_and_refuses_overflow() {
        for &a in &samples() {
            for k in [0u32, 1, 2, 3, 7, 16, 0xffff, 0x8000_0000, u32::MAX] {
                let expected = a.checked_mul(U256::from(k));
                assert_eq!(mul_small(a, k).ok(), expected, "{a} * {k}");
            }
        }
        assert_eq!(
            mul_small(Q256M, 2).map_err(|e| e.kind),
            Err(ArithmeticKind::Overflow)
        );
    }

    #[test]
    fn checked_helpers_refuse_wraparound() {
        assert_eq!(
            sub(u(1), u(2)).map_err(|e| e.kind),
            Err(ArithmeticKind::Underflow)
        );
        assert_eq!(
            add(Q256M, u(1)).map_err(|e| e.kind),
            Err(ArithmeticKind::Overflow)
        );
        assert_eq!(
            mul(Q128, Q128).map_err(|e| e.kind),
            Err(ArithmeticKind::Overflow)
        );
        assert_eq!(to_u64(U256::from(u64::MAX)), Ok(u64::MAX));
        assert!(to_u64(U256::from(u64::MAX) + u(1)).is_err());
        assert_eq!(abs_diff(u(3), u(10)), u(7));
    }
}
