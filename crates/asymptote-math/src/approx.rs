//! Signed numbers `m 2^e` with a 64-bit mantissa, for the open's model only
//! ([`crate::exact_input`]'s guess): the program evaluates every value the model proposes
//! with the exact trade, so the model needs the value to about half an atom (a relative
//! `2^-34` for a budget of `2^33` atoms) and never decides an amount itself. Each operation
//! truncates to 64 significant bits (a relative error below `2^-63`). On SBF a product is
//! four native multiplies of 32-bit halves and a quotient two native 64-bit divisions (the
//! 128-bit operations would be library calls, the division a bit-by-bit loop), where the
//! 256-bit `mul_div` they replace costs about a thousand compute units.
//!
//! Integers throughout (no floating point): the same inputs give the same bits everywhere.

use crate::wide::U256;

/// `(-1)^neg * mant * 2^exp`, normalised: `mant` has its top bit set, or is zero (then
/// `neg` is false and `exp` 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Approx {
    neg: bool,
    mant: u64,
    exp: i32,
}

impl Approx {
    pub const ZERO: Approx = Approx {
        neg: false,
        mant: 0,
        exp: 0,
    };

    pub const ONE: Approx = Approx {
        neg: false,
        mant: 1 << 63,
        exp: -63,
    };

    /// `x` to 64 significant bits (truncated).
    pub fn of(x: U256) -> Self {
        let limbs = x.as_limbs();
        let Some(top) = limbs.iter().rposition(|&limb| limb != 0) else {
            return Self::ZERO;
        };
        let shift = limbs[top].leading_zeros();
        let below = match (shift, top.checked_sub(1)) {
            (0, _) | (_, None) => 0,
            (_, Some(next)) => limbs[next] >> (64 - shift),
        };
        Self {
            neg: false,
            mant: (limbs[top] << shift) | below,
            exp: 64 * top as i32 - shift as i32,
        }
    }

    /// `mant 2^exp` for any `mant`, normalised (only a difference needs the leading-zero
    /// count; every other result knows where its top bit is).
    fn normalised(neg: bool, mant: u64, exp: i32) -> Self {
        if mant == 0 {
            return Self::ZERO;
        }
        let shift = mant.leading_zeros();
        Self {
            neg,
            mant: mant << shift,
            exp: exp - shift as i32,
        }
    }

    /// `(carry 2^64 + low) 2^exp` for a sum of two normalised mantissas (below 2^65).
    fn with_carry(neg: bool, carry: bool, low: u64, exp: i32) -> Self {
        if carry {
            Self {
                neg,
                mant: (1 << 63) | (low >> 1),
                exp: exp + 1,
            }
        } else {
            Self {
                neg,
                mant: low,
                exp,
            }
        }
    }

    pub fn is_zero(self) -> bool {
        self.mant == 0
    }

    pub fn is_negative(self) -> bool {
        self.neg
    }

    pub fn neg(self) -> Self {
        Self {
            neg: !self.neg && !self.is_zero(),
            ..self
        }
    }

    pub fn abs(self) -> Self {
        Self { neg: false, ..self }
    }

    /// `self 2^bits`.
    pub fn shl(self, bits: i32) -> Self {
        if self.is_zero() {
            return self;
        }
        Self {
            exp: self.exp + bits,
            ..self
        }
    }

    pub fn mul(self, o: Self) -> Self {
        if self.is_zero() || o.is_zero() {
            return Self::ZERO;
        }
        // Two normalised mantissas: the product is in [2^126, 2^128).
        let (high, low) = wide_product(self.mant, o.mant);
        let neg = self.neg != o.neg;
        let exp = self.exp + o.exp + 64;
        if high >> 63 == 1 {
            Self {
                neg,
                mant: high,
                exp,
            }
        } else {
            Self {
                neg,
                mant: (high << 1) | (low >> 63),
                exp: exp - 1,
            }
        }
    }

