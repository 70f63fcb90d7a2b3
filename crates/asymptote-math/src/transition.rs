//! One side in, one side out (SPEC section 4), computed entirely here: the caller names the
//! sides and the amount, never a target state.

use crate::curve::{check_solvent, coefficient_by, evaluate_at};
use crate::error::{PoolError, PoolResult};
use crate::funding::{accrue, Funded, FundingCharges};
use crate::pool::{Config, Reserves, Side, State, MINIMUM_RESERVE, MINIMUM_SUPPLY};
use crate::price::{select_price, Powers, Prices, SelectedPrice};
use crate::skew::{charge, check_cap, skew, Skew};
use crate::wide::{add, mul_div, mul_div_up, sub, Q128, U256};

/// What the trader asks for: give `amount` of `side_in` (tokens, or for collateral the value
/// added to the out side before the opening fee) and receive `side_out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trade {
    pub side_in: Side,
    pub side_out: Side,
    pub amount: U256,
}

/// Everything a trade did. `state` is the pool after it; the input `State` is untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeOutcome {
    pub state: State,
    /// What the trader pays, in `side_in` units: value or tokens, plus the opening fee and,
    /// for collateral, the skew charge.
    pub amount_in: U256,
    /// What the trader receives, in `side_out` units (collateral: value minus skew charge).
    pub amount_out: U256,
    /// Collateral value moved from the in side to the out side.
    pub value: U256,
    /// Part of `amount_in` that is the opening fee (in `side_in` units).
    pub opening_fee: U256,
    /// Skew charge paid to LP, in collateral units.
    pub skew_charge: U256,
    pub funding: FundingCharges,
    pub price: SelectedPrice,
    /// Split at the selected price after funding, before the trade.
    pub before: Reserves,
    /// Split at the same price after the trade (`lp` includes fee and charge surplus).
    pub after: Reserves,
    /// Skew of the split before and after the trade (the target split, before the
    /// surplus). `None` in a pool with neither a skew charge nor a cap: nothing depends on
    /// it there, and it costs about 1,000 CU a trade on SBF.
    pub skew_before: Option<Skew>,
    pub skew_after: Option<Skew>,
}

/// The split a transition solves for, and the coefficients that realise it.
struct Target {
    big_r: U256,
    a: U256,
    b: U256,
    reserves: Reserves,
}

/// Build `(R1, a1, b1)` for `value` leaving `side_in` and `credited` reaching `side_out`,
/// then re-evaluate: all further amounts use the re-evaluated split.
fn build_target(
    price: &SelectedPrice,
    big_r: U256,
    before: &Reserves,
    trade: &Trade,
    value: U256,
    credited: U256,
) -> PoolResult<Target> {
    let (mut r1, mut long1, mut short1) = (big_r, before.long, before.short);
    match trade.side_in {
        Side::Collateral => r1 = add(r1, value)?,
        Side::Long => long1 = sub(long1, value)?,
        Side::Short => short1 = sub(short1, value)?,
        Side::Lp => {}
    }
    match trade.side_out {
        Side::Collateral => r1 = sub(r1, credited)?,
        Side::Long => long1 = add(long1, credited)?,
        Side::Short => short1 = add(short1, credited)?,
        Side::Lp => {}
    }
    let a = coefficient_by(long1, price.xk, price.xk_short, r1)?;
    let b = coefficient_by(short1, price.xk_short, price.xk, r1)?;
    let (long, short) = evaluate_at(r1, a, b, price.xk, price.xk_short)?;
    let lp = r1
        .checked_sub(long)
        .and_then(|rest| rest.checked_sub(short))
        .ok_or(PoolError::Insolvent)?;
    Ok(Target {
        big_r: r1,
        a,
        b,
        reserves: Reserves { long, short, lp },
    })
}

/// Value of `amount` input tokens (or collateral) at the post-funding split.
fn input_value(state: &State, before: &Reserves, trade: &Trade) -> PoolResult<U256> {
    let amount = trade.amount;
    Ok(match trade.side_in {
        Side::Collateral => amount,
        Side::Long => mul_div(amount, before.long, state.supply_long)?,
        Side::Short => mul_div(amount, before.short, state.supply_short)?,
        Side::Lp => {
            // Conservative: one unit off the LP reserve and one off the amount.
            let r_lp = if before.lp > U256::from(1u8) {
                before.lp - U256::from(1u8)
            } else {
                before.lp
            };
            mul_div(r_lp, sub(amount, U256::from(1u8))?, state.supply_lp)?
        }
    })
}

