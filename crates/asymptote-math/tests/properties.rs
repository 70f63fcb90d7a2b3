//! Randomised operation sequences on random pools (SPEC section 9).
//!
//! Every generated sequence starts from a fresh pool (K in 1..=8, MARK and R at on-chain and
//! at 1e21 scale, random split, price, half-lives and opening fee) and applies a random list
//! of trades over all (side_in, side_out) pairs, open-then-close round trips, slot advances,
//! price moves and funding cranks. After every operation the invariants are checked with
//! exact integer arithmetic. Refused operations (`Err`) are skipped; a panic fails the test.
//!
//! Checked here: (1) `rA + rB + rC == R` and `4ab <= R^2` at several prices; (2) vault ==
//! `R` + protocol fees owed; (3) at the operation's price and slot, no side's value per token
//! drops beyond the coefficient granularity (LP only; LONG and SHORT not at all); (4) open
//! then close at one slot and price returns at most what was paid plus that granularity;
//! (5) funding changes `R` by the protocol fee only and never empties a side; (8) supplies
//! stay >= `MINIMUM_SUPPLY`, timers never go back. Items (6) and the crank's details are in
//! `funding_properties.rs`, the curve inverse in `curve_properties.rs`.
#![cfg(test)]

mod common;

use std::collections::BTreeMap;

use asymptote_math::curve::check_solvent;
use asymptote_math::{
    accrue_funding, trade, Config, PoolError, Prices, Reserves, Side, Trade, TradeOutcome,
    MINIMUM_SUPPLY, U256,
};
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};

type Check = Result<(), TestCaseError>;

/// What a sequence did, for the coverage test.
#[derive(Debug, Default)]
struct Stats {
    ok: BTreeMap<(String, String), u64>,
    refused: BTreeMap<&'static str, u64>,
    round_trips: u64,
    cranks_charged: u64,
    /// Largest LP dust (rC drop on a trade that does not involve LP), in units.
    max_lp_dust: U256,
    /// Largest round-trip gain over what was paid, in units.
    max_round_trip_gain: U256,
}

fn name(side: Side) -> String {
    format!("{side:?}")
}

/// Invariants of a state on its own: (1), (2), (8) and the token bookkeeping.
fn check_state(world: &World) -> Check {
    let s = &world.state;
    // (1) at every probed price, the split adds up and is solvent.
    prop_assert!(check_solvent(s.r, s.a, s.b).is_ok(), "4ab > R^2: {s:?}");
    let wide_ab = w(s.a) * w(s.b) * w(U256::from(4u8));
    prop_assert!(wide_ab <= w(s.r) * w(s.r), "4ab > R^2: {s:?}");
    let prices = world.prices();
    let probes = PROBE_PPM
        .iter()
        .map(|&p| price_at(world.config.mark, p))
        .chain([prices.spot, prices.ema]);
    for price in probes {
        let r = s.reserves_at(&world.config, price);
        prop_assert!(r.is_ok(), "evaluation failed at {price}: {r:?} {s:?}");
        let r = r.unwrap_or(Reserves {
            long: U256::ZERO,
            short: U256::ZERO,
            lp: U256::ZERO,
        });
        prop_assert_eq!(r.long + r.short + r.lp, s.r, "split at {}", price);
    }
    // (8) supplies never below the dead shares; the traders hold exactly the rest.
    let dead = U256::from(MINIMUM_SUPPLY);
    for side in [Side::Long, Side::Short, Side::Lp] {
        prop_assert!(s.supply(side) >= dead, "{side:?} supply {}", s.supply(side));
        prop_assert_eq!(s.supply(side), world.holding(side) + dead, "{:?}", side);
    }
    prop_assert!(s.last_interest <= world.now && s.last_premium <= world.now);
    // (2) the vault holds R plus the protocol fees owed, to the unit.
    prop_assert_eq!(world.vault, s.r + world.fees_owed);
    Ok(())
}

/// Granularity of the coefficient of a side at the selected power (0 for R and LP, which
/// have no coefficient of their own).
fn side_grain(side: Side, xk: U256) -> U256 {
    match side {
        Side::Long => grain(xk),
        Side::Short => grain(short_xk(xk)),
        Side::Lp | Side::Collateral => U256::ZERO,
    }
}