    /// `self / o`; `None` for `o = 0`.
    pub fn div(self, o: Self) -> Option<Self> {
        if o.is_zero() {
            return None;
        }
        if self.is_zero() {
            return Some(self);
        }
        // mant 2^64 / o.mant is in (2^63, 2^65): in [2^64, 2^65) when mant >= o.mant (then
        // 2^64 plus the quotient of the rest), else in [2^63, 2^64).
        let neg = self.neg != o.neg;
        let exp = self.exp - o.exp - 64;
        Some(if self.mant >= o.mant {
            let rest = div_wide(self.mant - o.mant, 0, o.mant);
            Self::with_carry(neg, true, rest, exp)
        } else {
            Self {
                neg,
                mant: div_wide(self.mant, 0, o.mant),
                exp,
            }
        })
    }

    pub fn add(self, o: Self) -> Self {
        if self.is_zero() {
            return o;
        }
        if o.is_zero() {
            return self;
        }
        // The larger magnitude first; the other aligned to its exponent (bits below
        // 2^-64 of the larger are dropped: within the truncation error).
        let (big, small) = if (self.exp, self.mant) >= (o.exp, o.mant) {
            (self, o)
        } else {
            (o, self)
        };
        let gap = (big.exp - small.exp) as u32;
        let aligned = if gap >= 64 { 0 } else { small.mant >> gap };
        if big.neg == small.neg {
            let (sum, carry) = big.mant.overflowing_add(aligned);
            Self::with_carry(big.neg, carry, sum, big.exp)
        } else {
            Self::normalised(big.neg, big.mant - aligned, big.exp)
        }
    }

    pub fn sub(self, o: Self) -> Self {
        self.add(o.neg())
    }

    /// `sqrt(self)` to 62 bits, `None` for a negative number.
    pub fn sqrt(self) -> Option<Self> {
        if self.neg {
            return None;
        }
        if self.is_zero() {
            return Some(self);
        }
        // radicand mant 2^s with an even exponent left: in [2^126, 2^128), root in
        // [2^63, 2^64).
        let s = if self.exp % 2 == 0 { 64 } else { 63 };
        let radicand = u128::from(self.mant) << s;
        // From above: the root of the top 64 bits plus one, within 2^-31; one Newton step
        // squares the error (and stays above the root).
        // (2^64 is lowered by one: still above the root, which is below 2^64.)
        let start = match isqrt_u64((radicand >> 64) as u64) {
            top if top == u64::from(u32::MAX) => u64::MAX,
            top => (top + 1) << 32,
        };
        // radicand / start < 2^64 since start >= the root: the high half is below start.
        let quotient = div_wide((radicand >> 64) as u64, radicand as u64, start);
        // quotient <= root <= start < 2^64, and the mean is at least the root's floor, 2^63.
        let root = (start >> 1) + (quotient >> 1) + (start & quotient & 1);
        Some(Self {
            neg: false,
            mant: root,
            exp: (self.exp - s) / 2,
        })
    }

    /// `floor(self)` as a signed magnitude (`None` when it needs more than 256 bits).
    pub fn floor(self) -> Option<(bool, U256)> {
        if self.exp <= -64 {
            // |self| < 1: floor is 0 or -1.
            return Some((self.neg, U256::from(u8::from(self.neg))));
        }
        let whole = if self.exp >= 0 {
            if self.exp > 192 {
                return None;
            }
            U256::from(self.mant) << self.exp as usize
        } else {
            U256::from(self.mant >> -self.exp)
        };
        let fraction = self.exp < 0 && self.mant << (64 + self.exp) != 0;
        if self.neg && fraction {
            Some((true, whole + U256::from(1u8)))
        } else {
            Some((self.neg && !whole.is_zero(), whole))
        }
    }
}

/// `a b` as `(high, low)` 64-bit halves, from 32-bit halves of the factors: four native
/// multiplies (a 128-bit product is a library call on SBF).
fn wide_product(a: u64, b: u64) -> (u64, u64) {
    const LOW: u64 = u32::MAX as u64;
    let (a1, a0, b1, b0) = (a >> 32, a & LOW, b >> 32, b & LOW);
    // The middle terms' sum may carry: that carry is worth 2^96.
    let (middle, middle_carry) = (a1 * b0).overflowing_add(a0 * b1);
    let (low, low_carry) = (a0 * b0).overflowing_add(middle << 32);
    let high = a1 * b1 + (middle >> 32) + (u64::from(middle_carry) << 32) + u64::from(low_carry);
    (high, low)
}

