//! One price interface over two Pyth sources (SPEC section 7): the pull oracle's
//! `PriceUpdateV2` accounts and legacy Pyth price accounts. Reading checks the source
//! (owner, account or feed, verification, status, age); `check` applies the pool's
//! limits; `candidates` turns a price into the two prices the math core chooses from.

mod legacy;
mod pull;

use anchor_lang::prelude::*;
use asymptote_math::wide::{div, mul_small};
use asymptote_math::{Prices, Side, U256};

use crate::constants::{BPS, MAX_EXPONENT, MAX_FUTURE_SKEW_SECONDS, MIN_EXPONENT, PRICE_DECIMALS};
use crate::error::{math_err, AsymptoteError};
use crate::state::{OracleSource, Pool, PoolOracle};

/// A price in the program's normalised unit (18 decimals), with its confidence and EMA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OraclePrice {
    pub price: u128,
    pub conf: u128,
    pub ema: u128,
    pub ema_conf: u128,
    pub publish_time: i64,
}

/// A source's raw reading before normalisation.
pub(crate) struct RawPrice {
    /// Older than the pool's `max_age` (reported, not refused, so the crank can fall back).
    pub stale: bool,
    pub price: i64,
    pub conf: u64,
    pub ema: i64,
    pub ema_conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
}

/// How strict the pool's limits are for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceUse {
    /// Adds exposure (opens, swaps, LP adds): tight confidence and the EMA divergence limit.
    Open,
    /// Reduces exposure or only accrues (closes, LP removes, the crank): wider confidence.
    Close,
}

impl PriceUse {
    /// Anything paying out collateral is a close; everything else adds exposure.
    pub fn of(side_out: Side) -> Self {
        if side_out == Side::Collateral {
            PriceUse::Close
        } else {
            PriceUse::Open
        }
    }
}

/// Read the pool's oracle account and check its source-level validity; `None` when the
/// price is valid but older than the pool's `max_age`.
pub fn read_unless_stale(
    pool: &Pool,
    account: &AccountInfo,
    legacy_pyth_program: &Pubkey,
    clock: &Clock,
) -> Result<Option<OraclePrice>> {
    let raw = match pool.oracle.source()? {
        OracleSource::PythPull => pull::read(&pool.oracle, account, clock)?,
        OracleSource::PythLegacy => {
            legacy::read(&pool.oracle, account, legacy_pyth_program, clock)?
        }
    };
    crate::cu_trace!("oracle: parsed");
    if raw.stale {
        return Ok(None);
    }
    normalise(&raw).map(Some)
}

/// Read the pool's oracle account; a stale price is refused.
pub fn read(
    pool: &Pool,
    account: &AccountInfo,
    legacy_pyth_program: &Pubkey,
    clock: &Clock,
) -> Result<OraclePrice> {
    read_unless_stale(pool, account, legacy_pyth_program, clock)?
        .ok_or_else(|| error!(AsymptoteError::OracleStale))
}

fn normalise(raw: &RawPrice) -> Result<OraclePrice> {
    require!(
        raw.price > 0 && raw.ema > 0,
        AsymptoteError::OracleNonPositive
    );
    require!(
        (MIN_EXPONENT..=MAX_EXPONENT).contains(&raw.exponent),
        AsymptoteError::OracleExponentOutOfRange
    );
    // 10^(18 + e) with e in -18..=0 fits in u64, and so does every raw value: each product
    // is a 64 x 64 -> 128-bit multiply that cannot overflow (no 128-bit overflow check needed).
    let scale: u64 = 10u64.pow((PRICE_DECIMALS + raw.exponent) as u32);
    let scaled = |x: u64| u128::from(x) * u128::from(scale);
    Ok(OraclePrice {
        price: scaled(raw.price as u64),
        conf: scaled(raw.conf),
        ema: scaled(raw.ema as u64),
        ema_conf: scaled(raw.ema_conf),
        publish_time: raw.publish_time,
    })
}

