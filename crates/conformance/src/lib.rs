//! Replays conformance vectors (`asymptote-vectors/1`) against the math core.
//!
//! Each case starts from an `init` step and walks `trade` and `view` steps, comparing every
//! field the vector lists. Anything the runner does not understand (an unknown op or expect
//! field, a malformed number) fails the case rather than being skipped.

use std::collections::BTreeMap;

use asymptote_math::{
    create, trade, Config, InitialSplit, PoolError, Prices, Side, SkewConfig, State, Trade,
    TradeOutcome, U256, U64F64,
};
use serde_json::Value;

pub const FORMAT: &str = "asymptote-vectors/1";

/// Result of one case: `Ok(())` or the first difference.
pub type CaseResult = Result<(), String>;

/// Parse a whole file; each case is replayed independently.
pub fn run_file(text: &str) -> Result<Vec<(String, CaseResult)>, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let format = doc.get("format").and_then(Value::as_str).unwrap_or("");
    if format != FORMAT {
        return Err(format!("format is {format:?}, expected {FORMAT:?}"));
    }
    let cases = doc
        .get("cases")
        .and_then(Value::as_array)
        .ok_or("no \"cases\" array")?;
    Ok(cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let name = case
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("case #{i}"));
            (name, run_case(case))
        })
        .collect())
}

fn number(v: &Value, what: &str) -> Result<U256, String> {
    match v {
        Value::String(s) => U256::from_str_radix(s, 10).map_err(|e| format!("{what}: {s:?}: {e}")),
        Value::Number(n) => n
            .as_u64()
            .map(U256::from)
            .ok_or_else(|| format!("{what}: {n} is not an unsigned integer")),
        other => Err(format!("{what}: expected a decimal string, got {other}")),
    }
}

fn field(obj: &Value, key: &str) -> Result<U256, String> {
    number(obj.get(key).ok_or_else(|| format!("missing {key:?}"))?, key)
}

fn optional(obj: &Value, key: &str) -> Result<Option<U256>, String> {
    obj.get(key).map(|v| number(v, key)).transpose()
}

fn small<T: TryFrom<U256>>(x: U256, what: &str) -> Result<T, String> {
    T::try_from(x).map_err(|_| format!("{what}: {x} is out of range"))
}

fn q64(x: Option<U256>, what: &str) -> Result<U64F64, String> {
    Ok(U64F64::from_bits(small::<u128>(
        x.unwrap_or(U256::ZERO),
        what,
    )?))
}

fn parse_config(c: &Value) -> Result<Config, String> {
    let mut config = Config::new(small(field(c, "k")?, "k")?, field(c, "mark")?);
    config.interest_hl = small(
        optional(c, "interest_hl")?.unwrap_or_default(),
        "interest_hl",
    )?;
    config.premium_hl = small(optional(c, "premium_hl")?.unwrap_or_default(), "premium_hl")?;
    if let Some(rate) = optional(c, "open_rate")? {
        config.open_rate = rate;
    }
    if let Some(div) = optional(c, "fee_divisor")? {
        config.fee_divisor = small(div, "fee_divisor")?;
    }
    config.skew = SkewConfig {
        lambda: q64(optional(c, "lambda_q64")?, "lambda_q64")?,
        b_max: q64(optional(c, "b_max_q64")?, "b_max_q64")?,
        psi: optional(c, "psi")?.unwrap_or_default(),
    };
    Ok(config)
}

fn parse_side(v: Option<&Value>, key: &str) -> Result<Side, String> {
    match v.and_then(Value::as_str) {
        Some("R") => Ok(Side::Collateral),
        Some("LONG") => Ok(Side::Long),
        Some("SHORT") => Ok(Side::Short),
        Some("LP") => Ok(Side::Lp),
        other => Err(format!("{key}: unknown side {other:?}")),
    }
}

/// Compare every expected field with the actual values; unknown fields are failures.
fn compare(step: usize, expect: &Value, actual: &BTreeMap<&str, U256>) -> CaseResult {
    let expect = expect
        .as_object()
        .ok_or_else(|| format!("step {step}: \"expect\" is not an object"))?;
    for (key, want) in expect {
        let want = number(want, key).map_err(|e| format!("step {step}: {e}"))?;
        let got = actual
            .get(key.as_str())
            .ok_or_else(|| format!("step {step}: unknown expect field {key:?}"))?;
        if *got != want {
            return Err(format!("step {step}: {key} expected {want} got {got}"));
        }
    }
    Ok(())
}

