//! A short scenario end to end through the program, its CSV checked to the unit against
//! the math core's own replay of the same operations, and the chart produced.

// A test reports a broken fixture by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use asymptote_math::{
    accrue_funding_at, mul_div, trade, Config, Prices, Side, SkewConfig, State, Trade, Q128, U256,
    U64F64,
};
use asymptote_sandbox::report::units;
use asymptote_sandbox::{run_to_dir, Options, RunResult, SandboxError, Scenario};
use asymptote_tests::Mode;

const SCENARIO: &str = r#"
name = "replay"
steps = 90
slots_per_step = 9000
seed = 21
idle = [[40, 50]]

[pool]
k = 4
interest_half_life_days = 200.0
premium_half_life_days = 5.0
opening_fee_bps = 30
protocol_fee_divisor = 5
skew_lambda = 0.02
skew_cap = 4.0

[price]
kind = "gbm"
initial = 150.0
volatility = 0.8

[[actors]]
kind = "lp"
name = "lp"
deposit = 500_000.0
topup = 25_000.0
topup_every = 20

[[actors]]
kind = "lp"
name = "lp2"
deposit = 100_000.0
exit_at_step = 70

[[actors]]
kind = "momentum"
name = "trend"
collateral = 100_000.0
size = 30_000.0
lookback = 3
threshold = 0.004
hold = 8

[[actors]]
kind = "contrarian"
name = "fader"
collateral = 100_000.0
size = 20_000.0
lookback = 2
threshold = 0.004
hold = 5

[[actors]]
kind = "crank"
name = "crank"
every = 3
"#;

fn out_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

