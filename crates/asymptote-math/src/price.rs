//! From oracle price to `xk = (price / MARK)^K` in Q128, and the choice between the two
//! candidate prices (spot and EMA) that every operation gets.

use crate::curve::evaluate_at;
use crate::error::{PoolError, PoolResult};
use crate::pool::{Side, State};
use crate::wide::{add, mul_div, mul_shr, Q128, Q256M, U256};

/// `(price / MARK)^K` in Q128 (Derion's `_xk`): the ratio is taken <= 1 so the power cannot
/// overflow, raised by square-and-multiply with every product floored, de-powered if it
/// underflows to 0, and inverted with `Q256M / xk` if the price was above MARK.
pub fn xk(price: U256, mark: U256, k: u32) -> PoolResult<U256> {
    let (power, inverted) = power_of_ratio(price, mark, k)?;
    Ok(if inverted { Q256M / power } else { power })
}

/// The power of `price / MARK` or of its reciprocal, whichever ratio is <= 1, in Q128, and
/// whether it was the reciprocal (the price above MARK). The power is in `1..=Q128`.
fn power_of_ratio(price: U256, mark: U256, k: u32) -> PoolResult<(U256, bool)> {
    if price.is_zero() {
        return Err(PoolError::ZeroPrice);
    }
    if mark.is_zero() {
        return Err(PoolError::InvalidMark);
    }
    let inverted = mark < price;
    let (num, den) = if inverted {
        (mark, price)
    } else {
        (price, mark)
    };
    let mut power = powu(mul_div(Q128, num, den)?, k)?;
    if power.is_zero() {
        // pow_up_to never returns 0.
        power = pow_up_to(num, den, k)?;
    }
    Ok((power, inverted))
}

/// The SHORT side's own power, `x^-K = Q256M / xk`.
pub fn inverse_xk(xk: U256) -> PoolResult<U256> {
    if xk.is_zero() {
        return Err(PoolError::ZeroPrice);
    }
    Ok(Q256M / xk)
}

/// `x^k` in Q128 by square-and-multiply, every product `mul_div(., ., Q128)`; the first
/// factor is `x` when `k` is odd, else `Q128` (the reference's operation order).
///
/// While `z` is still `Q128` the product `mul_div(Q128, x, Q128)` is exactly `x`, so it is
/// taken without the multiply (each is a 256-bit product, about 1,000 CU on SBF).
fn powu(mut x: U256, k: u32) -> PoolResult<U256> {
    let mut z = if k & 1 == 1 { Some(x) } else { None };
    let mut y = k >> 1;
    while y > 0 {
        x = mul_shr::<128>(x, x)?;
        if y & 1 == 1 {
            z = Some(match z {
                Some(z) => mul_shr::<128>(z, x)?,
                None => x,
            });
        }
        y >>= 1;
    }
    Ok(z.unwrap_or(Q128))
}

/// The de-power fallback: `(num/den)^j` in Q128 for the largest `j <= k` that is still
/// positive, by repeated `z = mul_div(z, num, den)` from `Q128`.
fn pow_up_to(num: U256, den: U256, k: u32) -> PoolResult<U256> {
    let mut z = Q128;
    for _ in 0..k {
        let next = mul_div(z, num, den)?;
        if next.is_zero() {
            break;
        }
        z = next;
    }
    Ok(z)
}

/// The two candidate prices of an operation: the oracle's spot (aggregate) price and its
/// EMA (the vectors call it `twap`). Only their order matters to the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prices {
    pub spot: U256,
    pub ema: U256,
    /// The powers already known at one price (see [`Powers`]), used when a candidate is
    /// that price.
    pub known: Option<Powers>,
}

impl Prices {
    pub fn new(spot: U256, ema: U256) -> Self {
        Self {
            spot,
            ema,
            known: None,
        }
    }

    /// Both candidates equal: one price.
    pub fn single(price: U256) -> Self {
        Self::new(price, price)
    }

    /// The same candidates, with the powers known at one price.
    pub fn with_known(self, known: Option<Powers>) -> Self {
        Self { known, ..self }
    }

