//! `open_exact_input` on arbitrary pools (created, then moved by a few trades) and budgets.
//!
//! * never a panic; an error is a named `PoolError`, and `SameSide` exactly when the side
//!   opened is collateral;
//! * an open's `amount_in` is at most the budget, positive, and the outcome is exactly what
//!   `trade` gives for the value found (same state, amounts, fees, charge);
//! * when the search reports convergence, one more unit of value is over budget or refused
//!   by `trade` (at most one unit left on the table);
//! * `open_first_guess` / `open_next_guess` (the model steps the program's search takes):
//!   never above the gross bound `floor(budget OPEN_RATE / Q128)`, `SameSide` iff the side
//!   opened is collateral;
//! * `InputTooSmall` (after a converged search) only when one unit of value does not fit
//!   the budget either.

#![no_main]

use arbitrary::Arbitrary;
use asymptote_fuzz::{stats_enabled, AmountGen, Magnitude, PoolGen, PricesGen, SideGen, TimeStep};
use asymptote_math::{
    mul_div, open_exact_input_with_stats, open_first_guess, open_next_guess, trade, Config,
    PoolError, Side, Trade, Q128, U256, U64F64,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    pool: PoolGen,
    /// Trades run first, to move the pool away from its creation split.
    setup: Vec<(SideGen, SideGen, AmountGen)>,
    side_out: SideGen,
    budget: Budget,
    prices: PricesGen,
    step: TimeStep,
}

#[derive(Debug, Arbitrary)]
enum Budget {
    /// A fraction of the pool's collateral (1/65536 units).
    OfPool(u16),
    Absolute(Magnitude),
}

fuzz_target!(|input: Input| {
    let Some((config, mut state, price)) = input.pool.create() else {
        return;
    };
    let now = state.last_interest;
    for (side_in, side_out, amount) in input.setup.iter().take(4) {
        let request = Trade {
            side_in: side_in.side(),
            side_out: side_out.side(),
            amount: amount.amount(state.supply(side_in.side())),
        };
        let prices = asymptote_math::Prices::single(price);
        if let Ok(out) = trade(&config, &state, prices, now, request) {
            state = out.state;
        }
    }
    let now = input.step.apply(now);
    let prices = input.prices.prices(config.mark);
    let side_out = input.side_out.side();
    let budget = match input.budget {
        Budget::OfPool(f) => AmountGen::Fraction(f).amount(state.r),
        Budget::Absolute(m) => m.value(),
    };

    // The model steps the program's own search uses: never above the gross bound.
    let or_eff = if side_out.is_position() {
        config.open_rate
    } else {
        Q128
    };
    let bound = mul_div(budget, or_eff, Q128).ok();
    match open_first_guess(&config, &state, prices, now, side_out, budget) {
        Ok(v) => assert!(
            Some(v) <= bound || bound.is_none(),
            "first guess {v} above {bound:?}"
        ),
        Err(e) => assert_eq!(
            side_out == Side::Collateral,
            e == PoolError::SameSide,
            "{e}"
        ),
    }

    let (result, stats) =
        open_exact_input_with_stats(&config, &state, prices, now, side_out, budget);
    let open = |value: U256, config: &Config| {
        let request = Trade {
            side_in: Side::Collateral,
            side_out,
            amount: value,
        };
        trade(config, &state, prices, now, request)
    };
    // The search runs without the skew cap (it changes no amount).
    let mut uncapped = config;
    uncapped.skew.b_max = U64F64::ZERO;
    let fits = |value: U256| matches!(open(value, &uncapped), Ok(out) if out.amount_in <= budget);

    match result {
        Ok(out) => {
            if stats_enabled() {
                eprintln!("ok exact_input converged={}", stats.converged);
            }
            assert!(side_out != Side::Collateral);
            assert!(
                out.amount_in <= budget,
                "spent {} of {budget}",
                out.amount_in
            );
            assert!(!out.amount_in.is_zero() && !out.value.is_zero());
            assert_eq!(
                open(out.value, &config),
                Ok(out),
                "not the trade of its value"
            );
            if let Ok(Some(v)) = open_next_guess(&config, side_out, budget, out.value, &out) {
                assert!(Some(v) <= bound, "next guess {v} above {bound:?}");
            }
            if stats.converged {
                let next = out.value + U256::from(1u8);
                let cost = open(next, &uncapped).map(|o| o.amount_in);
                assert!(
                    !fits(next),
                    "converged at {}, but {next} also fits: budget {budget}, cost {cost:?}, {stats:?}",
                    out.value
                );
            }
        }
        Err(e) => {
            if stats_enabled() {
                eprintln!("err exact_input {e}");
            }
            assert_eq!(
                side_out == Side::Collateral,
                e == PoolError::SameSide,
                "SameSide iff the side opened is collateral ({e})"
            );
            // Finding F3 (docs/fuzzing.md): when the search runs out of evaluations before
            // any value fits, it also says `InputTooSmall`; only a converged search is held
            // to it here, so the run goes on.
            // `ASYMPTOTE_FUZZ_STRICT=1` holds unconverged searches to it too, for prices
            // within 16x of the mark (to look for F3 at realistic prices).
            let near_mark = |p: U256| {
                p <= config.mark.saturating_mul(U256::from(16u8))
                    && p.saturating_mul(U256::from(16u8)) >= config.mark
            };
            let strict = std::env::var_os("ASYMPTOTE_FUZZ_STRICT").is_some()
                && near_mark(prices.spot)
                && near_mark(prices.ema);
            if e == PoolError::InputTooSmall && (stats.converged || strict) {
                let one = open(U256::from(1u8), &uncapped).map(|o| (o.amount_in, o.value));
                assert!(
                    !fits(U256::from(1u8)),
                    "InputTooSmall, but one unit fits: budget {budget}, v = 1 -> {one:?}, {stats:?}"
                );
            }
        }
    }
});