fn write_scenario(dir: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The math core's configuration of the pool, built from its parameters without the
/// program's helpers.
fn math_config(result: &RunResult) -> Config {
    let p = &result.pool_params;
    let kept = U256::from(10_000 - u64::from(p.opening_fee_bps));
    Config {
        k: p.k,
        mark: U256::from(p.mark),
        interest_hl: p.interest_half_life,
        premium_hl: p.premium_half_life,
        open_rate: mul_div(Q128, kept, U256::from(10_000u64)).unwrap(),
        open_rate_inverse: U256::ZERO,
        fee_divisor: p.fee_divisor,
        skew: SkewConfig {
            lambda: U64F64::from_bits(p.skew_lambda),
            b_max: U64F64::from_bits(p.skew_cap),
            psi: U256::from(p.skew_depth_cap),
        },
    }
}

/// The CSV's Pyth price column back to the integer (exponent -8) it was printed from.
fn pyth(cell: &str) -> U256 {
    U256::from(cell.replace('.', "").parse::<u64>().unwrap()) * U256::from(10u64.pow(10))
}

#[derive(Default)]
struct Flows {
    interest: U256,
    premium: U256,
    protocol_fee: U256,
    opening_fees: U256,
    skew_charges: U256,
}

/// Collateral crossing the vault is whole atoms, rounded for the pool; the rest stays in R.
fn settle_atoms(state: &mut State, paid_by_trader: bool, amount: U256) -> u64 {
    let one = U256::from(1u64) << 64;
    let atoms = if paid_by_trader {
        amount.div_ceil(one)
    } else {
        amount / one
    };
    let moved = atoms * one;
    if paid_by_trader {
        state.r += moved - amount;
    } else {
        state.r += amount - moved;
    }
    atoms.to::<u64>()
}

/// The pool read back after the operation is the replay's, to the sub-atom.
fn assert_books(state: &State, op: &asymptote_sandbox::run::Op) {
    let (r, a, b) = op.books_after;
    assert_eq!(
        (state.r, state.a, state.b),
        (U256::from(r), a, b),
        "step {}: R, a, b after the operation",
        op.step
    );
}

#[tokio::test]
async fn csv_matches_the_math_core_replay_to_the_unit() {
    let dir = out_dir("replay");
    let scenario = Scenario::load(&write_scenario(&dir, SCENARIO)).unwrap();
    let options = Options {
        mode: Mode::from_env(),
        progress: false,
    };
    let (result, summary) = run_to_dir(&scenario, options, &dir).await.unwrap();
    assert!(result.mismatches.is_empty(), "{:?}", result.mismatches);
    let landed = result.ops.iter().filter(|o| o.refused.is_none()).count();
    let trades = result
        .ops
        .iter()
        .filter(|o| o.refused.is_none() && !o.is_crank())
        .count();
    assert!(
        trades >= 15,
        "the scenario must trade: {trades} trades\n{summary}"
    );
    assert!(landed > trades, "the crank must run");

    let csv = std::fs::read_to_string(dir.join("steps.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col: HashMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (*h, i)).collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 90);

    let config = math_config(&result);
    let mut state = result.initial;
    let mut ops = result.ops.iter().peekable();
    let d = result.decimals;
    for row in &rows {
        let step: usize = row[col["step"]].parse().unwrap();
        let prices = Prices::new(pyth(row[col["price"]]), pyth(row[col["ema"]]));
        let mut flows = Flows::default();
        while let Some(op) = ops.next_if(|o| o.step == step) {
            if op.refused.is_some() {
                continue;
            }
            if op.is_crank() {
                let accrual = accrue_funding_at(&config, &state, prices, op.slot).unwrap();
                let charges = accrual.charges;
                state = accrual.state;
                flows.interest += charges.interest;
                flows.premium += charges.premium;
                flows.protocol_fee += charges.protocol_fee;
                assert_books(&state, op);
                continue;
            }
            let request = Trade {
                side_in: op.side_in,
                side_out: op.side_out,
                amount: op.request,
            };
            let outcome = trade(&config, &state, prices, op.slot, request).unwrap();
            state = outcome.state;
            flows.interest += outcome.funding.interest;
            flows.premium += outcome.funding.premium;
            flows.protocol_fee += outcome.funding.protocol_fee;
            flows.opening_fees += outcome.opening_fee;
            flows.skew_charges += outcome.skew_charge;
            if op.side_in == Side::Collateral {
                let paid = settle_atoms(&mut state, true, outcome.amount_in);
                assert_eq!(paid, op.amount_in, "step {step}: collateral paid");
                assert_eq!(outcome.amount_out.to::<u64>(), op.amount_out);
            } else {
                let received = settle_atoms(&mut state, false, outcome.amount_out);
                assert_eq!(received, op.amount_out, "step {step}: collateral received");
                assert_eq!(outcome.amount_in.to::<u64>(), op.amount_in);
            }
            assert_books(&state, op);
        }
        let split = state.reserves_at(&config, prices.spot).unwrap();
        let (long, short, lp) = (split.long, split.short, split.lp);
        let dead = U256::from(asymptote_math::MINIMUM_SUPPLY);
        let expect = [
            ("R", units(state.r, d)),
            ("r_long", units(long, d)),
            ("r_short", units(short, d)),
            ("r_lp", units(lp, d)),
            ("interest", units(flows.interest, d)),
            ("premium", units(flows.premium, d)),
            ("protocol_fee", units(flows.protocol_fee, d)),
            ("opening_fees", units(flows.opening_fees, d)),
            ("skew_charges", units(flows.skew_charges, d)),
            (
                "supply_long",
                asymptote_sandbox::report::atoms_as_units(state.supply_long - dead, d),
            ),
            (
                "supply_lp",
                asymptote_sandbox::report::atoms_as_units(state.supply_lp - dead, d),
            ),
        ];
        for (name, want) in expect {
            assert_eq!(row[col[name]], want, "step {step}, column {name}");
        }
    }
    assert!(ops.next().is_none(), "every operation replayed");

    let svg = std::fs::read_to_string(dir.join("chart.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("polyline"),
        "chart drawn"
    );
    assert!(svg.len() > 10_000, "chart has data: {} bytes", svg.len());
    let ops_csv = std::fs::read_to_string(dir.join("ops.csv")).unwrap();
    assert_eq!(ops_csv.lines().count(), result.ops.len() + 1);
}

fn load_err(text: &str) -> String {
    let dir = out_dir(&format!("bad-{:x}", text.len()));
    match Scenario::load(&write_scenario(&dir, text)) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("scenario accepted:\n{text}"),
    }
}

#[test]
fn bad_scenarios_name_the_field_and_the_problem() {
    let typo = SCENARIO.replace("lookback = 3", "look_back = 3");
    let msg = load_err(&typo);
    assert!(msg.contains("look_back"), "{msg}");

    let big_k = SCENARIO.replace("k = 4", "k = 40");
    assert_eq!(load_err(&big_k), "scenario field `pool.k`: must be 1..=16");

    let no_lp = SCENARIO.replace(
        "kind = \"lp\"\nname = \"lp\"",
        "kind = \"crank\"\nname = \"lp\"\nevery = 1",
    );
    assert!(load_err(&no_lp).contains("actors"), "{}", load_err(&no_lp));

    let wrong_type = SCENARIO.replace("steps = 90", "steps = \"ninety\"");
    let msg = load_err(&wrong_type);
    assert!(msg.contains("steps"), "{msg}");

    let bad_fee = SCENARIO.replace("opening_fee_bps = 30", "opening_fee_bps = 5000");
    assert!(load_err(&bad_fee).contains("pool.opening_fee_bps"));

    let missing = SCENARIO.replace(
        "[price]\nkind = \"gbm\"\ninitial = 150.0\nvolatility = 0.8\n",
        "",
    );
    assert!(load_err(&missing).contains("price"));
}

#[test]
fn a_bad_price_file_names_the_line() {
    let dir = out_dir("bad-csv");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("p.csv"),
        "# comment\ndate,close\n2020-01-01,10\n2020-01-02,abc\n",
    )
    .unwrap();
    let text = SCENARIO.replace("steps = 90\n", "").replace(
        "kind = \"gbm\"\ninitial = 150.0\nvolatility = 0.8",
        "kind = \"csv\"\nfile = \"p.csv\"",
    );
    let scenario = Scenario::load(&write_scenario(&dir, &text)).unwrap();
    match asymptote_sandbox::path::PricePath::build(&scenario) {
        Err(SandboxError::PriceFile { line, problem, .. }) => {
            assert_eq!(line, 4);
            assert!(problem.contains("abc"), "{problem}");
        }
        other => panic!("expected a price file error, got {other:?}"),
    }
}