/// `floor((hi 2^64 + lo) / d)` for `d >= 2^63` and `hi < d` (the quotient fits 64 bits): two
/// quotient digits of 32 bits, each estimated with one native division by the top half of
/// `d` and corrected at most twice (Knuth's algorithm D for two-digit divisors). The
/// 128-bit division it replaces is a bit-by-bit library loop on SBF.
fn div_wide(hi: u64, lo: u64, d: u64) -> u64 {
    const BASE: u64 = 1 << 32;
    const LOW: u64 = BASE - 1;
    let (d1, d0) = (d >> 32, d & LOW);
    let (lo1, lo0) = (lo >> 32, lo & LOW);
    // One quotient digit of (rem 2^32 + next) / d, with rem < d.
    let digit = |rem: u64, next: u64| {
        let mut q = rem / d1;
        let mut r = rem - q * d1;
        while q >= BASE || q * d0 > (r << 32 | next) {
            q -= 1;
            r += d1;
            if r >= BASE {
                break;
            }
        }
        // The remainder (rem 2^32 + next - q d) is below d: wrapping arithmetic is exact.
        (q, (rem << 32 | next).wrapping_sub(q.wrapping_mul(d)))
    };
    let (q1, rem) = digit(hi, lo1);
    let (q0, _) = digit(rem, lo0);
    q1 << 32 | q0
}