/// Checks of one successful trade against the state it started from.
fn check_trade(world: &World, req: &Trade, out: &TradeOutcome, stats: &mut Stats) -> Check {
    let (s0, s1) = (&world.state, &out.state);
    let config = &world.config;
    let f = &out.funding;

    // (8) timers never go back, never pass the clock.
    prop_assert!(s1.last_interest >= s0.last_interest && s1.last_interest <= world.now);
    prop_assert!(s1.last_premium >= s0.last_premium && s1.last_premium <= world.now);

    // Supplies move by exactly what is burned and minted.
    for side in [Side::Long, Side::Short, Side::Lp] {
        let mut expected = s0.supply(side);
        if side == req.side_in {
            expected -= out.amount_in;
        }
        if side == req.side_out {
            expected += out.amount_out;
        }
        prop_assert_eq!(s1.supply(side), expected, "{:?} supply", side);
    }

    // (5) funding changes R by the protocol fee only; the fee is the interest's share.
    let expected_fee = if config.fee_divisor == 0 {
        U256::ZERO
    } else {
        f.interest / U256::from(config.fee_divisor)
    };
    prop_assert_eq!(f.protocol_fee, expected_fee);
    let funded_r = s0.r - f.protocol_fee;
    let b = &out.before;
    prop_assert_eq!(b.long + b.short + b.lp, funded_r);
    let (p_long, p_short) = (out.price.r_long, out.price.r_short);
    if p_long >= U256::from(1u8) && p_short >= U256::from(1u8) {
        // Interest is exactly the drop of rA + rB (the premium only moves value).
        prop_assert_eq!(b.long + b.short + f.interest, p_long + p_short);
        // ... and never empties a side.
        prop_assert!(b.long >= U256::from(1u8) && b.short >= U256::from(1u8));
    }
    let expected_r = match (req.side_in, req.side_out) {
        (Side::Collateral, _) => funded_r + out.amount_in,
        (_, Side::Collateral) => funded_r - out.amount_out,
        _ => funded_r,
    };
    prop_assert_eq!(s1.r, expected_r);

    // (3) at the trade's price and slot (after funding), the value per token of every side
    // that does not trade is kept: exactly for LONG and SHORT (the target checks), within
    // the coefficient granularity of both sides for LP (re-solving a and b with ceilings
    // can overshoot rA and rB; see `grain`). The holders of the traded sides who do not
    // trade are kept whole exactly (burns are ceiled, mints floored).
    let xk = out.price.xk;
    let lp_untouched = req.side_in != Side::Lp && req.side_out != Side::Lp;
    for side in [Side::Long, Side::Short, Side::Lp] {
        let dust = if side == Side::Lp && lp_untouched {
            grain(xk) + grain(short_xk(xk))
        } else {
            U256::ZERO
        };
        let (r0, r1) = (out.before.get(side), out.after.get(side));
        let (n0, n1) = (s0.supply(side), s1.supply(side));
        prop_assert!(
            w(r0) * w(n1) <= (w(r1) + w(dust)) * w(n0),
            "{side:?} per-token value fell: {r0}/{n0} -> {r1}/{n1} (dust {dust}), {req:?}"
        );
        if side == Side::Lp && lp_untouched && r1 < r0 {
            stats.max_lp_dust = stats.max_lp_dust.max(r0 - r1);
        }
    }

    // The trader never receives more value than it gives, beyond the granularity of the
    // coefficients of the position sides it trades (value in at the pre-trade per-token
    // value, value out at the post-trade one).
    let (vin_num, vin_den) = if req.side_in == Side::Collateral {
        (w(out.amount_in), w(U256::from(1u8)))
    } else {
        (
            w(out.amount_in) * w(out.before.get(req.side_in)),
            w(s0.supply(req.side_in)),
        )
    };
    let (vout_num, vout_den) = if req.side_out == Side::Collateral {
        (w(out.amount_out), w(U256::from(1u8)))
    } else {
        (
            w(out.amount_out) * w(out.after.get(req.side_out)),
            w(s1.supply(req.side_out)),
        )
    };
    let allowance = side_grain(req.side_in, xk) + side_grain(req.side_out, xk);
    prop_assert!(
        ratio_le_plus(vout_num, vout_den, vin_num, vin_den, w(allowance)),
        "trader gained more than {allowance}: {req:?} in {} out {}",
        out.amount_in,
        out.amount_out
    );
    Ok(())
}