/// The pool's limits: never older than the last price used, not from the future,
/// confidence within bounds and, for opens, spot close enough to the EMA.
pub fn check(
    price: &OraclePrice,
    limits: &PoolOracle,
    last_publish_time: i64,
    clock: &Clock,
    use_: PriceUse,
) -> Result<()> {
    require!(
        price.publish_time >= last_publish_time,
        AsymptoteError::OracleNotMonotonic
    );
    require!(
        price.publish_time <= clock.unix_timestamp.saturating_add(MAX_FUTURE_SKEW_SECONDS),
        AsymptoteError::OracleFromFuture
    );
    let max_conf = match use_ {
        PriceUse::Open => limits.max_conf_bps_open,
        PriceUse::Close => limits.max_conf_bps_close,
    };
    require!(
        within(price.conf, price.price, max_conf)? && within(price.ema_conf, price.ema, max_conf)?,
        AsymptoteError::OracleConfidenceTooWide
    );
    if use_ == PriceUse::Open {
        require!(
            within(
                price.price.abs_diff(price.ema),
                price.ema,
                limits.max_ema_divergence_bps
            )?,
            AsymptoteError::OracleEmaDivergence
        );
    }
    Ok(())
}

/// `deviation / base <= bps / 10000`, exactly, by cross-multiplication. `mul_small` works
/// on 32-bit digits: ruint's 256-bit product takes emulated 128-bit multiplies on SBF. (A
/// u128 times a u32 cannot overflow 256 bits.)
fn within(deviation: u128, base: u128, bps: u16) -> Result<bool> {
    let scaled = |x: u128, k: u32| mul_small(U256::from(x), k).map_err(|e| math_err(e.into()));
    Ok(scaled(deviation, BPS as u32)? <= scaled(base, u32::from(bps))?)
}

/// The two candidate prices of a trade, widened against the trader by
/// `conf_widening_bps` of their confidence: up for operations that use the higher price
/// (buy LONG, sell SHORT), down for those that use the lower; LP moves are not widened.
pub fn candidates(
    price: &OraclePrice,
    widening_bps: u16,
    side_in: Side,
    side_out: Side,
) -> Result<Prices> {
    let (spot, ema) = (U256::from(price.price), U256::from(price.ema));
    let widened = side_out == Side::Long || side_in == Side::Short;
    let narrowed = side_out == Side::Short || side_in == Side::Long;
    if widening_bps == 0 || !(widened || narrowed) {
        return Ok(Prices::new(spot, ema));
    }
    // ceil(conf * bps / 10000) in 256 bits: a u128 confidence times up to 40,000 bps does
    // not fit in u128 (the cargo-fuzz `account_decode` target found the overflow). On
    // 32-bit digits: ruint's product and division take emulated 128-bit steps on SBF.
    let widen = |conf: u128| -> Result<U256> {
        let product =
            mul_small(U256::from(conf), u32::from(widening_bps)).map_err(|e| math_err(e.into()))?;
        let bps = U256::from(BPS);
        div(product.saturating_add(bps - U256::from(1u8)), bps).map_err(|e| math_err(e.into()))
    };
    let (conf, ema_conf) = (widen(price.conf)?, widen(price.ema_conf)?);
    let one = U256::from(1u8);
    Ok(if widened {
        Prices::new(spot.saturating_add(conf), ema.saturating_add(ema_conf))
    } else {
        Prices::new(
            spot.saturating_sub(conf).max(one),
            ema.saturating_sub(ema_conf).max(one),
        )
    })
}

/// Record a price the pool used (the newest publish time and the crank's fallback).
pub fn remember(pool: &mut Pool, price: &OraclePrice, slot: u64) {
    pool.books.last_publish_time = pool.books.last_publish_time.max(price.publish_time);
    pool.books.last_price = price.price;
    pool.books.last_ema_price = price.ema;
    pool.books.last_price_slot = slot;
}

/// Read and check in one step, and remember the price on success.
pub fn fetch(
    pool: &mut Pool,
    account: &AccountInfo,
    legacy_pyth_program: &Pubkey,
    clock: &Clock,
    use_: PriceUse,
) -> Result<OraclePrice> {
    fetch_unless_stale(pool, account, legacy_pyth_program, clock, use_)?
        .ok_or_else(|| error!(AsymptoteError::OracleStale))
}

