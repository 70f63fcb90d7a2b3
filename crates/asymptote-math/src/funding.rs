//! Funding per slot (SPEC section 5, Derion `dev` semantics): interest decays the
//! coefficients (LONG and SHORT pay LP in proportion to their effective leverage), the
//! premium moves value from the larger of LONG/SHORT to the smaller, and the protocol takes
//! a fraction of the interest. Timers advance only when something was charged.
//!
//! A flow is not charged while its receiver is held mostly by its dead shares: value paid to
//! them can never be redeemed. Interest stops while LP's holders own fewer tokens than the
//! `MINIMUM_SUPPLY` dead shares, the premium while the smaller side's do; the timer moves
//! on, so the idle period is never charged later to whoever arrives first. Dust (such as the
//! LP atom the one-unit-off rule leaves behind) does not keep a flow going, and the dead
//! shares never take more than half of one.

use crate::curve::evaluate_at;
use crate::error::{PoolError, PoolResult};
use crate::exp2::decay;
use crate::pool::{Config, State, MINIMUM_SUPPLY};
use crate::wide::{abs_diff, add, div, mul_div_up, mul_shr_up, sub, U256};

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

/// True when a side's holders own at least as many tokens as its dead shares.
fn has_live_holders(supply: U256) -> bool {
    supply >= U256::from(2 * MINIMUM_SUPPLY)
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

    if config.interest_hl > 0 && elapsed_interest > 0 && !has_live_holders(state.supply_lp) {
        last_interest = now;
    } else if config.interest_hl > 0 && elapsed_interest > 0 {
        let factor = U256::from(decay(elapsed_interest, U256::from(config.interest_hl))?.to_bits());
        let a = mul_shr_up::<64>(state.a, factor)?;
        let b = mul_shr_up::<64>(state.b, factor)?;
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

    // No time, no premium: with `elapsed_premium = 0` the decay is exactly 1 and the
    // premium below exactly 0, so the step is skipped (a 256-bit `mul_div` pair and an
    // `exp2`, about 2,000 CU on SBF for every trade in the slot of the last one).
    if config.premium_hl > 0 && elapsed_premium > 0 {
        let gap = abs_diff(long, short);
        let receiver_supply = if long > short {
            state.supply_short
        } else {
            state.supply_long
        };
        if gap > U256::from(1u8) && !has_live_holders(receiver_supply) {
            last_premium = now;
        } else if gap > U256::from(1u8) {
            let gap = gap - U256::from(1u8);
            let half_life =
                mul_div_up(U256::from(config.premium_hl / 2), big_r, add(long, short)?)?;
            let g = U256::from(decay(elapsed_premium, half_life)?.to_bits());
            let half_gap = gap >> 1;
            let premium = sub(half_gap, mul_shr_up::<64>(half_gap, g)?)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::{create, InitialSplit};
    use crate::price::{inverse_xk, xk as power};
    use crate::wide::Q64;

    const DEAD: u64 = MINIMUM_SUPPLY;

    /// K = 2 pool of 3e12 units at the mark, LONG twice SHORT, with interest and premium.
    fn pool() -> (Config, State, U256, U256) {
        let mut config = Config::new(2, Q64);
        config.interest_hl = 1_000;
        config.premium_hl = 2_000;
        let deposit = U256::from(3_000_000_000_000u64);
        let split = InitialSplit::Reserves {
            long: U256::from(1_000_000_000_000u64),
            short: U256::from(500_000_000_000u64),
        };
        let (state, _) = create(&config, deposit, split, Q64, 0).unwrap();
        let xk = power(Q64, config.mark, config.k).unwrap();
        let xk_short = inverse_xk(xk).unwrap();
        (config, state, xk, xk_short)
    }

    fn accrue_after(config: &Config, state: &State, xk: U256, xk_short: U256) -> Funded {
        let (r_long, r_short) = evaluate_at(state.r, state.a, state.b, xk, xk_short).unwrap();
        accrue(config, state, xk, xk_short, r_long, r_short, 500).unwrap()
    }

    /// The skipped step is exact: at zero elapsed time the decay is exactly one, so the
    /// premium formula gives exactly zero for any gap and half-life.
    #[test]
    fn no_elapsed_time_charges_nothing_and_the_formula_agrees() {
        let (config, state, xk, xk_short) = pool();
        let (r_long, r_short) = evaluate_at(state.r, state.a, state.b, xk, xk_short).unwrap();
        let funded = accrue(&config, &state, xk, xk_short, r_long, r_short, 0).unwrap();
        assert_eq!(
            (funded.r_long, funded.r_short, funded.r),
            (r_long, r_short, state.r)
        );
        assert_eq!(funded.charges, FundingCharges::default());
        assert_eq!((funded.last_interest, funded.last_premium), (0, 0));
        for half_gap in [1u64, 2, 999, u64::MAX] {
            for half_life in [1u64, 2, 1_000, u64::MAX] {
                let g = U256::from(decay(0, U256::from(half_life)).unwrap().to_bits());
                let half_gap = U256::from(half_gap);
                assert_eq!(mul_div_up(half_gap, g, Q64).unwrap(), half_gap);
            }
        }
    }

    #[test]
    fn the_smaller_side_with_live_holders_receives_the_premium() {
        let (config, state, xk, xk_short) = pool();
        let funded = accrue_after(&config, &state, xk, xk_short);
        assert!(funded.charges.premium > U256::ZERO);
        assert!(funded.charges.premium_paid_by_long);
        assert!(funded.charges.interest > U256::ZERO);
        assert_eq!((funded.last_interest, funded.last_premium), (500, 500));
    }

    #[test]
    fn no_premium_reaches_a_side_held_only_by_its_dead_shares() {
        let (mut config, mut state, xk, xk_short) = pool();
        config.interest_hl = 0;
        state.supply_short = U256::from(DEAD);
        let funded = accrue_after(&config, &state, xk, xk_short);
        assert_eq!(funded.charges.premium, U256::ZERO);
        // The idle period is gone for good: the first live SHORT cannot collect it later.
        assert_eq!(funded.last_premium, 500);
        // Dust is not enough; holders owning as much as the dead shares restore it.
        state.supply_short = U256::from(2 * DEAD - 1);
        assert_eq!(
            accrue_after(&config, &state, xk, xk_short).charges.premium,
            U256::ZERO
        );
        state.supply_short = U256::from(2 * DEAD);
        assert!(accrue_after(&config, &state, xk, xk_short).charges.premium > U256::ZERO);
    }

    #[test]
    fn a_larger_side_held_only_by_dead_shares_still_pays_the_premium() {
        let (mut config, mut state, xk, xk_short) = pool();
        config.interest_hl = 0;
        state.supply_long = U256::from(DEAD);
        let funded = accrue_after(&config, &state, xk, xk_short);
        assert!(funded.charges.premium > U256::ZERO);
        assert!(funded.charges.premium_paid_by_long);
    }

    #[test]
    fn no_interest_while_lp_is_held_only_by_its_dead_shares() {
        let (mut config, mut state, xk, xk_short) = pool();
        config.premium_hl = 0;
        state.supply_lp = U256::from(DEAD);
        let funded = accrue_after(&config, &state, xk, xk_short);
        assert_eq!(funded.charges, FundingCharges::default());
        assert_eq!(
            (funded.r_long, funded.r_short),
            evaluate_at(state.r, state.a, state.b, xk, xk_short).unwrap()
        );
        assert_eq!(funded.last_interest, 500);
    }
}
