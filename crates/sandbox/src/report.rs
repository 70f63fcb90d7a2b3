//! Outputs: the per-step CSV, the transaction log and the summary table.
//!
//! Collateral amounts are printed in collateral units with every atom (floored from the
//! pool's sub-atoms), so the CSV can be checked to the unit; token prices and ratios are
//! display values.

use std::fmt::Write as _;
use std::path::Path;

use asymptote_math::{Side, U256};

use crate::error::SandboxError;
use crate::run::{Row, RunResult};
use crate::value::token_price;

/// Whole atoms of a sub-atom amount, as collateral units with `decimals` places.
pub fn units(sub_atoms: U256, decimals: u8) -> String {
    atoms_as_units(sub_atoms >> 64, decimals)
}

pub fn atoms_as_units(atoms: U256, decimals: u8) -> String {
    let digits = atoms.to_string();
    let d = usize::from(decimals);
    if d == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = d + 1);
    let (int, frac) = padded.split_at(padded.len() - d);
    format!("{int}.{frac}")
}

fn signed_units(negative: bool, sub_atoms: U256, decimals: u8) -> String {
    let text = units(sub_atoms, decimals);
    if negative && sub_atoms >> 64 != U256::ZERO {
        format!("-{text}")
    } else {
        text
    }
}

fn pyth(price: i64) -> String {
    format!("{:.8}", price as f64 / 1e8)
}

pub const STEP_COLUMNS: &[&str] = &[
    "step",
    "label",
    "slot",
    "price",
    "ema",
    "R",
    "r_long",
    "r_short",
    "r_lp",
    "supply_long",
    "supply_short",
    "supply_lp",
    "price_long",
    "price_short",
    "price_lp",
    "interest",
    "premium",
    "protocol_fee",
    "opening_fees",
    "skew_charges",
    "net_skew",
    "depth",
    "vault",
    "protocol_fees_owed",
];

fn step_line(row: &Row, decimals: u8) -> String {
    let u = |x: U256| units(x, decimals);
    let atoms = |x: u64| atoms_as_units(U256::from(x), decimals);
    let mut cells = vec![
        row.step.to_string(),
        row.label.clone(),
        row.slot.to_string(),
        pyth(row.price),
        pyth(row.ema),
        u(row.r),
        u(row.r_long),
        u(row.r_short),
        u(row.r_lp),
        atoms(row.supply[0]),
        atoms(row.supply[1]),
        atoms(row.supply[2]),
        format!("{:.9}", token_price(row.r_long, row.supply[0])),
        format!("{:.9}", token_price(row.r_short, row.supply[1])),
        format!("{:.9}", token_price(row.r_lp, row.supply[2])),
        u(row.flows.interest),
        u(row.flows.premium),
        u(row.flows.protocol_fee),
        u(row.flows.opening_fees),
        u(row.flows.skew_charges),
        signed_units(!row.skew_long_heavy, row.skew, decimals),
        u(row.depth),
        atoms(row.vault),
        u(U256::from(row.protocol_fees_owed)),
    ];
    cells.extend(row.actor_values.iter().map(|v| u(*v)));
    cells.join(",")
}

/// The per-step CSV: pool, prices, flows of the step, and each actor's value.
pub fn steps_csv(result: &RunResult) -> String {
    let mut header: Vec<String> = STEP_COLUMNS.iter().map(|c| c.to_string()).collect();
    header.extend(result.actor_names.iter().map(|n| format!("value_{n}")));
    let mut out = header.join(",");
    out.push('\n');
    for row in &result.rows {
        out.push_str(&step_line(row, result.decimals));
        out.push('\n');
    }
    out
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Long => "long",
        Side::Short => "short",
        Side::Lp => "lp",
        Side::Collateral => "collateral",
    }
}

/// Every transaction the actors sent, landed or refused.
pub fn ops_csv(result: &RunResult) -> String {
    let mut out = String::from("step,slot,actor,op,side_in,side_out,amount_in,amount_out,result\n");
    for op in &result.ops {
        let kind = if op.is_crank() {
            "accrue"
        } else if op.side_in == Side::Collateral {
            "open"
        } else {
            "close"
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            op.step,
            op.slot,
            result.actor_names[op.actor],
            kind,
            side_name(op.side_in),
            side_name(op.side_out),
            op.amount_in,
            op.amount_out,
            op.refused.as_deref().unwrap_or("ok"),
        );
    }
    out
}

pub fn write(path: &Path, text: &str) -> Result<(), SandboxError> {
    std::fs::write(path, text).map_err(|e| SandboxError::Write {
        path: path.to_path_buf(),
        error: e.to_string(),
    })
}

/// Largest fall from a running peak, as a fraction, and the step it bottomed.
pub fn max_drawdown(series: &[f64]) -> (f64, usize) {
    let mut peak = f64::MIN;
    let mut worst = (0.0, 0);
    for (i, x) in series.iter().enumerate() {
        peak = peak.max(*x);
        if peak > 0.0 {
            let dd = x / peak - 1.0;
            if dd < worst.0 {
                worst = (dd, i);
            }
        }
    }
    worst
}

fn pct(x: f64) -> String {
    format!("{:+.2}%", x * 100.0)
}