/// `floor(sqrt(n))` for 64 bits: Newton's iteration from a power of two above the root.
pub(crate) fn isqrt_u64(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let mut x = 1u64 << (64 - n.leading_zeros()).div_ceil(2);
    loop {
        let y = (x + n / x) >> 1;
        if y >= x {
            return x;
        }
        x = y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wide::U512;

    fn approx(neg: bool, x: U256) -> Approx {
        let x = Approx::of(x);
        if neg {
            x.neg()
        } else {
            x
        }
    }

    fn joined((high, low): (u64, u64)) -> u128 {
        (u128::from(high) << 64) | u128::from(low)
    }

    /// `|got - exact| <= exact 2^-bits + 3` for magnitudes (the relative error, and the
    /// floors of the exact and of the approximate result).
    fn close(got: U256, exact: U256, bits: usize) -> bool {
        crate::wide::abs_diff(got, exact) <= (exact >> bits) + U256::from(3u8)
    }

    /// A value of `bits` random significant bits.
    fn of_bits(limbs: [u64; 4], bits: usize) -> U256 {
        match bits {
            0 => U256::ZERO,
            _ => (U256::from_limbs(limbs) >> (256 - bits)) | (U256::from(1u8) << (bits - 1)),
        }
    }

    #[test]
    fn the_digit_helpers_are_the_128_bit_operations_at_their_edges() {
        let edges = [
            0u64,
            1,
            2,
            u64::from(u32::MAX),
            1 << 32,
            1 << 63,
            u64::MAX - 1,
            u64::MAX,
        ];
        for a in edges {
            for b in edges {
                assert_eq!(
                    joined(wide_product(a, b)),
                    u128::from(a) * u128::from(b),
                    "{a} {b}"
                );
                if b >= 1 << 63 {
                    for hi in [0, a % b, b - 1] {
                        let n = (u128::from(hi) << 64) | u128::from(a);
                        assert_eq!(
                            u128::from(div_wide(hi, a, b)),
                            n / u128::from(b),
                            "{n} / {b}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn floor_rounds_towards_minus_infinity() {
        let half = Approx::ONE.shl(-1);
        let cases = [
            (Approx::ZERO, (false, 0u8)),
            (half, (false, 0)),
            (half.neg(), (true, 1)),
            (Approx::ONE.shl(-70).neg(), (true, 1)),
            (Approx::ONE.add(half).neg(), (true, 2)),
            (Approx::ONE.shl(1).neg(), (true, 2)),
            (Approx::ONE.add(half), (false, 1)),
        ];
        for (x, (neg, whole)) in cases {
            assert_eq!(x.floor(), Some((neg, U256::from(whole))), "{x:?}");
        }
        assert_eq!(
            Approx::ONE.shl(192).floor().map(|f| f.1.bit_len()),
            Some(193)
        );
        assert_eq!(Approx::ONE.shl(256).floor(), None, "past 256 bits");
    }

    proptest::proptest! {
        #[test]
        fn the_digit_helpers_are_the_128_bit_operations(a: u64, b: u64, hi: u64) {
            proptest::prop_assert_eq!(joined(wide_product(a, b)), u128::from(a) * u128::from(b));
            let d = b | (1 << 63);
            let n = (u128::from(hi % d) << 64) | u128::from(a);
            proptest::prop_assert_eq!(u128::from(div_wide(hi % d, a, d)), n / u128::from(d));
        }

        /// Every operation within 2^-61 of the exact result (each operand truncated once,
        /// the result once: three errors below 2^-63): values of up to 128 bits (products
        /// and quotients up to 256), both signs.
        #[test]
        fn operations_are_exact_to_61_bits(
            limbs in proptest::array::uniform2(proptest::array::uniform4(proptest::num::u64::ANY)),
            bits in proptest::array::uniform2(1usize..=128),
            signs: (bool, bool),
        ) {
            let (a, b) = (of_bits(limbs[0], bits[0]), of_bits(limbs[1], bits[1]));
            let (x, y) = (approx(signs.0, a), approx(signs.1, b));
            // of and floor: exact below 2^64, truncated above
            let (neg, back) = x.floor().unwrap();
            proptest::prop_assert!(neg == signs.0 && back <= a && close(back, a, 63));
            // product
            let (neg, product) = x.mul(y).floor().unwrap();
            proptest::prop_assert_eq!(neg, signs.0 != signs.1);
            let exact = a * b;
            proptest::prop_assert!(close(product, exact, 61), "{} x {}", a, b);
            // quotient, scaled by 2^128
            let (neg, quotient) = x.div(y).unwrap().shl(128).floor().unwrap();
            proptest::prop_assert_eq!(neg, signs.0 != signs.1);
            let exact = crate::wide::narrow((U512::from(a) << 128) / U512::from(b)).unwrap();
            proptest::prop_assert!(close(quotient, exact, 61), "{} / {}", a, b);
            // sum and difference
            let (neg, sum) = x.add(y).floor().unwrap();
            let (exact_neg, exact) = match (signs.0, signs.1) {
                (s, t) if s == t => (s, a + b),
                (s, _) if a >= b => (s, a - b),
                (_, t) => (t, b - a),
            };
            let scale = a.max(b);
            let diff = if neg == exact_neg { crate::wide::abs_diff(sum, exact) } else { sum + exact };
            proptest::prop_assert!(diff <= (scale >> 61) + U256::from(2u8), "{} + {}", a, b);
            // square root, scaled by 2^64
            let root = x.abs().shl(128).sqrt().unwrap().floor().unwrap().1;
            let exact = crate::exact_input::sqrt_floor(a << 128usize);
            proptest::prop_assert!(close(root, exact, 61), "sqrt {}", a);
        }
    }

    #[test]
    fn square_roots_of_the_extremes() {
        assert_eq!(Approx::ZERO.sqrt(), Some(Approx::ZERO));
        assert_eq!(Approx::ONE.neg().sqrt(), None);
        for n in [
            U256::from(1u8),
            U256::from(u64::MAX),
            U256::MAX,
            U256::MAX >> 1,
        ] {
            let root = Approx::of(n).sqrt().unwrap().floor().unwrap().1;
            assert!(close(root, crate::exact_input::sqrt_floor(n), 62), "{n}");
        }
        assert_eq!(Approx::ONE.div(Approx::ZERO), None);
    }
}