/// The reference's checks that no side other than the input loses value.
fn check_target(big_r: U256, before: &Reserves, after: &Target, side_in: Side) -> PoolResult<()> {
    let long_kept = after.reserves.long >= before.long;
    let short_kept = after.reserves.short >= before.short;
    if side_in.is_token() && after.big_r > big_r {
        return Err(PoolError::CollateralIncreased);
    }
    if side_in != Side::Long && !long_kept {
        return Err(PoolError::LongReserveDecreased);
    }
    if side_in != Side::Short && !short_kept {
        return Err(PoolError::ShortReserveDecreased);
    }
    Ok(())
}

/// Tokens (or collateral) the trader pays, before the opening fee; checks the supply left.
fn raw_amount_in(
    state: &State,
    big_r: U256,
    before: &Reserves,
    after: &Target,
    side_in: Side,
) -> PoolResult<U256> {
    if side_in == Side::Collateral {
        return Ok(sub(after.big_r, big_r)?);
    }
    let (r0, r1) = (before.get(side_in), after.reserves.get(side_in));
    if r1 >= r0 {
        return Err(PoolError::InputSideNotReduced);
    }
    let burned = mul_div_up(state.supply(side_in), r0 - r1, r0)?;
    check_supply_left(state.supply(side_in), burned)?;
    Ok(burned)
}

fn check_supply_left(supply: U256, burned: U256) -> PoolResult<()> {
    match supply.checked_sub(burned) {
        Some(left) if left >= U256::from(MINIMUM_SUPPLY) => Ok(()),
        _ => Err(PoolError::MinimumSupply),
    }
}

/// Tokens minted to the trader (floored), or collateral value paid out.
fn raw_amount_out(
    state: &State,
    big_r: U256,
    before: &Reserves,
    after: &Target,
    side_out: Side,
) -> PoolResult<U256> {
    if side_out == Side::Collateral {
        return Ok(sub(big_r, after.big_r)?);
    }
    let (r0, r1) = (before.get(side_out), after.reserves.get(side_out));
    if r0.is_zero() {
        return Err(PoolError::SideExhausted);
    }
    if r1 < U256::from(MINIMUM_RESERVE) {
        return Err(PoolError::MinimumReserve);
    }
    let gained = r1.checked_sub(r0).ok_or(match side_out {
        Side::Long => PoolError::LongReserveDecreased,
        Side::Short => PoolError::ShortReserveDecreased,
        _ => PoolError::LpReserveDecreased,
    })?;
    Ok(mul_div(state.supply(side_out), gained, r0)?)
}

fn skew_of(config: &Config, big_r: U256, reserves: &Reserves) -> PoolResult<Skew> {
    skew(
        &config.skew,
        config.k,
        big_r,
        reserves.long,
        reserves.short,
        reserves.lp,
    )
}

/// The price an operation uses, the funding accrued at it up to `now`, and the split after
/// that funding: the first step of every trade and of the crank.
pub(crate) fn fund_at_selected_price(
    config: &Config,
    state: &State,
    prices: Prices,
    sides: (Side, Side),
    now: u64,
) -> PoolResult<(SelectedPrice, Funded, Reserves)> {
    let price = select_price(config.mark, config.k, state, prices, sides.0, sides.1)?;
    let funded = accrue(
        config,
        state,
        price.xk,
        price.xk_short,
        price.r_long,
        price.r_short,
        now,
    )?;
    let reserves = Reserves {
        long: funded.r_long,
        short: funded.r_short,
        lp: sub(sub(funded.r, funded.r_long)?, funded.r_short)?,
    };
    Ok((price, funded, reserves))
}

/// The first step of a trade, which does not depend on its amount: the price its sides
/// use, funding up to `now` at that price, and the split after funding. A caller that
/// tries several amounts of one trade (exact input) computes it once with [`fund`] and
/// passes it to [`trade_funded`]; [`trade`] does both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Funding {
    sides: (Side, Side),
    price: SelectedPrice,
    funded: Funded,
    before: Reserves,
}

