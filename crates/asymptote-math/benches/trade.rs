//! One full open (collateral -> LONG) and one full close (LONG -> collateral) through
//! `trade`, with interest, premium, protocol fee and an opening fee enabled and a few
//! thousand slots since the last charge, so every step of the transition runs: price
//! selection between two candidates, interest and premium accrual, target build, both
//! coefficient re-solves, checks, amounts and the opening-fee gross-up.
//!
//! `cargo bench -p asymptote-math --bench trade -- --warm-up-time 1 --measurement-time 3`
#![allow(
    clippy::expect_used,
    reason = "a benchmark whose setup cannot run has nothing to measure"
)]

use std::hint::black_box;

use asymptote_math::{
    create, mul_div, trade, Config, InitialSplit, Prices, Side, State, Trade, Q128, U256,
};
use criterion::{criterion_group, criterion_main, Criterion};

/// Slots since the pool's last charge: about 40 minutes at 0.4 s per slot.
const ELAPSED: u64 = 6_000;

fn u(x: u128) -> U256 {
    U256::from(x)
}

/// A pool of 1e15 atoms (a u64 on-chain amount), K = 2, LONG 45 % and SHORT 20 % at MARK,
/// Derion's sample rates in slots (interest 0.06 %/day, premium up to 6 %/day at 2x),
/// 0.1 % opening fee, protocol fee 1/5 of the interest.
fn setup() -> (Config, State, Prices) {
    let mark = u(3000) << 128;
    let mut config = Config::new(2, mark);
    config.interest_hl = 249_532_988;
    config.premium_hl = 2_495_330;
    config.open_rate = mul_div(Q128, u(999), u(1000)).expect("open rate");
    config.fee_divisor = 5;
    let deposit = u(1_000_000_000_000_000);
    let split = InitialSplit::Reserves {
        long: deposit / u(100) * u(45),
        short: deposit / u(5),
    };
    let (state, _) = create(&config, deposit, split, mark, 0).expect("pool");
    // Spot 0.2 % above the EMA: the two candidates differ, as they usually do.
    let prices = Prices::new(mark / u(1000) * u(1002), mark);
    (config, state, prices)
}

fn bench_trade(c: &mut Criterion) {
    let (config, state, prices) = setup();
    let open = Trade {
        side_in: Side::Collateral,
        side_out: Side::Long,
        amount: u(10_000_000_000_000),
    };
    let close = Trade {
        side_in: Side::Long,
        side_out: Side::Collateral,
        amount: state.supply_long / u(10),
    };
    // Both trades succeed and really charge funding.
    for t in [open, close] {
        let out = trade(&config, &state, prices, ELAPSED, t).expect("trade");
        assert!(out.funding.interest > U256::ZERO && out.funding.premium > U256::ZERO);
    }

    c.bench_function("open R->LONG (funding, 6000 slots)", |b| {
        b.iter(|| {
            trade(
                black_box(&config),
                black_box(&state),
                black_box(prices),
                black_box(ELAPSED),
                black_box(open),
            )
        })
    });
    c.bench_function("close LONG->R (funding, 6000 slots)", |b| {
        b.iter(|| {
            trade(
                black_box(&config),
                black_box(&state),
                black_box(prices),
                black_box(ELAPSED),
                black_box(close),
            )
        })
    });
}

criterion_group!(benches, bench_trade);
criterion_main!(benches);