fn apply(world: &mut World, req: &Trade, out: &TradeOutcome) {
    if req.side_in == Side::Collateral {
        world.vault += out.amount_in;
    } else {
        world.hold[index(req.side_in)] -= out.amount_in;
    }
    if req.side_out == Side::Collateral {
        world.vault -= out.amount_out;
    } else {
        world.hold[index(req.side_out)] += out.amount_out;
    }
    world.fees_owed += out.funding.protocol_fee;
    world.state = out.state;
}

/// Run a trade; `Ok(Some(outcome))` if it succeeded, was checked and was applied.
fn do_trade(
    world: &mut World,
    req: Trade,
    prices: Prices,
    stats: &mut Stats,
) -> Result<Option<TradeOutcome>, TestCaseError> {
    let result = trade(&world.config, &world.state, prices, world.now, req);
    if req.side_in == req.side_out {
        prop_assert_eq!(result.err(), Some(PoolError::SameSide));
        return Ok(None);
    }
    if req.amount.is_zero() {
        prop_assert_eq!(result.err(), Some(PoolError::ZeroAmount));
        return Ok(None);
    }
    let out = match result {
        Ok(out) => out,
        Err(e) => {
            *stats.refused.entry(e.name()).or_default() += 1;
            return Ok(None);
        }
    };
    // A token input grossed up by the opening fee can exceed what the trader holds: the
    // program's burn would fail, so the trade does not happen.
    if req.side_in.is_token() && out.amount_in > world.holding(req.side_in) {
        *stats.refused.entry("burn exceeds holdings").or_default() += 1;
        return Ok(None);
    }
    check_trade(world, &req, &out, stats)?;
    apply(world, &req, &out);
    *stats
        .ok
        .entry((name(req.side_in), name(req.side_out)))
        .or_default() += 1;
    Ok(Some(out))
}

/// (4) Open `R -> side` with the given value and close everything received `side -> R` at
/// the same slot and one price.
///
/// Bound: the open credits the side `rX1 - rX <= value + o1` and the close pays
/// `floor(n rX1 / sX1) <= rX1 - rX`, so the collateral gain is at most the open's
/// overshoot `o1 <= grain`; tokens left over by a close whose burn was rounded down by its
/// own overshoot `o2` are worth at most `o2`, so collateral plus leftovers gain at most
/// `2 grain`. LP has no coefficient of its own: its round trip gains nothing.
///
/// Funding is switched off for the strict check (a close can charge funding that the open,
/// at the same slot, left pending because it rounded to nothing; that is a transfer between
/// sides, not a property of the transition). The world then replays the round trip with
/// its own configuration.
fn round_trip(world: &mut World, side: Side, size: Size, stats: &mut Stats) -> Check {
    let prices = Prices::single(world.prices().spot);
    let value = world.amount(Side::Collateral, size);
    let mut strict = world.clone();
    strict.config = Config {
        interest_hl: 0,
        premium_hl: 0,
        ..world.config
    };
    strict.ema_ppm = strict.spot_ppm;
    let open = Trade {
        side_in: Side::Collateral,
        side_out: side,
        amount: value,
    };
    let Some(opened) = do_trade(&mut strict, open, prices, stats)? else {
        return Ok(());
    };
    let close = Trade {
        side_in: side,
        side_out: Side::Collateral,
        amount: opened.amount_out,
    };
    let Some(closed) = do_trade(&mut strict, close, prices, stats)? else {
        return Ok(());
    };
    stats.round_trips += 1;
    let paid = opened.amount_in;
    let received = closed.amount_out;
    let g1 = side_grain(side, opened.price.xk);
    let g2 = side_grain(side, closed.price.xk);
    prop_assert!(
        received <= paid + g1,
        "round trip {side:?}: paid {paid} received {received} (grain {g1})"
    );
    if received > paid {
        stats.max_round_trip_gain = stats.max_round_trip_gain.max(received - paid);
    }
    // Leftover tokens (minted but not burned) at their post-close value.
    let minted = opened.amount_out;
    let leftover = minted.saturating_sub(closed.amount_in);
    let s2 = closed.state.supply(side);
    let r2 = closed.after.get(side);
    prop_assert!(
        (w(received) + w(leftover) * w(r2) / w(s2)) <= w(paid) + w(g1) + w(g2),
        "round trip {side:?} with leftovers: paid {paid} received {received} + {leftover} tokens"
    );

    // Replay with the pool's own configuration (funding on) and keep the result.
    check_state(&strict)?;
    if let Some(opened) = do_trade(world, open, prices, stats)? {
        check_state(world)?;
        let close = Trade {
            amount: opened.amount_out,
            ..close
        };
        do_trade(world, close, prices, stats)?;
    }
    Ok(())
}