impl Funding {
    /// The price the trade is evaluated at.
    pub fn price(&self) -> &SelectedPrice {
        &self.price
    }

    /// The split after funding, before the trade.
    pub fn before(&self) -> &Reserves {
        &self.before
    }

    /// Collateral `R` after funding (the protocol fee taken out).
    pub fn collateral(&self) -> U256 {
        self.funded.r
    }

    /// `(side_in, side_out)`.
    pub fn sides(&self) -> (Side, Side) {
        self.sides
    }
}

/// [`Funding`] for trades from `sides.0` to `sides.1` on `state` at `now`.
pub fn fund(
    config: &Config,
    state: &State,
    prices: Prices,
    sides: (Side, Side),
    now: u64,
) -> PoolResult<Funding> {
    if sides.0 == sides.1 {
        return Err(PoolError::SameSide);
    }
    let (price, funded, before) = fund_at_selected_price(config, state, prices, sides, now)?;
    Ok(Funding {
        sides,
        price,
        funded,
        before,
    })
}

fn check_request(state: &State, trade: &Trade) -> PoolResult<()> {
    if trade.side_in == trade.side_out {
        return Err(PoolError::SameSide);
    }
    if trade.amount.is_zero() {
        return Err(PoolError::ZeroAmount);
    }
    if trade.side_in.is_token() && trade.amount > state.supply(trade.side_in) {
        return Err(PoolError::MinimumSupply);
    }
    Ok(())
}

/// Run one trade at `now` with the two candidate prices. Pure: returns the new state.
pub fn trade(
    config: &Config,
    state: &State,
    prices: Prices,
    now: u64,
    trade: Trade,
) -> PoolResult<TradeOutcome> {
    check_request(state, &trade)?;
    let funding = fund(config, state, prices, (trade.side_in, trade.side_out), now)?;
    run(config, state, &funding, trade)
}

/// The trade of `amount` on `state` after its [`Funding`] step (which must have been
/// computed from the same `state`): the same outcome as [`trade`].
pub fn trade_funded(
    config: &Config,
    state: &State,
    funding: &Funding,
    amount: U256,
) -> PoolResult<TradeOutcome> {
    let trade = Trade {
        side_in: funding.sides.0,
        side_out: funding.sides.1,
        amount,
    };
    check_request(state, &trade)?;
    run(config, state, funding, trade)
}