fn trade_fields(out: &TradeOutcome) -> BTreeMap<&'static str, U256> {
    BTreeMap::from([
        ("amount_in", out.amount_in),
        ("amount_out", out.amount_out),
        ("r", out.state.r),
        ("a", out.state.a),
        ("b", out.state.b),
        ("fee", out.funding.protocol_fee),
        ("skew_charge", out.skew_charge),
        ("opening_fee", out.opening_fee),
        ("supply_long", out.state.supply_long),
        ("supply_short", out.state.supply_short),
        ("supply_lp", out.state.supply_lp),
    ])
}

fn run_case(case: &Value) -> CaseResult {
    let config = parse_config(case.get("config").ok_or("missing \"config\"")?)?;
    config
        .validate()
        .map_err(|e| format!("config refused: {e}"))?;
    let steps = case
        .get("steps")
        .and_then(Value::as_array)
        .ok_or("missing \"steps\"")?;
    let mut state: Option<State> = None;
    for (i, step) in steps.iter().enumerate() {
        let op = step.get("op").and_then(Value::as_str).unwrap_or("");
        let at = |e: String| format!("step {i} ({op}): {e}");
        match op {
            "init" => {
                let t = small(field(step, "t").map_err(at)?, "t").map_err(at)?;
                let split = InitialSplit::Coefficients {
                    a: field(step, "a").map_err(at)?,
                    b: field(step, "b").map_err(at)?,
                };
                let price = field(step, "price").map_err(at)?;
                let deposit = field(step, "r").map_err(at)?;
                let (s, reserves) = create(&config, deposit, split, price, t)
                    .map_err(|e| at(format!("init refused: {e}")))?;
                state = Some(s);
                if let Some(expect) = step.get("expect") {
                    compare(
                        i,
                        expect,
                        &reserve_fields(reserves.long, reserves.short, reserves.lp),
                    )?;
                }
            }
            "view" => {
                let s = state.as_ref().ok_or_else(|| at("no init before".into()))?;
                let price = field(step, "price").map_err(at)?;
                let r = s
                    .reserves_at(&config, price)
                    .map_err(|e| at(format!("view failed: {e}")))?;
                if let Some(expect) = step.get("expect") {
                    compare(i, expect, &reserve_fields(r.long, r.short, r.lp))?;
                }
            }
            "trade" => {
                let s = state.as_ref().ok_or_else(|| at("no init before".into()))?;
                let now = small(field(step, "t").map_err(at)?, "t").map_err(at)?;
                let prices = Prices::new(
                    field(step, "spot").map_err(at)?,
                    field(step, "twap").map_err(at)?,
                );
                let request = Trade {
                    side_in: parse_side(step.get("side_in"), "side_in").map_err(at)?,
                    side_out: parse_side(step.get("side_out"), "side_out").map_err(at)?,
                    amount: field(step, "amount").map_err(at)?,
                };
                let result = trade(&config, s, prices, now, request);
                match (step.get("expect_error").and_then(Value::as_str), result) {
                    (Some(want), Err(e)) if want == e.name() => {}
                    (Some(want), Err(e)) => {
                        return Err(at(format!("expected error {want}, got {e}")))
                    }
                    (Some(want), Ok(_)) => {
                        return Err(at(format!("expected error {want}, succeeded")))
                    }
                    (None, Err(e)) => return Err(at(format!("refused: {}", describe(e)))),
                    (None, Ok(out)) => {
                        if let Some(expect) = step.get("expect") {
                            compare(i, expect, &trade_fields(&out))?;
                        }
                        state = Some(out.state);
                    }
                }
            }
            other => return Err(at(format!("unknown op {other:?}"))),
        }
    }
    Ok(())
}

fn describe(e: PoolError) -> String {
    e.to_string()
}

fn reserve_fields(long: U256, short: U256, lp: U256) -> BTreeMap<&'static str, U256> {
    BTreeMap::from([("r_long", long), ("r_short", short), ("r_lp", lp)])
}