/// `fetch`, but a stale price is `None` rather than an error (the crank's fallback).
pub fn fetch_unless_stale(
    pool: &mut Pool,
    account: &AccountInfo,
    legacy_pyth_program: &Pubkey,
    clock: &Clock,
    use_: PriceUse,
) -> Result<Option<OraclePrice>> {
    let Some(price) = read_unless_stale(pool, account, legacy_pyth_program, clock)? else {
        return Ok(None);
    };
    crate::cu_trace!("oracle: read");
    check(
        &price,
        &pool.oracle,
        pool.books.last_publish_time,
        clock,
        use_,
    )?;
    remember(pool, &price, clock.slot);
    Ok(Some(price))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `within` is the 256-bit cross-multiplication, including at the u128 and bps extremes.
    #[test]
    fn within_matches_the_wide_cross_multiplication() {
        let values = [
            0u128,
            1,
            9_999,
            10_000,
            u64::MAX as u128,
            1 << 100,
            u128::MAX - 1,
            u128::MAX,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut cases = Vec::new();
        for &d in &values {
            for &b in &values {
                for bps in [0u16, 1, 100, 9_999, 10_000, u16::MAX] {
                    cases.push((d, b, bps));
                }
            }
        }
        for _ in 0..20_000 {
            let d = (u128::from(next()) << 64 | u128::from(next())) >> (next() % 128);
            let b = (u128::from(next()) << 64 | u128::from(next())) >> (next() % 128);
            cases.push((d, b, next() as u16));
        }
        for (d, b, bps) in cases {
            let wide = U256::from(d) * U256::from(BPS) <= U256::from(b) * U256::from(bps);
            assert_eq!(within(d, b, bps).unwrap(), wide, "{d} {b} {bps}");
        }
    }

    /// The digit arithmetic gives ruint's `ceil(conf * bps / 10000)` for confidences up to
    /// `u128::MAX` and every widening up to 40,000 bps.
    #[test]
    fn widening_matches_the_256_bit_ceiling() {
        let mut x = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834u128;
        for i in 0..5_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let conf = x >> (i % 128);
            let bps = (i * 7_919 % 40_001) as u16;
            let price = OraclePrice {
                price: u128::MAX,
                conf,
                ema: 1,
                ema_conf: conf,
                publish_time: 0,
            };
            let widening = (U256::from(conf) * U256::from(bps)).div_ceil(U256::from(BPS));
            let up = candidates(&price, bps, Side::Collateral, Side::Long).unwrap();
            assert_eq!(up.spot, U256::from(u128::MAX) + widening, "{conf} {bps}");
            let down = candidates(&price, bps, Side::Collateral, Side::Short).unwrap();
            assert_eq!(down.ema, U256::from(1u8), "{conf} {bps}");
        }
    }

    /// cargo-fuzz finding F2: `conf * widening_bps` overflowed u128 (a panic natively, a
    /// silent wrap on SBF) for prices the checks accept with a widening of up to 40,000 bps.
    #[test]
    fn widening_a_large_confidence_is_exact_in_256_bits() {
        let big = 9 * 10u128.pow(36);
        let price = OraclePrice {
            price: big,
            conf: big / 10,
            ema: big,
            ema_conf: big / 10,
            publish_time: 0,
        };
        let up = candidates(&price, 40_000, Side::Collateral, Side::Long).unwrap();
        let widening = U256::from(big / 10) * U256::from(4u8);
        let up_price = U256::from(big) + widening;
        assert_eq!((up.spot, up.ema), (up_price, up_price));
        let down = candidates(&price, 40_000, Side::Long, Side::Collateral).unwrap();
        let down_price = U256::from(big) - widening;
        assert_eq!((down.spot, down.ema), (down_price, down_price));
        let lp = candidates(&price, 40_000, Side::Collateral, Side::Lp).unwrap();
        assert_eq!(lp.spot, U256::from(big));
    }
}
