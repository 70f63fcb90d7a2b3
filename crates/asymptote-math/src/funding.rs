//! Funding per slot (SPEC section 5, Derion `dev` semantics): interest decays the
//! coefficients (LONG and SHORT pay LP in proportion to their effective leverage), the
//! premium moves value from the larger of LONG/SHORT to the smaller, and the protocol takes
//! a fraction of the interest. Timers advance only when something was charged.

use crate::curve::evaluate_at;
use crate::error::{PoolError, PoolResult};
use crate::exp2::decay;
use crate::pool::{Config, State};
use crate::wide::{abs_diff, add, div, mul_div_up, sub, Q64, U256};

/// Reserves and timers after funding, and what was charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Funded {
    /// Collateral after the protocol fee.
    pub r: U256,
    pub r_long: U256,
    pub r_short: U256,
    pub last_interest: u64,
    pub last_premium: u64,
    pub charges: FundingCharges,
}

/// What one accrual charged, in collateral units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FundingCharges {
    /// Value LONG and SHORT paid as interest (LP's share plus the protocol fee).
    pub interest: U256,
    /// Value moved by the premium from the larger side to the smaller.
    pub premium: U256,
    /// True when LONG paid the premium (it was the larger side).
    pub premium_paid_by_long: bool,
    /// Protocol fee taken out of `R` (owed to the protocol).
    pub protocol_fee: U256,
}

/// Accrue interest, premium and the protocol fee from the pool's timers up to `now`, on the
/// reserves `(r_long, r_short)` evaluated at the selected powers `xk` and `xk_short`.
pub fn accrue(
    config: &Config,
    state: &State,
    xk: U256,
    xk_short: U256,
    r_long: U256,
    r_short: U256,
    now: u64,
) -> PoolResult<Funded> {
    let elapsed_interest = now
        .checked_sub(state.last_interest)
        .ok_or(PoolError::ClockWentBackwards)?;
    let elapsed_premium = now
        .checked_sub(state.last_premium)
        .ok_or(PoolError::ClockWentBackwards)?;
    let big_r = state.r;
    let (mut long, mut short) = (r_long, r_short);
    let mut last_interest = state.last_interest;
    let mut last_premium = state.last_premium;
    let mut charges = FundingCharges::default();

    if config.interest_hl > 0 && elapsed_interest > 0 {
        let factor = U256::from(decay(elapsed_interest, U256::from(config.interest_hl))?.to_bits());
        let a = mul_div_up(state.a, factor, Q64)?;
        let b = mul_div_up(state.b, factor, Q64)?;
        let (long_after, short_after) = evaluate_at(big_r, a, b, xk, xk_short)?;
        if long_after < long || short_after < short {
            long = long_after.max(U256::from(1u8));
            short = short_after.max(U256::from(1u8));
            last_interest = now;
        }
    }
    // Interest paid = drop of rA + rB; the max(., 1) floors can only make it smaller.
    let interest = add(r_long, r_short)?.saturating_sub(add(long, short)?);
    charges.interest = interest;

    if config.premium_hl > 0 {
        let gap = abs_diff(long, short);
        if gap > U256::from(1u8) {
            let gap = gap - U256::from(1u8);
            let half_life =
                mul_div_up(U256::from(config.premium_hl / 2), big_r, add(long, short)?)?;
            let g = U256::from(decay(elapsed_premium, half_life)?.to_bits());
            let half_gap = gap >> 1;
            let premium = sub(half_gap, mul_div_up(half_gap, g, Q64)?)?;
            if !premium.is_zero() {
                charges.premium = premium;
                charges.premium_paid_by_long = long > short;
                if long > short {
                    long = sub(long, premium)?;
                    short = add(short, premium)?;
                } else {
                    short = sub(short, premium)?;
                    long = add(long, premium)?;
                }
                last_premium = now;
            }
        }
    }

    let fee = if config.fee_divisor > 0 {
        div(interest, U256::from(config.fee_divisor))?
    } else {
        U256::ZERO
    };
    charges.protocol_fee = fee;
    Ok(Funded {
        r: sub(big_r, fee)?,
        r_long: long,
        r_short: short,
        last_interest,
        last_premium,
        charges,
    })
}
