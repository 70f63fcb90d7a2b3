//! Exact input: the trader names the most they pay (collateral atoms or side tokens); the
//! pool finds the largest trade whose total cost, opening fee and skew charge included and
//! rounded to whole units, fits.

use anchor_lang::prelude::*;
use asymptote_math::{
    mul_div, mul_shr, open_first_guess_funded, open_next_guess, Config as MathConfig, Side, U256,
    U64F64,
};

use super::common::{simulate, Executed, TradeSetup};
use crate::error::{math_err, AsymptoteError};
use crate::oracle::OraclePrice;
use crate::state::Pool;
use crate::units::{sub_atoms, SUB_ATOM_BITS};

/// Trades tried at most by an open (collateral in). The first is the closed-form guess of
/// the math core (`open_first_guess`: from the post-funding split, the cost is the grossed
/// value plus a skew charge quadratic in the value while no side changes branch), aimed half
/// an atom below the budget. The model is exact up to the curve's sub-atom rounding and the
/// guess's 2^-58 relative precision, far below an atom, so that one trade is the answer
/// unless a side changes branch on the way (tests: every open up to 30% of the pool, LONG,
/// SHORT and LP, one trade; a LONG-heavy pool with a side on the flat branch, two). Each
/// further trade re-solves the quadratic from the last trade's exact cost and branch
/// (`open_next_guess`), kept inside the bracket of the best trade that fits and the cheapest
/// that does not (the secant between them when the model points outside it). If the trades
/// run out, the best open found is taken (it fits; more than one atom may be left).
const MAX_OPEN_ATTEMPTS: usize = 4;

/// Trades tried at most with side tokens in (close, swap). The first guess is exact without
/// a skew charge; with one, secant steps between the best trade that fits and the cheapest
/// that does not close in on it.
const MAX_TOKEN_ATTEMPTS: usize = 5;

pub fn exact_input(
    pool: &Pool,
    price: &OraclePrice,
    slot: u64,
    side_in: Side,
    side_out: Side,
    budget: u64,
    supplies: [(Side, u64); 2],
) -> Result<Box<Executed>> {
    let setup = TradeSetup::new(pool, price, slot, (side_in, side_out), supplies)?;
    if side_in == Side::Collateral {
        open(&setup, budget)
    } else {
        tokens_in(&setup, budget)
    }
}

/// `floor(a * b / d)` as a program error.
fn ratio(a: U256, b: U256, d: U256) -> Result<U256> {
    mul_div(a, b, d).map_err(|e| math_err(e.into()))
}

/// What `amount` is worth to `side_out` net of the opening fee, `floor(amount OPEN_RATE /
/// Q128)` for LONG and SHORT (the amount itself for LP): the most that fits when no skew
/// charge is added, since the gross cost is `ceil(x Q128 / OPEN_RATE)`.
fn net_of_opening_fee(config: &MathConfig, side_out: Side, amount: U256) -> Result<U256> {
    if side_out.is_position() {
        mul_shr::<128>(amount, config.open_rate).map_err(|e| math_err(e.into()))
    } else {
        Ok(amount)
    }
}