    pub fn low(&self) -> U256 {
        self.spot.min(self.ema)
    }

    pub fn high(&self) -> U256 {
        self.spot.max(self.ema)
    }

    /// The powers at `price` for the pool's `mark` and `k`: the known ones if they are at
    /// that price, else computed.
    fn powers_at(&self, price: U256, mark: U256, k: u32) -> PoolResult<Powers> {
        match self.known {
            Some(known) if known.price == price => Ok(known),
            _ => Powers::at(price, mark, k),
        }
    }
}

/// `x^K` and `x^-K` at one price. A pure function of the price and the pool's MARK and K,
/// both fixed for a pool's life, so a caller may keep the last one and pass it back in
/// [`Prices::known`]: the program keeps one per pool, and a trade at the price of the
/// previous one skips `x^K` and its inverse (a quotient, squarings and a 256-bit division:
/// about 2,500 CU on SBF off the MARK). Passing powers computed for another MARK or K is a
/// caller bug this crate cannot see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Powers {
    pub price: U256,
    /// LONG power `x^K` (Q128).
    pub xk: U256,
    /// SHORT power `Q256M / xk`.
    pub xk_short: U256,
}

impl Powers {
    pub fn at(price: U256, mark: U256, k: u32) -> PoolResult<Self> {
        let (power, inverted) = power_of_ratio(price, mark, k)?;
        if !inverted {
            return Ok(Self {
                price,
                xk: power,
                xk_short: inverse_xk(power)?,
            });
        }
        // Above MARK `xk = Q256M / power`, and the SHORT power `Q256M / xk` comes out of the
        // same division: with `Q256M = xk * power + rem`, `Q256M / xk = power +
        // floor(rem / xk)`, and `rem < power <= Q128` while `xk >= Q256M / Q128 = Q128 - 1`,
        // so that floor is 0 or 1. One 256-bit division instead of two.
        let (xk, rem) = Q256M.div_rem(power);
        let xk_short = if rem >= xk {
            power + U256::from(1u8)
        } else {
            power
        };
        Ok(Self {
            price,
            xk,
            xk_short,
        })
    }
}

impl From<&SelectedPrice> for Powers {
    fn from(selected: &SelectedPrice) -> Self {
        Self {
            price: selected.price,
            xk: selected.xk,
            xk_short: selected.xk_short,
        }
    }
}

/// The price an operation is evaluated at, with the LONG and SHORT reserves there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectedPrice {
    pub price: U256,
    /// LONG power `x^K` (Q128).
    pub xk: U256,
    /// SHORT power `Q256M / xk`.
    pub xk_short: U256,
    pub r_long: U256,
    pub r_short: U256,
}