fn crank(world: &mut World, stats: &mut Stats) -> Check {
    let xk = world.crank_xk();
    let before = Reserves::of(&world.state, xk).unwrap();
    let result = accrue_funding(&world.config, &world.state, world.prices(), world.now);
    let (next, charges) = match result {
        Ok(x) => x,
        Err(e) => {
            *stats.refused.entry(e.name()).or_default() += 1;
            return Ok(());
        }
    };
    if next != world.state {
        stats.cranks_charged += 1;
    }
    // (5) R changes by the protocol fee only.
    prop_assert_eq!(next.r + charges.protocol_fee, world.state.r);
    // (8) timers.
    prop_assert!(next.last_interest >= world.state.last_interest);
    prop_assert!(next.last_premium >= world.state.last_premium);
    prop_assert_eq!(next.supply_long, world.state.supply_long);
    prop_assert_eq!(next.supply_short, world.state.supply_short);
    prop_assert_eq!(next.supply_lp, world.state.supply_lp);
    // (5) never empties a side (at the crank's price).
    let after = Reserves::of(&next, xk).unwrap();
    if before.long >= U256::from(1u8) {
        prop_assert!(after.long >= U256::from(1u8));
    }
    if before.short >= U256::from(1u8) {
        prop_assert!(after.short >= U256::from(1u8));
    }
    world.fees_owed += charges.protocol_fee;
    world.state = next;
    Ok(())
}

fn run_ops(world: &mut World, ops: &[Op], stats: &mut Stats) -> Check {
    check_state(world)?;
    for op in ops {
        match *op {
            Op::Trade {
                side_in,
                side_out,
                size,
            } => {
                let req = Trade {
                    side_in,
                    side_out,
                    amount: world.amount(side_in, size),
                };
                let prices = world.prices();
                do_trade(world, req, prices, stats)?;
            }
            Op::RoundTrip { side, size } => round_trip(world, side, size, stats)?,
            Op::Advance(slots) => world.now += slots,
            Op::Move {
                spot_ppm,
                spread_ppm,
            } => {
                world.spot_ppm = spot_ppm;
                let ema = spot_ppm as i128 * (PPM as i128 + spread_ppm as i128) / PPM as i128;
                world.ema_ppm = (ema as u64).clamp(200_000, 5 * PPM);
            }
            Op::Crank => crank(world, stats)?,
        }
        check_state(world)?;
    }
    Ok(())
}

fn sequence_strategy() -> impl Strategy<Value = (PoolSpec, Vec<Op>)> {
    (
        pool_strategy(Funding::Any),
        prop::collection::vec(op_strategy(), 1..=40),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// SPEC 9 (1), (2), (3), (4), (5), (8) after every operation of random sequences.
    #[test]
    fn random_sequences_keep_the_invariants((spec, ops) in sequence_strategy()) {
        let world = World::new(&spec, 1_000);
        prop_assume!(world.is_some());
        let mut world = world.unwrap();
        let mut stats = Stats::default();
        run_ops(&mut world, &ops, &mut stats)?;
    }
}

/// The generator really reaches every transition: each of the 12 (side_in, side_out)
/// pairs succeeds, round trips and charged cranks happen. Run with `--nocapture` to see the
/// counts, the refusals and the largest dust and round-trip gain observed.
#[test]
fn sequences_cover_every_transition() {
    let mut runner = TestRunner::new(ProptestConfig::with_cases(300));
    let stats = std::cell::RefCell::new(Stats::default());
    runner
        .run(&sequence_strategy(), |(spec, ops)| {
            if let Some(mut world) = World::new(&spec, 1_000) {
                run_ops(&mut world, &ops, &mut stats.borrow_mut())?;
            }
            Ok(())
        })
        .unwrap();
    let stats = stats.into_inner();
    println!("{stats:#?}");
    for side_in in Side::ALL {
        for side_out in Side::ALL {
            if side_in != side_out {
                let n = stats.ok.get(&(name(side_in), name(side_out))).copied();
                assert!(
                    n.unwrap_or(0) > 0,
                    "{side_in:?} -> {side_out:?} never succeeded"
                );
            }
        }
    }
    assert!(stats.round_trips > 0);
    assert!(stats.cranks_charged > 0);
}