/// Collateral in: the most value `v` (in sub-atoms) whose payment, `ceil(cost(v) / 2^64)`
/// atoms, fits the budget with at most one atom left over.
fn open(setup: &TradeSetup, budget: u64) -> Result<Box<Executed>> {
    let config = &setup.config;
    let side_out = setup.funding.sides().1;
    let budget_units = sub_atoms(budget);
    // The most value the budget buys without a charge (`S >= 0`: no value above it fits).
    let gross_bound = || net_of_opening_fee(config, side_out, budget_units);
    // The payment is the cost rounded up to whole atoms, so every cost in
    // (budget - 2, budget] atoms is accepted (at most one atom left). With a charge the
    // model aims half an atom below the budget: its error (the curve's sub-atom rounding,
    // the guess's precision) is far smaller.
    let target = budget_units.saturating_sub(U256::from(1u8) << (SUB_ATOM_BITS - 1));
    let mut amount = if config.skew.lambda == U64F64::ZERO {
        // Without a charge the cost is ceil(v Q128 / OPEN_RATE): the bound is the answer.
        gross_bound()?
    } else {
        open_first_guess_funded(config, &setup.funding, target).map_err(math_err)?
    };
    // Bracket: `fits` is the best trade within budget, `over` the cheapest value over it
    // and its cost (sub-atoms); the answer is strictly between their values.
    let mut fits: Option<Box<Executed>> = None;
    let mut over: Option<(U256, U256)> = None;
    for _ in 0..MAX_OPEN_ATTEMPTS {
        if amount.is_zero() {
            break;
        }
        let executed = simulate(setup, amount)?;
        let within = executed.amount_in <= budget;
        if within && budget - executed.amount_in <= 1 {
            return Ok(executed);
        }
        let model = open_next_guess(config, side_out, target, amount, &executed.outcome)
            .map_err(math_err)?;
        if within {
            fits = Some(executed);
        } else {
            over = Some((amount, executed.outcome.amount_in));
        }
        let lo = fits.as_ref().map_or((U256::ZERO, U256::ZERO), |e| {
            (e.request.amount, e.outcome.amount_in)
        });
        let (hi, hi_cost) = match over {
            Some(over) => over,
            // No value above the gross bound fits, whatever the charge (`S >= 0`).
            None => (gross_bound()?.saturating_add(U256::from(1u8)), U256::MAX),
        };
        if hi <= lo.0.saturating_add(U256::from(1u8)) {
            break;
        }
        amount = match model {
            Some(x) if x > lo.0 && x < hi => x,
            // The model points outside the bracket (the cost is off the quadratic there):
            // the secant between its ends (or from the origin), which the convex cost puts
            // below the crossing; the middle if the costs do not rise.
            _ => bracket_secant(lo, (hi, hi_cost), target)?,
        };
    }
    fits.ok_or_else(|| error!(AsymptoteError::InputTooSmall))
}

/// A value strictly inside `(lo, hi)` on the line through their costs where it reaches
/// `target` (the middle when the costs do not rise or `hi`'s cost is unknown).
fn bracket_secant(lo: (U256, U256), hi: (U256, U256), target: U256) -> Result<U256> {
    let one = U256::from(1u8);
    let (first, last) = (lo.0 + one, hi.0 - one);
    let middle = lo.0 + ((hi.0 - lo.0) >> 1);
    if hi.1 == U256::MAX || hi.1 <= lo.1 || target < lo.1 {
        return Ok(middle);
    }
    let step = ratio(target - lo.1, hi.0 - lo.0, hi.1 - lo.1)?;
    Ok(lo.0.saturating_add(step).clamp(first, last))
}

/// Side tokens in (close, swap): the most tokens whose payment (opening fee included for a
/// swap into LONG or SHORT) fits the budget.
fn tokens_in(setup: &TradeSetup, budget: u64) -> Result<Box<Executed>> {
    // Without a skew charge this is exact (a swap into LONG or SHORT pays the opening fee).
    let budget_units = U256::from(budget);
    let mut amount = net_of_opening_fee(&setup.config, setup.funding.sides().1, budget_units)?;
    let mut fits: Option<Box<Executed>> = None;
    // The cheapest request found over budget: (request, cost in input units).
    let mut over: Option<(U256, U256)> = None;
    for _ in 0..MAX_TOKEN_ATTEMPTS {
        if amount.is_zero() {
            break;
        }
        let executed = simulate(setup, amount)?;
        if executed.amount_in <= budget {
            // Exact (no overshoot seen) or within one unit of the budget: done.
            if over.is_none() || budget - executed.amount_in <= 1 {
                return Ok(executed);
            }
            fits = Some(executed);
        } else {
            over = Some((amount, U256::from(executed.amount_in)));
        }
        let Some((over_amount, over_cost)) = over else {
            break;
        };
        amount = match &fits {
            None => ratio(amount, budget_units, over_cost)?,
            Some(best) => {
                let (lo, lo_cost) = (best.request.amount, U256::from(best.amount_in));
                if over_cost <= lo_cost || over_amount <= lo {
                    break;
                }
                let step = ratio(
                    budget_units - lo_cost,
                    over_amount - lo,
                    over_cost - lo_cost,
                )?;
                if step.is_zero() {
                    break;
                }
                lo + step
            }
        };
    }
    fits.ok_or_else(|| error!(AsymptoteError::InputTooSmall))
}
