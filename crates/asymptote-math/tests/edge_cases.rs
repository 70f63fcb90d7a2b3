//! Edge cases of configuration, funding and trades that the unit tests in `src` do not
//! cover: refused configurations, long dormancy, zero and maximal amounts, values near
//! 2^256, the branch joint at R/2 for odd K, and repeated accruals in one slot.
#![cfg(test)]

use asymptote_math::curve::{coefficient, evaluate, reserve};
use asymptote_math::pool::MAX_K;
use asymptote_math::{
    accrue_funding, create, mul_div, mul_div_up, trade, ArithmeticKind, Config, InitialSplit,
    PoolError, Prices, Reserves, Side, State, Trade, TradeOutcome, MINIMUM_SUPPLY, Q128, Q256M,
    U256,
};

fn u(x: u128) -> U256 {
    U256::from(x)
}

const MARK: u128 = 1_000_000_000_000;
const R: u128 = 1_000_000_000_000_000_000;

fn mark() -> U256 {
    u(MARK)
}

fn at_mark() -> Prices {
    Prices::single(mark())
}

fn thirds(config: &Config, deposit: u128) -> State {
    create(config, u(deposit), InitialSplit::Thirds, mark(), 0)
        .unwrap()
        .0
}

fn request(side_in: Side, side_out: Side, amount: U256) -> Trade {
    Trade {
        side_in,
        side_out,
        amount,
    }
}

fn run(config: &Config, state: &State, now: u64, t: Trade) -> Result<TradeOutcome, PoolError> {
    trade(config, state, at_mark(), now, t)
}