/// Pick the price that is less favourable to the trader (SPEC section 2):
/// buying LONG or selling SHORT uses the higher price, buying SHORT or selling LONG the lower,
/// anything else (LP in or out, the crank) the one with the larger LP reserve. A tie keeps
/// the lower price.
pub fn select_price(
    mark: U256,
    k: u32,
    state: &State,
    prices: Prices,
    side_in: Side,
    side_out: Side,
) -> PoolResult<SelectedPrice> {
    let at = |price: U256| -> PoolResult<SelectedPrice> {
        let Powers { xk, xk_short, .. } = prices.powers_at(price, mark, k)?;
        let (r_long, r_short) = evaluate_at(state.r, state.a, state.b, xk, xk_short)?;
        Ok(SelectedPrice {
            price,
            xk,
            xk_short,
            r_long,
            r_short,
        })
    };
    if side_out == Side::Long || side_in == Side::Short {
        return at(prices.high());
    }
    if side_out == Side::Short || side_in == Side::Long {
        return at(prices.low());
    }
    let low = at(prices.low())?;
    if prices.high() == prices.low() {
        return Ok(low);
    }
    let high = at(prices.high())?;
    if add(high.r_long, high.r_short)? < add(low.r_long, low.r_short)? {
        Ok(high)
    } else {
        Ok(low)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(x: u128) -> U256 {
        U256::from(x)
    }

    const MARK: u128 = 3000 << 64;

    #[test]
    fn at_mark_xk_is_q128_for_every_k() {
        for k in 1..=16 {
            assert_eq!(xk(u(MARK), u(MARK), k).unwrap(), Q128, "k = {k}");
        }
    }

    #[test]
    fn k1_is_the_plain_ratio() {
        assert_eq!(xk(u(MARK / 2), u(MARK), 1).unwrap(), Q128 >> 1);
        // above MARK the ratio is inverted through Q256M: (2^256 - 1) / 2^127 = 2^129 - 1
        assert_eq!(xk(u(MARK * 2), u(MARK), 1).unwrap(), (Q128 << 1) - u(1));
    }

    #[test]
    fn odd_and_even_k_follow_the_reference_operation_order() {
        // x = 1/2: x^3 = 1/8 and x^4 = 1/16 exactly.
        assert_eq!(xk(u(MARK / 2), u(MARK), 3).unwrap(), Q128 >> 3);
        assert_eq!(xk(u(MARK / 2), u(MARK), 4).unwrap(), Q128 >> 4);
        // x = 0.9 with floors at every step: x^5 from powu equals the explicit sequence.
        let x = mul_div(Q128, u(9), u(10)).unwrap();
        let x2 = mul_div(x, x, Q128).unwrap();
        let x4 = mul_div(x2, x2, Q128).unwrap();
        let expected = mul_div(x, x4, Q128).unwrap();
        assert_eq!(xk(u(9), u(10), 5).unwrap(), expected);
    }

    #[test]
    fn far_prices_two_to_the_minus_and_plus_100() {
        let mark = U256::from(1u8) << 120;
        let low = U256::from(1u8) << 20; // ratio 2^-100
        let high = U256::from(1u8) << 220; // ratio 2^100
        assert_eq!(xk(low, mark, 1).unwrap(), U256::from(1u8) << 28);
        // 2^-200 underflows Q128: de-power to the largest j with (2^-100)^j > 0, j = 1
        assert_eq!(xk(low, mark, 2).unwrap(), U256::from(1u8) << 28);
        // inverted: Q256M / 2^28
        assert_eq!(xk(high, mark, 2).unwrap(), Q256M / (U256::from(1u8) << 28));
        assert_eq!(xk(high, mark, 1).unwrap(), Q256M / (U256::from(1u8) << 28));
    }

    #[test]
    fn de_power_fallback_keeps_the_largest_positive_power() {
        // ratio 2^-50: K = 2 gives 2^28 directly; K = 3 underflows (2^-150) and falls back
        // to j = 2, i.e. 2^-100 in Q128 = 2^28.
        let mark = U256::from(1u8) << 100;
        let p = U256::from(1u8) << 50;
        assert_eq!(xk(p, mark, 2).unwrap(), U256::from(1u8) << 28);
        assert_eq!(xk(p, mark, 3).unwrap(), U256::from(1u8) << 28);
        // a ratio below 2^-128 cannot be represented at all: x is treated as 1 (Q128)
        let tiny = U256::from(1u8);
        assert_eq!(xk(tiny, U256::from(1u8) << 200, 1).unwrap(), Q128);
    }

    /// `Powers::at` takes the SHORT power above MARK from the remainder of the division
    /// that gave `xk`; it must equal `Q256M / xk` exactly, including `power = Q128` (where
    /// the floor is 1) and the de-powered and far cases.
    #[test]
    fn powers_equal_xk_and_its_inverse() {
        let mark = u(MARK);
        let prices = [
            mark,
            mark + u(1),
            mark - u(1),
            mark + (mark >> 13), // 0.01% above
            mark - (mark >> 13),
            mark * u(3) / u(2),
            mark << 64,
            mark << 120, // far enough above MARK to de-power
            mark >> 70,
            u(1),
            U256::MAX,
        ];
        for k in 1..=8 {
            for price in prices {
                let powers = Powers::at(price, mark, k).unwrap();
                let xk = xk(price, mark, k).unwrap();
                assert_eq!(powers.xk, xk, "price {price}, k {k}");
                assert_eq!(
                    powers.xk_short,
                    inverse_xk(xk).unwrap(),
                    "price {price}, k {k}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn powers_equal_xk_and_its_inverse_on_random_prices(
            price in proptest::array::uniform4(proptest::num::u64::ANY),
            mark in proptest::array::uniform4(proptest::num::u64::ANY),
            shifts in (0usize..256, 0usize..256),
            k in 1u32..=16,
        ) {
            let price = U256::from_limbs(price) >> shifts.0;
            let mark = U256::from_limbs(mark) >> shifts.1;
            proptest::prop_assume!(!price.is_zero() && !mark.is_zero());
            let powers = Powers::at(price, mark, k).unwrap();
            let xk = xk(price, mark, k).unwrap();
            proptest::prop_assert_eq!(powers.xk, xk);
            proptest::prop_assert_eq!(powers.xk_short, inverse_xk(xk).unwrap());
        }
    }

    #[test]
    fn zero_price_and_mark_are_refused() {
        assert_eq!(xk(U256::ZERO, u(MARK), 2), Err(PoolError::ZeroPrice));
        assert_eq!(xk(u(MARK), U256::ZERO, 2), Err(PoolError::InvalidMark));
        assert_eq!(inverse_xk(U256::ZERO), Err(PoolError::ZeroPrice));
    }

    /// Known powers change nothing but the work: the selection at a candidate equal to their
    /// price is the one computed from scratch, and powers at another price are ignored.
    #[test]
    fn known_powers_give_the_selection_computed_from_scratch() {
        let mark = u(MARK);
        let state = State {
            r: u(3_000_000) << 64,
            a: u(1_000_000) << 64,
            b: u(1_000_000) << 64,
            supply_long: u(1_000_000),
            supply_short: u(1_000_000),
            supply_lp: u(1_000_000),
            last_interest: 0,
            last_premium: 0,
        };
        let sides = [
            (Side::Collateral, Side::Long),
            (Side::Collateral, Side::Short),
            (Side::Collateral, Side::Lp),
            (Side::Lp, Side::Collateral),
        ];
        for k in [1, 2, 5] {
            for (spot_pct, ema_pct) in [(100, 100), (97, 101), (130, 125), (40, 41)] {
                let fresh = Prices::new(u(MARK / 100 * spot_pct), u(MARK / 100 * ema_pct));
                for (side_in, side_out) in sides {
                    let expected = select_price(mark, k, &state, fresh, side_in, side_out).unwrap();
                    for price in [fresh.spot, fresh.ema, fresh.spot + u(1)] {
                        let known = Powers::at(price, mark, k).unwrap();
                        let with_known = fresh.with_known(Some(known));
                        let selected =
                            select_price(mark, k, &state, with_known, side_in, side_out).unwrap();
                        assert_eq!(selected, expected, "k {k} {spot_pct}/{ema_pct} at {price}");
                    }
                    assert_eq!(
                        Powers::from(&expected),
                        Powers::at(expected.price, mark, k).unwrap()
                    );
                }
            }
        }
        // The known powers are taken as given at their price (the caller's contract): wrong
        // ones change the result, which shows they are used.
        let fresh = Prices::single(mark);
        let wrong = Powers {
            price: mark,
            xk: Q128 >> 1,
            xk_short: Q128 << 1,
        };
        let selected = |prices| select_price(mark, 2, &state, prices, Side::Collateral, Side::Long);
        assert_ne!(
            selected(fresh.with_known(Some(wrong))).unwrap(),
            selected(fresh).unwrap()
        );
    }

    #[test]
    fn xk_is_monotone_in_price() {
        let mut prev = U256::ZERO;
        for step in 1..400u128 {
            let p = u(MARK / 100 * step);
            let x = xk(p, u(MARK), 3).unwrap();
            assert!(x >= prev, "step {step}");
            prev = x;
        }
    }
}
