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

/// Trades tried at most. The first guess is exact without a skew charge. When the charge
/// makes it overshoot, the cost is convex in the input (fee-grossed value plus a quadratic
/// skew potential) and zero at zero, so the secant from the origin through the overshoot
/// lands within budget; further secant steps between the best trade that fits and the
/// cheapest that does not close in on it. Measured: four trades reach the last unit.
const MAX_ATTEMPTS: usize = 5;

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
    let mut fits: Option<Box<Executed>> = None;
    // The cheapest request found over budget: (request, cost in input units).
    let mut over: Option<(U256, U256)> = None;
    for _ in 0..MAX_ATTEMPTS {
        if amount.is_zero() {
            break;
        }
        let request = Trade {
            side_in,
            side_out,
            amount,
        };
        let executed = simulate(pool, price, slot, request, supplies)?;
        if executed.amount_in <= budget {
            // Exact (no overshoot seen) or within one unit of the budget: done.
            if over.is_none() || budget - executed.amount_in <= 1 {
                return Ok(executed);
            }
            fits = Some(executed);
        } else {
            over = Some((amount, in_units(executed.amount_in)));
        }
        let Some((over_amount, over_cost)) = over else {
            break;
        };
        amount = match &fits {
            None => mul_div(amount, budget_units, over_cost).map_err(|e| math_err(e.into()))?,
            Some(best) => {
                let (lo, lo_cost) = (best.request.amount, in_units(best.amount_in));
                if over_cost <= lo_cost || over_amount <= lo {
                    break;
                }
                let step = mul_div(
                    budget_units - lo_cost,
                    over_amount - lo,
                    over_cost - lo_cost,
                )
                .map_err(|e| math_err(e.into()))?;
                if step.is_zero() {
                    break;
                }
                lo + step
            }
        };
    }
    fits.ok_or_else(|| error!(AsymptoteError::InputTooSmall))
}
