//! A pool made by `pool::create`, then a sequence of trades and funding cranks at arbitrary
//! prices and slots. Every operation either fails with an error (never a panic) or leaves a
//! state that satisfies the SPEC invariants, checked after each step:
//!
//! * `4ab <= R^2` (`check_solvent`), and at every price tried `rA + rB + rC == R` with
//!   `rA + rB <= R` (the split `Reserves::of` evaluates never goes negative);
//! * the outcome's `before` and `after` splits add up to the collateral before and after
//!   the trade, and collateral moves only by what the trader paid or received and the
//!   protocol fee;
//! * every token supply stays at least `MINIMUM_SUPPLY`; supplies move by exactly the
//!   tokens burned and minted;
//! * the timers never go back and never pass `now`; an operation dated before a timer fails.

#![no_main]

use arbitrary::Arbitrary;
use asymptote_fuzz::{stats_enabled, AmountGen, PoolGen, PricesGen, SideGen, TimeStep};
use asymptote_math::curve::check_solvent;
use asymptote_math::{
    accrue_funding, trade, Config, Prices, Reserves, Side, State, Trade, TradeOutcome,
    MINIMUM_SUPPLY, U256,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    pool: PoolGen,
    ops: Vec<Op>,
}

#[derive(Debug, Arbitrary)]
enum Op {
    Trade {
        side_in: SideGen,
        side_out: SideGen,
        /// Relative to the input side's supply (collateral: to `R`).
        amount: AmountGen,
        prices: PricesGen,
        step: TimeStep,
    },
    Accrue {
        prices: PricesGen,
        step: TimeStep,
    },
}

const MAX_OPS: usize = 24;

fuzz_target!(|input: Input| {
    let Some((config, mut state, price)) = input.pool.create() else {
        if stats_enabled() {
            eprintln!("err create");
        }
        return;
    };
    if stats_enabled() {
        eprintln!("ok create");
    }
    check_state(&config, &state, &[price]);
    let mut clock = state.last_interest;
    for op in input.ops.iter().take(MAX_OPS) {
        match *op {
            Op::Trade {
                side_in,
                side_out,
                amount,
                prices,
                step,
            } => {
                let now = step.apply(clock);
                let prices = prices.prices(config.mark);
                let (side_in, side_out) = (side_in.side(), side_out.side());
                let amount = amount.amount(state.supply(side_in));
                let request = Trade {
                    side_in,
                    side_out,
                    amount,
                };
                match trade(&config, &state, prices, now, request) {
                    Ok(out) => {
                        if stats_enabled() {
                            eprintln!("ok trade {side_in:?}->{side_out:?}");
                        }
                        check_trade(&config, &state, &request, &out, now, prices);
                        state = out.state;
                    }
                    Err(e) => {
                        if stats_enabled() {
                            eprintln!("err trade {e}");
                        }
                    }
                }
                clock = clock.max(now);
            }
            Op::Accrue { prices, step } => {
                let now = step.apply(clock);
                let prices = prices.prices(config.mark);
                match accrue_funding(&config, &state, prices, now) {
                    Ok((next, charges)) => {
                        if stats_enabled() {
                            eprintln!("ok accrue");
                        }
                        check_clock(&state, &next, now);
                        assert_eq!(
                            Some(next.r),
                            state.r.checked_sub(charges.protocol_fee),
                            "the crank moves R by the protocol fee only"
                        );
                        assert_eq!(
                            (next.supply_long, next.supply_short, next.supply_lp),
                            (state.supply_long, state.supply_short, state.supply_lp),
                            "the crank mints and burns nothing"
                        );
                        check_state(&config, &next, &[prices.spot, prices.ema]);
                        state = next;
                    }
                    Err(e) => {
                        if stats_enabled() {
                            eprintln!("err accrue {e}");
                        }
                    }
                }
                clock = clock.max(now);
            }
        }
    }
});

/// Timers: monotone, never past `now`; an operation before a timer cannot succeed.
fn check_clock(before: &State, after: &State, now: u64) {
    assert!(
        now >= before.last_interest && now >= before.last_premium,
        "an operation dated before the pool's timers succeeded"
    );
    assert!(after.last_interest >= before.last_interest && after.last_interest <= now);
    assert!(after.last_premium >= before.last_premium && after.last_premium <= now);
}

/// Solvency, the split at each price, and the supply floor.
fn check_state(config: &Config, state: &State, prices: &[U256]) {
    assert_eq!(
        check_solvent(state.r, state.a, state.b),
        Ok(()),
        "4ab > R^2"
    );
    for &price in prices {
        // An evaluation may overflow at an extreme price (a named error), but never
        // produce a split that does not add up.
        if let Ok(split) = state.reserves_at(config, price) {
            assert_split(&split, state.r);
        }
    }
    for side in [Side::Long, Side::Short, Side::Lp] {
        assert!(
            state.supply(side) >= U256::from(MINIMUM_SUPPLY),
            "{side:?} supply below MINIMUM_SUPPLY"
        );
    }
}

fn assert_split(split: &Reserves, big_r: U256) {
    let sum = split
        .long
        .checked_add(split.short)
        .and_then(|s| s.checked_add(split.lp));
    assert_eq!(sum, Some(big_r), "rA + rB + rC != R: {split:?}");
}

fn check_trade(
    config: &Config,
    state: &State,
    request: &Trade,
    out: &TradeOutcome,
    now: u64,
    prices: Prices,
) {
    let next = &out.state;
    check_clock(state, next, now);
    assert!(request.side_in != request.side_out && !request.amount.is_zero());
    // The price used is one of the two candidates.
    assert!(out.price.price == prices.spot || out.price.price == prices.ema);

    // Collateral: R after funding is what the split before the trade adds up to.
    let funded_r = state
        .r
        .checked_sub(out.funding.protocol_fee)
        .expect("protocol fee larger than R");
    assert_split(&out.before, funded_r);
    assert_split(&out.after, next.r);
    let expected_r = match (request.side_in, request.side_out) {
        (Side::Collateral, _) => funded_r.checked_add(out.amount_in),
        (_, Side::Collateral) => funded_r.checked_sub(out.amount_out),
        _ => Some(funded_r),
    };
    assert_eq!(Some(next.r), expected_r, "R moved by more than the trade");

    // Supplies: the input side burns `amount_in`, the output side mints `amount_out`.
    for side in [Side::Long, Side::Short, Side::Lp] {
        let expected = if side == request.side_in {
            state.supply(side).checked_sub(out.amount_in)
        } else if side == request.side_out {
            state.supply(side).checked_add(out.amount_out)
        } else {
            Some(state.supply(side))
        };
        assert_eq!(Some(next.supply(side)), expected, "{side:?} supply");
    }
    // (A token input may burn more than `amount`: SPEC 11.3, a known limitation; the
    // program bounds it with the caller's max-in.)
    // Nothing is paid for nothing: the trader always gives something.
    assert!(!out.amount_in.is_zero(), "a trade with zero input");

    check_state(config, next, &[prices.spot, prices.ema, out.price.price]);
}