fn to_units(sub_atoms: U256, decimals: u8) -> f64 {
    f64::from(sub_atoms) / 2f64.powi(64) / 10f64.powi(i32::from(decimals))
}

/// The summary table printed at the end of a run.
pub fn summary(result: &RunResult) -> String {
    let d = result.decimals;
    let mut s = String::new();
    let (Some(first), Some(last)) = (result.rows.first(), result.rows.last()) else {
        return "no steps were run\n".into();
    };
    let steps = result.rows.len();
    let days = steps as f64 * result.slots_per_step as f64 / crate::scenario::SLOTS_PER_DAY;
    let mode = match result.mode {
        asymptote_tests::Mode::Native => "native",
        asymptote_tests::Mode::Sbf => "SBF .so",
    };
    let _ = writeln!(
        s,
        "Scenario `{}`: {steps} steps of {} slots ({days:.1} days), program run {mode}",
        result.scenario, result.slots_per_step
    );
    let asset = last.price as f64 / first.price as f64 - 1.0;
    let _ = writeln!(
        s,
        "Oracle price      {} -> {} ({})",
        pyth(first.price),
        pyth(last.price),
        pct(asset)
    );
    for (name, i) in [("LONG", 0usize), ("SHORT", 1), ("LP", 2)] {
        let r = |row: &Row| [row.r_long, row.r_short, row.r_lp][i];
        let p0 = token_price(r(first), first.supply[i]);
        let p1 = token_price(r(last), last.supply[i]);
        let _ = writeln!(
            s,
            "{name:<5} token price {p0:.6} -> {p1:.6} ({})",
            pct(p1 / p0 - 1.0)
        );
    }
    let lp_prices: Vec<f64> = result
        .rows
        .iter()
        .map(|r| token_price(r.r_lp, r.supply[2]))
        .collect();
    let (dd, at) = max_drawdown(&lp_prices);
    let _ = writeln!(
        s,
        "Worst LP drawdown {} (LP token price, bottom at step {at})",
        pct(dd)
    );
    let mut totals = crate::run::Flows::default();
    for row in &result.rows {
        totals.add(&row.flows);
    }
    let _ = writeln!(
        s,
        "Funding           interest {} (protocol fee {} of it), premium {}",
        units(totals.interest, d),
        units(totals.protocol_fee, d),
        units(totals.premium, d)
    );
    let _ = writeln!(
        s,
        "Trading charges   opening fees {}, skew charges {}",
        units(totals.opening_fees, d),
        units(totals.skew_charges, d)
    );
    let refused: usize = result.refusals.values().sum();
    let landed = result.program_transactions - refused;
    let secs = result.elapsed.as_secs_f64();
    let _ = writeln!(
        s,
        "Transactions      {} program transactions ({landed} landed, {refused} refused) \
         in {secs:.2} s: {:.0} tx/s, {:.2} ms per step",
        result.program_transactions,
        result.program_transactions as f64 / secs.max(1e-9),
        secs * 1000.0 / steps as f64
    );
    for (name, count) in &result.refusals {
        let _ = writeln!(s, "  refused {count:>6} x {name}");
    }
    let _ = writeln!(
        s,
        "Settlement check  {} mismatches between the program and its settlement code run off chain",
        result.mismatches.len()
    );
    for m in result.mismatches.iter().take(5) {
        let _ = writeln!(s, "  {m}");
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<14} {:<11} {:>18} {:>18} {:>16} {:>9}",
        "actor", "kind", "brought in", "value at end", "PnL", "return"
    );
    for (i, name) in result.actor_names.iter().enumerate() {
        let brought = result.contributed[i] as f64 / 10f64.powi(i32::from(d));
        let value = to_units(last.actor_values[i], d);
        let ret = if brought > 0.0 {
            pct(value / brought - 1.0)
        } else {
            "-".into()
        };
        let _ = writeln!(
            s,
            "{name:<14} {:<11} {brought:>18.2} {value:>18.2} {:>+16.2} {ret:>9}",
            result.actor_kinds[i],
            value - brought
        );
    }
    if let Some(i) = result.actor_kinds.iter().position(|k| *k == "lp") {
        let brought = result.contributed[i] as f64 / 10f64.powi(i32::from(d));
        let value = to_units(last.actor_values[i], d);
        let _ = writeln!(
            s,
            "\nLP `{}` vs holding: {} in the pool, {} holding the collateral, {} holding the asset",
            result.actor_names[i],
            pct(value / brought - 1.0),
            pct(0.0),
            pct(asset)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_keep_every_atom() {
        assert_eq!(atoms_as_units(U256::from(1_234_567u64), 6), "1.234567");
        assert_eq!(atoms_as_units(U256::from(5u64), 6), "0.000005");
        assert_eq!(atoms_as_units(U256::from(5u64), 0), "5");
        // sub-atoms floor to whole atoms
        assert_eq!(
            units((U256::from(7u64) << 64) + U256::from(9u64), 2),
            "0.07"
        );
    }

    #[test]
    fn drawdown_is_measured_from_the_running_peak() {
        let (dd, at) = max_drawdown(&[1.0, 2.0, 1.5, 3.0, 1.5, 2.0]);
        assert!((dd + 0.5).abs() < 1e-12);
        assert_eq!(at, 4);
        assert_eq!(max_drawdown(&[1.0, 2.0, 3.0]).0, 0.0);
    }
}