/// A checked request after its funding step. Out of line: inlined into a caller that also
/// holds the outcome, its locals would overflow a 4 KiB SBF stack frame.
#[inline(never)]
fn run(
    config: &Config,
    state: &State,
    funding: &Funding,
    trade: Trade,
) -> PoolResult<TradeOutcome> {
    let Funding {
        price,
        funded,
        before,
        ..
    } = *funding;
    let big_r = funded.r;

    let value = input_value(state, &before, &trade)?;
    let mut target = build_target(&price, big_r, &before, &trade, value, value)?;
    check_target(big_r, &before, &target, trade.side_in)?;

    let tracked = config.skew.is_enabled();
    let skew_before = tracked
        .then(|| skew_of(config, big_r, &before))
        .transpose()?;
    let mut skew_after = tracked
        .then(|| skew_of(config, target.big_r, &target.reserves))
        .transpose()?;
    let removes_depth = trade.side_in == Side::Lp;
    let mut skew_charge = U256::ZERO;
    if let (Some(s0), Some(s1)) = (&skew_before, &skew_after) {
        check_cap(&config.skew, s0, s1, removes_depth)?;
        skew_charge = charge(&config.skew, s0, s1)?;
    }

    // Token-to-token: the charge comes out of the value moved and stays with LP, so the
    // out side is credited `value - S` and the split re-solved (R is unchanged).
    let token_to_token = trade.side_in.is_token() && trade.side_out.is_token();
    if let (Some(s0), true) = (&skew_before, token_to_token && skew_charge > U256::ZERO) {
        let credited = value.saturating_sub(skew_charge);
        target = build_target(&price, big_r, &before, &trade, value, credited)?;
        check_target(big_r, &before, &target, trade.side_in)?;
        let s1 = skew_of(config, target.big_r, &target.reserves)?;
        // The cap holds on the split the trade ends with: crediting less can raise |N|
        // (exposure K min(r, R - r) peaks at R/2, so a side on the flat branch that gets
        // less moves back towards the peak).
        check_cap(&config.skew, s0, &s1, removes_depth)?;
        skew_after = Some(s1);
    }

    let mut amount_in = raw_amount_in(state, big_r, &before, &target, trade.side_in)?;
    let mut amount_out = raw_amount_out(state, big_r, &before, &target, trade.side_out)?;

    let mut opening_fee = U256::ZERO;
    if trade.side_out.is_position() && config.open_rate != Q128 {
        let grossed = config.grossed_up(amount_in)?;
        opening_fee = sub(grossed, amount_in)?;
        amount_in = grossed;
        if trade.side_in.is_token() {
            check_supply_left(state.supply(trade.side_in), amount_in)?;
        }
    }

    // Collateral the pool keeps: the opening fee and skew charge stay in R (LP's) without
    // re-solving a, b.
    let new_r = match (trade.side_in, trade.side_out) {
        (Side::Collateral, _) => {
            amount_in = add(amount_in, skew_charge)?;
            add(big_r, amount_in)?
        }
        (_, Side::Collateral) => {
            amount_out = amount_out.saturating_sub(skew_charge);
            sub(big_r, amount_out)?
        }
        _ => target.big_r,
    };
    check_solvent(target.big_r, target.a, target.b)?;

    let mut next = State {
        r: new_r,
        a: target.a,
        b: target.b,
        last_interest: funded.last_interest,
        last_premium: funded.last_premium,
        ..*state
    };
    if let Some(supply) = next.supply_mut(trade.side_in) {
        *supply = sub(*supply, amount_in)?;
    }
    if let Some(supply) = next.supply_mut(trade.side_out) {
        *supply = add(*supply, amount_out)?;
    }
    let after = Reserves {
        lp: sub(sub(new_r, target.reserves.long)?, target.reserves.short)?,
        ..target.reserves
    };
    Ok(TradeOutcome {
        state: next,
        amount_in,
        amount_out,
        value,
        opening_fee,
        skew_charge,
        funding: funded.charges,
        price,
        before,
        after,
        skew_before,
        skew_after,
    })
}

/// The permissionless crank: charge funding up to `now` at the LP-conservative price and
/// store the re-solved coefficients. A no-op (same state) when nothing was charged.
pub fn accrue_funding(
    config: &Config,
    state: &State,
    prices: Prices,
    now: u64,
) -> PoolResult<(State, FundingCharges)> {
    accrue_funding_at(config, state, prices, now).map(|accrual| (accrual.state, accrual.charges))
}

/// What the crank did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accrual {
    /// The pool after it (the input state when nothing was charged).
    pub state: State,
    pub charges: FundingCharges,
    /// The split after funding, at `price`.
    pub reserves: Reserves,
    /// The powers at the price it used (a caller may keep them for the next trade).
    pub powers: Powers,
}

/// `accrue_funding`, also returning the split after funding and the powers it used.
pub fn accrue_funding_at(
    config: &Config,
    state: &State,
    prices: Prices,
    now: u64,
) -> PoolResult<Accrual> {
    let sides = (Side::Collateral, Side::Collateral);
    let (price, funded, reserves) = fund_at_selected_price(config, state, prices, sides, now)?;
    let powers = Powers::from(&price);
    let charged = funded.last_interest != state.last_interest
        || funded.last_premium != state.last_premium
        || !funded.charges.protocol_fee.is_zero();
    if !charged {
        return Ok(Accrual {
            state: *state,
            charges: funded.charges,
            reserves,
            powers,
        });
    }
    let a = coefficient_by(funded.r_long, price.xk, price.xk_short, funded.r)?;
    let b = coefficient_by(funded.r_short, price.xk_short, price.xk, funded.r)?;
    check_solvent(funded.r, a, b)?;
    let next = State {
        r: funded.r,
        a,
        b,
        last_interest: funded.last_interest,
        last_premium: funded.last_premium,
        ..*state
    };
    Ok(Accrual {
        state: next,
        charges: funded.charges,
        reserves,
        powers,
    })
}