fn arithmetic_kind(e: PoolError) -> Option<ArithmeticKind> {
    match e {
        PoolError::Arithmetic(a) => {
            // Located: the failing primitive is in the crate's own wide-integer module.
            assert!(a.at.file().ends_with("wide.rs"), "{}", a.at);
            Some(a.kind)
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- configuration

#[test]
fn premium_half_life_one_is_refused_by_validate_and_create() {
    let mut config = Config::new(2, mark());
    config.premium_hl = 1;
    assert_eq!(config.validate(), Err(PoolError::PremiumHalfLifeOne));
    let created = create(&config, u(R), InitialSplit::Thirds, mark(), 0);
    assert_eq!(created.err(), Some(PoolError::PremiumHalfLifeOne));
    for ok in [0, 2, 3, u64::MAX] {
        config.premium_hl = ok;
        assert_eq!(config.validate(), Ok(()), "premium_hl {ok}");
        assert!(create(&config, u(R), InitialSplit::Thirds, mark(), 0).is_ok());
    }
}

#[test]
fn power_outside_one_to_max_k_is_refused() {
    for k in [0, MAX_K + 1, u32::MAX] {
        let config = Config::new(k, mark());
        assert_eq!(config.validate(), Err(PoolError::InvalidPower), "k {k}");
        let created = create(&config, u(R), InitialSplit::Thirds, mark(), 0);
        assert_eq!(created.err(), Some(PoolError::InvalidPower), "k {k}");
    }
    for k in [1, 2, 7, MAX_K] {
        let config = Config::new(k, mark());
        assert_eq!(config.validate(), Ok(()), "k {k}");
        assert!(create(&config, u(R), InitialSplit::Thirds, mark(), 0).is_ok());
    }
}

#[test]
fn other_bad_configurations_are_refused() {
    assert_eq!(
        Config::new(2, U256::ZERO).validate(),
        Err(PoolError::InvalidMark)
    );
    let mut config = Config::new(2, mark());
    for bad in [U256::ZERO, Q128 + u(1), Q256M] {
        config.open_rate = bad;
        assert_eq!(config.validate(), Err(PoolError::InvalidOpenRate));
    }
    config.open_rate = u(1);
    assert_eq!(config.validate(), Ok(()));
}

/// The opening fee's gross-up is `ceil(v Q128 / OPEN_RATE)` whatever estimate of the
/// reciprocal the configuration carries: none, exact, short, over, or absurd.
#[test]
fn the_opening_fee_gross_up_does_not_depend_on_the_inverse_estimate() {
    let rates = [
        Q128,
        Q128 - u(1),
        mul_div(Q128, u(9_990), u(10_000)).unwrap(),
        mul_div(Q128, u(9), u(10)).unwrap(),
        Q128 >> 1,
        u(3),
    ];
    let values = [
        U256::ZERO,
        u(1),
        u(1_000_000_000) << 64,
        u(R) << 64,
        U256::from(1u8) << 200,
        Q256M >> 130,
    ];
    for rate in rates {
        let mut config = Config::new(2, mark());
        config.open_rate = rate;
        let reciprocal = mul_div(Q128, Q128, rate).unwrap();
        for inverse in [
            U256::ZERO,
            reciprocal,
            reciprocal - u(1),
            reciprocal - u(3),
            reciprocal >> 1,
            reciprocal + u(1),
            Q256M,
        ] {
            config.open_rate_inverse = inverse;
            for value in values {
                assert_eq!(
                    config.grossed_up(value).ok(),
                    mul_div_up(value, Q128, rate).ok(),
                    "rate {rate}, inverse {inverse}, value {value}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------- dormancy

/// Past 64 half-lives the decay factor is 0: both coefficients decay to 0 and the sides are
/// floored at one unit ("interest cannot exhaust a side"); LP gets the rest less the fee;
/// the interest timer moves to now; no panic, and the pool keeps trading.
#[test]
fn sixty_four_half_lives_of_dormancy_floor_both_sides_at_one_unit() {
    let mut config = Config::new(3, mark());
    config.interest_hl = 1_000;
    let start = thirds(&config, R);
    let before = Reserves::of(&start, Q128).unwrap();
    for elapsed in [64 * 1_000 + 1, 1_000_000, u64::MAX / 2] {
        let (next, charges) = accrue_funding(&config, &start, at_mark(), elapsed).unwrap();
        let after = Reserves::of(&next, Q128).unwrap();
        assert_eq!((after.long, after.short), (u(1), u(1)), "elapsed {elapsed}");
        let interest = before.long + before.short - u(2);
        assert_eq!(charges.interest, interest);
        assert_eq!(charges.protocol_fee, interest / u(5));
        assert_eq!(next.r, start.r - charges.protocol_fee);
        assert_eq!(after.lp, next.r - u(2));
        assert_eq!(next.last_interest, elapsed);
        assert_eq!(next.last_premium, start.last_premium);
        // Supplies are untouched: a LONG token is now worth 1 / supply of a unit.
        assert_eq!(next.supply_long, start.supply_long);
        // Trading on: a LONG holder can still sell, the LP can add.
        let out = run(
            &config,
            &next,
            elapsed,
            request(Side::Collateral, Side::Lp, u(1_000_000)),
        )
        .unwrap();
        assert_eq!(out.funding.interest, U256::ZERO, "charged already");
        assert!(run(
            &config,
            &next,
            elapsed,
            request(Side::Collateral, Side::Long, u(1_000_000))
        )
        .is_ok());
    }
    // Exactly 64 half-lives: the factor is 2^-64, still one unit of Q64.
    let (next, _) = accrue_funding(&config, &start, at_mark(), 64_000).unwrap();
    let after = Reserves::of(&next, Q128).unwrap();
    assert!(after.long >= u(1) && after.long <= u(1) + before.long / (u(1) << 64));
}

/// A trade after the dormancy charges the same interest as the crank would.
#[test]
fn a_trade_after_dormancy_charges_the_saturated_interest() {
    let mut config = Config::new(1, mark());
    config.interest_hl = 10;
    config.premium_hl = 10;
    let start = thirds(&config, R);
    let out = run(
        &config,
        &start,
        1_000_000,
        request(Side::Collateral, Side::Short, u(R / 10)),
    )
    .unwrap();
    assert_eq!((out.before.long, out.before.short), (u(1), u(1)));
    assert_eq!(out.funding.premium, U256::ZERO, "no gap left to pay");
    assert_eq!(out.state.last_interest, 1_000_000);
    // The premium timer only moves when a premium is charged.
    assert_eq!(out.state.last_premium, 0);
}

/// A long-dormant premium moves half the (gap - 1) from the larger side to the smaller:
/// the sides end at most two units apart (before the coefficients are re-solved).
#[test]
fn a_long_dormant_premium_equalises_the_sides() {
    let mut config = Config::new(2, mark());
    config.premium_hl = 2;
    let split = InitialSplit::Reserves {
        long: u(R / 10 * 6),
        short: u(R / 10),
    };
    let (start, created) = create(&config, u(R), split, mark(), 0).unwrap();
    let out = run(
        &config,
        &start,
        1 << 40,
        request(Side::Collateral, Side::Lp, u(R)),
    )
    .unwrap();
    let (l, s) = (out.before.long, out.before.short);
    assert_eq!(l + s, created.long + created.short);
    assert!(l >= s && l - s <= u(2), "{l} {s}");
    assert_eq!(out.funding.protocol_fee, U256::ZERO);
    assert_eq!(out.state.last_premium, 1 << 40);
}

#[test]
fn the_clock_never_goes_back() {
    let mut config = Config::new(2, mark());
    config.interest_hl = 1_000;
    let (start, _) = create(&config, u(R), InitialSplit::Thirds, mark(), 500).unwrap();
    assert_eq!(
        accrue_funding(&config, &start, at_mark(), 499).err(),
        Some(PoolError::ClockWentBackwards)
    );
    let t = request(Side::Collateral, Side::Long, u(1_000));
    assert_eq!(
        run(&config, &start, 499, t).err(),
        Some(PoolError::ClockWentBackwards)
    );
}

// ---------------------------------------------------------------- same slot

/// A second accrual in the same slot charges nothing and returns the same state, whether
/// the first one was a crank or the funding step of a trade.
#[test]
fn a_second_accrual_in_the_same_slot_is_a_no_op() {
    let mut config = Config::new(2, mark());
    config.interest_hl = 100_000;
    config.premium_hl = 100_000;
    let split = InitialSplit::Reserves {
        long: u(R / 2),
        short: u(R / 5),
    };
    let (start, _) = create(&config, u(R), split, mark(), 0).unwrap();
    let prices = Prices::new(mark(), mark() / u(100) * u(101));
    let (first, charges) = accrue_funding(&config, &start, prices, 50_000).unwrap();
    assert!(charges.interest > U256::ZERO && charges.premium > U256::ZERO);
    assert_eq!((first.last_interest, first.last_premium), (50_000, 50_000));
    let (second, again) = accrue_funding(&config, &first, prices, 50_000).unwrap();
    assert_eq!(second, first);
    assert_eq!(again, Default::default());

    let traded = trade(
        &config,
        &start,
        prices,
        50_000,
        request(Side::Collateral, Side::Long, u(R / 100)),
    )
    .unwrap();
    assert!(traded.funding.interest > U256::ZERO);
    let (after, none) = accrue_funding(&config, &traded.state, prices, 50_000).unwrap();
    assert_eq!(after, traded.state);
    assert_eq!(none, Default::default());
    let next = trade(
        &config,
        &traded.state,
        prices,
        50_000,
        request(Side::Long, Side::Collateral, traded.amount_out),
    )
    .unwrap();
    assert_eq!(next.funding, Default::default());
}

/// Found by the crank property: the first crank charges interest but no premium, so only
/// the interest timer moves; its re-solve moves the reserves (here by the coefficient
/// granularity, x^K = 205.9 units per coefficient unit in a pool left with 273 units), and
/// a second crank in the same slot charges the premium that is still pending on the new
/// reserves. Re-solving the result rounds LONG up by 90 units, `4ab > R^2`, and the
/// crank is refused with a named error. The pool is degenerate (interest half-life of 2
/// slots, 64.5 half-lives idle, the protocol taking all the interest), but the
/// mechanism is general: "a second accrual in the same slot is a no-op" holds when no
/// timer is left pending.
#[test]
fn a_pending_premium_timer_can_charge_again_in_the_same_slot() {
    let mark = u(1_000_000_000);
    let mut config = Config::new(6, mark);
    config.interest_hl = 2;
    config.premium_hl = 2;
    config.fee_divisor = 1;
    let price = mark / u(1_000_000) * u(2_430_000);
    let x = asymptote_math::xk(price, mark, 6).unwrap();
    let start = State {
        r: u(28_924_980),
        a: u(1_879_130_051),
        b: u(55_655),
        supply_long: u(14_641_066),
        supply_short: u(7_142_036),
        supply_lp: u(7_141_878),
        last_interest: 1_000,
        last_premium: 1_000,
    };
    let before = Reserves::of(&start, x).unwrap();
    assert_eq!(
        (before.long, before.short, before.lp),
        (u(28_924_439), u(270), u(271))
    );
    let prices = Prices::single(price);
    let (next, charges) = accrue_funding(&config, &start, prices, 1_129).unwrap();
    assert_eq!(charges.interest, u(28_924_707));
    assert_eq!(charges.premium, U256::ZERO);
    assert_eq!((next.r, next.a, next.b), (u(273), u(1), u(206)));
    assert_eq!((next.last_interest, next.last_premium), (1_129, 1_000));
    let after = Reserves::of(&next, x).unwrap();
    // LONG's target was 1 unit; one unit of coefficient is worth 205 here: it lands at 182.
    assert_eq!((after.long, after.short, after.lp), (u(182), u(1), u(90)));
    assert_eq!(
        accrue_funding(&config, &next, prices, 1_129).err(),
        Some(PoolError::Insolvent)
    );
    // A large enough LP deposit still goes through (re-solved at a larger R).
    let out = trade(
        &config,
        &next,
        prices,
        1_129,
        request(Side::Collateral, Side::Lp, u(1_000_000)),
    );
    assert!(out.is_ok(), "{out:?}");
}

// ---------------------------------------------------------------- amounts

#[test]
fn zero_amounts_are_refused_for_every_pair() {
    let config = Config::new(2, mark());
    let state = thirds(&config, R);
    for side_in in Side::ALL {
        for side_out in Side::ALL {
            let result = run(&config, &state, 0, request(side_in, side_out, U256::ZERO));
            let expected = if side_in == side_out {
                PoolError::SameSide
            } else {
                PoolError::ZeroAmount
            };
            assert_eq!(result.err(), Some(expected), "{side_in:?} -> {side_out:?}");
        }
    }
}

#[test]
fn same_side_is_refused_whatever_the_amount() {
    let config = Config::new(2, mark());
    let state = thirds(&config, R);
    for side in Side::ALL {
        for amount in [u(1), u(R / 10), Q256M] {
            assert_eq!(
                run(&config, &state, 0, request(side, side, amount)).err(),
                Some(PoolError::SameSide)
            );
        }
    }
}

/// One or two LP units are worth nothing under the conservative LP valuation
/// `floor((rC - 1)(amount - 1) / sC)`: the trade is refused, it moves nothing.
#[test]
fn dust_lp_inputs_are_refused() {
    let config = Config::new(2, mark());
    let state = thirds(&config, R);
    for amount in [1, 2] {
        assert_eq!(
            run(
                &config,
                &state,
                0,
                request(Side::Lp, Side::Collateral, u(amount))
            )
            .err(),
            Some(PoolError::InputSideNotReduced)
        );
    }
}

/// Selling a whole supply (dead shares included), or more, or leaving fewer than
/// `MINIMUM_SUPPLY`, is refused with `MinimumSupply`; leaving exactly the dead shares works.
#[test]
fn whole_supplies_hit_minimum_supply() {
    let config = Config::new(2, mark());
    let state = thirds(&config, R);
    let dead = U256::from(MINIMUM_SUPPLY);
    for (side_in, side_out) in [
        (Side::Long, Side::Collateral),
        (Side::Short, Side::Collateral),
        (Side::Lp, Side::Collateral),
        (Side::Long, Side::Short),
        (Side::Short, Side::Lp),
        (Side::Lp, Side::Long),
    ] {
        let supply = state.supply(side_in);
        for amount in [supply, supply + u(1), Q256M] {
            assert_eq!(
                run(&config, &state, 0, request(side_in, side_out, amount)).err(),
                Some(PoolError::MinimumSupply),
                "{side_in:?} -> {side_out:?} {amount}"
            );
        }
        let out = run(
            &config,
            &state,
            0,
            request(side_in, side_out, supply - dead),
        )
        .unwrap();
        assert!(out.state.supply(side_in) >= dead);
        if side_in != Side::Lp {
            // One token = one unit: the 999-unit dust over the dead shares is refused.
            let left_999 = request(side_in, side_out, supply - dead + u(1));
            assert_eq!(
                run(&config, &state, 0, left_999).err(),
                Some(PoolError::MinimumSupply)
            );
        }
    }
}

/// The largest on-chain deposit, `u64::MAX` atoms, opens a position in a u64-sized pool.
#[test]
fn u64_max_collateral_opens_a_position() {
    let config = Config::new(2, mark());
    let state = thirds(&config, 1_000_000_000);
    for side_out in [Side::Long, Side::Short, Side::Lp] {
        let out = run(
            &config,
            &state,
            0,
            request(Side::Collateral, side_out, U256::from(u64::MAX)),
        )
        .unwrap();
        assert_eq!(out.amount_in, U256::from(u64::MAX));
        assert_eq!(out.state.r, state.r + U256::from(u64::MAX));
        // At one token per unit the mint is the value, floored.
        assert_eq!(out.amount_out, U256::from(u64::MAX));
        assert!(
            out.state.r > U256::from(u64::MAX),
            "R leaves u64 in the math core"
        );
    }
}

/// Amounts and pools near 2^256 fail with a located, named arithmetic error, never a panic.
#[test]
fn values_near_two_to_the_256_give_named_arithmetic_errors() {
    let config = Config::new(2, mark());
    let state = thirds(&config, R);
    // R + amount does not fit.
    for amount in [Q256M, Q256M - state.r + u(1)] {
        for side_out in [Side::Long, Side::Short, Side::Lp] {
            let e = run(
                &config,
                &state,
                0,
                request(Side::Collateral, side_out, amount),
            )
            .unwrap_err();
            assert_eq!(arithmetic_kind(e), Some(ArithmeticKind::Overflow), "{e}");
        }
    }
    // It fits, but the LONG coefficient (target * Q128 / xk) does not.
    let e = run(
        &config,
        &state,
        0,
        request(Side::Collateral, Side::Long, Q256M >> 1),
    )
    .unwrap_err();
    assert_eq!(arithmetic_kind(e), Some(ArithmeticKind::Overflow), "{e}");

    // A pool holding 2^254: created and evaluated at MARK, overflowing away from it.
    let huge = create(&config, Q256M >> 2, InitialSplit::Thirds, mark(), 0)
        .unwrap()
        .0;
    let e = huge.reserves_at(&config, mark() * u(4)).unwrap_err();
    assert_eq!(arithmetic_kind(e), Some(ArithmeticKind::Overflow));
    let e = trade(
        &config,
        &huge,
        Prices::single(mark() * u(2)),
        0,
        request(Side::Collateral, Side::Long, u(1_000)),
    )
    .unwrap_err();
    assert!(arithmetic_kind(e).is_some(), "{e}");
    // The largest deposit of all is accepted (the split fits) and evaluates at MARK.
    assert!(create(&config, Q256M, InitialSplit::Thirds, mark(), 0).is_ok());
    // Coefficient of a target at the extreme power, and evaluation of maximal coefficients.
    assert!(coefficient(Q256M >> 1, u(1), Q256M).is_err());
    assert!(evaluate(u(R), Q256M, Q256M, Q256M).is_err());
    // Extreme but representable prices are fine.
    let wild = Config::new(8, u(1));
    assert!(asymptote_math::xk(Q256M, u(1), wild.k).is_ok());
    assert!(asymptote_math::xk(u(1), Q256M, wild.k).is_ok());
}

// ---------------------------------------------------------------- the joint at R/2

/// `u = v x^K` at `floor(R/2)` and one unit above evaluate to the same integer on both
/// branches, for R even and odd: the joint has no step.
#[test]
fn the_branches_meet_without_a_step_at_floor_r_over_2() {
    for big_r in [1_000u128, 1_001, R, R + 1] {
        let half = u(big_r / 2);
        let below = reserve(half, Q128, u(big_r)).unwrap();
        let above = reserve(half + u(1), Q128, u(big_r)).unwrap();
        assert_eq!(below, half, "R {big_r}");
        assert_eq!(above, half, "R {big_r}");
        // Continuing up, the flat branch rises by at most one unit per unit of u.
        let two_above = reserve(half + u(2), Q128, u(big_r)).unwrap();
        assert!(two_above >= above && two_above <= above + u(1));
    }
}

/// Through price, for K = 1 and odd K: a LONG side exactly at the joint at MARK. Moving the
/// price by `h` up or down changes rA by the same first-order amount `K (R/2) h / MARK`
/// (equal slopes: `K r` below, `K (R - r)` above), to second order.
#[test]
fn the_joint_is_smooth_in_price_for_odd_k() {
    for k in [1u32, 3, 5, 7] {
        let config = Config::new(k, mark());
        let split = InitialSplit::Coefficients {
            a: u(R / 2),
            b: u(R / 10),
        };
        let (state, at) = create(&config, u(R), split, mark(), 0).unwrap();
        assert_eq!(at.long, u(R / 2));
        let h = MARK / 1_000_000;
        let up = state.reserves_at(&config, u(MARK + h)).unwrap().long;
        let down = state.reserves_at(&config, u(MARK - h)).unwrap().long;
        let (rise, fall) = (up - at.long, at.long - down);
        let first_order = u(k as u128 * (R / 2) / 1_000_000);
        // rise and fall both within K^2 * (R/2) * 1e-12 (the second-order term) of K R/2 h.
        let second = u(k as u128 * k as u128 * (R / 2) / 1_000_000_000_000 + 2);
        for (what, d) in [("rise", rise), ("fall", fall)] {
            let gap = if d > first_order {
                d - first_order
            } else {
                first_order - d
            };
            assert!(gap <= second, "K {k} {what} {d} vs {first_order}");
        }
        // Above the joint the side is on the flat branch, below on the power branch.
        assert!(up > u(R / 2) && down < u(R / 2));
    }
}

/// An open that takes LONG across the joint (from 40 % to just below, at and just above
/// `R1/2`) re-solves on the right branch, for K = 1 and odd K, with the minted amount
/// tracking the target within the round-trip bounds (-1 .. +grain, grain 1 at x = 1).
#[test]
fn opens_across_the_joint_for_odd_k() {
    for k in [1u32, 3, 5] {
        let config = Config::new(k, mark());
        let split = InitialSplit::Reserves {
            long: u(R / 10 * 4),
            short: u(R / 10),
        };
        let (state, at) = create(&config, u(R), split, mark(), 0).unwrap();
        // Target rA1 = rA + v with R1 = R + v: rA1 - R1/2 = rA + v/2 - R/2, so
        // v = R - 2 rA + 2 d puts rA1 at R1/2 + d.
        for d in [-1i128, 0, 1, 2] {
            let v = (u(R) - at.long * u(2)).to::<u128>() as i128 + 2 * d;
            let out = run(
                &config,
                &state,
                0,
                request(Side::Collateral, Side::Long, u(v as u128)),
            )
            .unwrap();
            let target = at.long + u(v as u128);
            let r1 = out.after.long;
            assert!(
                r1 + u(1) >= target && r1 <= target + u(1),
                "K {k} d {d}: {r1} vs {target}"
            );
            assert_eq!(
                out.amount_out,
                mul_div(state.supply_long, r1 - at.long, at.long).unwrap()
            );
            // At x = 1 the power branch solves a1 = rA1 exactly; the flat branch solves
            // a1 = ceil(R1^2 / (4 (R1 - rA1))) > rA1.
            assert_eq!(out.state.a == target, d <= 0, "K {k} d {d}: branch");
        }
    }
}
