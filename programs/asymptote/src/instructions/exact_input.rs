//! Exact input: the trader names the most they pay (collateral atoms or side tokens); the
//! pool finds the largest trade whose total cost, opening fee and skew charge included and
//! rounded to whole units, fits.

use anchor_lang::prelude::*;
use asymptote_math::{mul_div, Side, Trade, Q128, U256};

use super::common::{simulate, Executed};
use crate::error::{math_err, AsymptoteError};
use crate::oracle::OraclePrice;
use crate::state::Pool;
use crate::units::sub_atoms;

/// Trades tried at most. The first guess is exact without a skew charge; each retry removes
/// the whole overshoot, which lands within budget because the cost grows by at least one
/// unit per unit of input.
const MAX_ATTEMPTS: usize = 4;

pub fn exact_input(
    pool: &Pool,
    price: &OraclePrice,
    slot: u64,
    side_in: Side,
    side_out: Side,
    budget: u64,
    supplies: [(Side, u64); 2],
) -> Result<Box<Executed>> {
    let config = pool.params.math_config()?;
    // The math core takes collateral in sub-atoms and tokens in atoms.
    let in_units = |x: u64| {
        if side_in == Side::Collateral {
            sub_atoms(x)
        } else {
            U256::from(x)
        }
    };
    // Without a skew charge, an opening fee makes the cost ceil(x * Q128 / OPEN_RATE):
    // x = floor(budget * OPEN_RATE / Q128) is the largest input that fits.
    let budget_units = in_units(budget);
    let mut amount = if side_out.is_position() {
        mul_div(budget_units, config.open_rate, Q128).map_err(|e| math_err(e.into()))?
    } else {
        budget_units
    };
    for _ in 0..MAX_ATTEMPTS {
        require!(!amount.is_zero(), AsymptoteError::InputTooSmall);
        let request = Trade {
            side_in,
            side_out,
            amount,
        };
        let executed = simulate(pool, price, slot, request, supplies)?;
        if executed.amount_in <= budget {
            return Ok(executed);
        }
        let overshoot = in_units(executed.amount_in - budget);
        amount = amount.saturating_sub(overshoot);
    }
    err!(AsymptoteError::InputTooSmall)
}
