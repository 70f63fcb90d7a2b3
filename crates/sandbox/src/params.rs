//! Scenario parameters in the program's units (slots, bps, 64.64 fixed point, 18-decimal
//! prices). Conversion happens once, at pool creation.

use asymptote::state::PoolParams;
use asymptote_math::U64F64;

use crate::error::SandboxError;
use crate::scenario::{Scenario, SLOTS_PER_DAY};

/// 18-decimal price of a Pyth integer with exponent -8.
pub fn normalised(pyth: i64) -> u128 {
    pyth.unsigned_abs() as u128 * 10u128.pow(10)
}

fn q64(field: &str, value: f64) -> Result<u128, SandboxError> {
    U64F64::checked_from_num(value)
        .map(U64F64::to_bits)
        .ok_or_else(|| SandboxError::Invalid {
            field: field.into(),
            problem: format!("{value} does not fit 64.64 fixed point"),
        })
}

fn days_to_slots(days: f64) -> u64 {
    (days * SLOTS_PER_DAY).round() as u64
}

/// The pool's parameters; MARK defaults to the first price of the path.
pub fn pool_params(scenario: &Scenario, first_price: i64) -> Result<PoolParams, SandboxError> {
    let p = &scenario.pool;
    let mark = match p.mark {
        Some(m) => (m * 1e18).round() as u128,
        None => normalised(first_price),
    };
    let premium = days_to_slots(p.premium_half_life_days);
    if premium == 1 {
        return Err(SandboxError::Invalid {
            field: "pool.premium_half_life_days".into(),
            problem: "rounds to 1 slot; use 0 or at least 2 slots".into(),
        });
    }
    let depth_cap = p.skew_depth_cap * 10f64.powi(i32::from(p.decimals));
    Ok(PoolParams {
        k: p.k,
        mark,
        interest_half_life: days_to_slots(p.interest_half_life_days),
        premium_half_life: premium,
        opening_fee_bps: p.opening_fee_bps.into(),
        fee_divisor: p.protocol_fee_divisor,
        skew_lambda: q64("pool.skew_lambda", p.skew_lambda)?,
        skew_cap: q64("pool.skew_cap", p.skew_cap)?,
        skew_depth_cap: depth_cap.round() as u64,
    })
}
