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
    let (q, rem_is_zero) = mul_div_rem(a, b, d)?;
    if rem_is_zero {
        Ok(q)
    } else {
        q.checked_add(U256::from(1u8))
            .ok_or_else(|| fail(ArithmeticKind::Overflow))
    }
}

/// Not inlined: with operands of known small width (e.g. a 64.64 factor) LLVM folds the limb
/// arithmetic into native 256-bit multiplies, which the SBF backend cannot lower.
#[track_caller]
#[inline(never)]
fn mul_div_rem(a: U256, b: U256, d: U256) -> MathResult<(U256, bool)> {
    if d.is_zero() {
        return Err(fail(ArithmeticKind::DivisionByZero));
    }
    // Fast path: the product fits in 256 bits, so a 4-limb division suffices.
    if let Some(p) = a.checked_mul(b) {
        let (q, r) = p.div_rem(d);
        return Ok((q, r.is_zero()));
    }
    let p: U512 = a.widening_mul(b);
    let (q, r) = p.div_rem(U512::from(d));
    let q256 = narrow(q).ok_or_else(|| fail(ArithmeticKind::Overflow))?;
    Ok((q256, r.is_zero()))
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

/// `floor(a / d)`, failing on `d == 0`.
#[track_caller]
pub fn div(a: U256, d: U256) -> MathResult<U256> {
    a.checked_div(d)
        .ok_or_else(|| fail(ArithmeticKind::DivisionByZero))
}

/// `a * b` as a 512-bit value (never overflows).
pub fn wide_mul(a: U256, b: U256) -> U512 {
    a.widening_mul(b)
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

#[cfg(test)]
mod tests {
    use super::*;

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
