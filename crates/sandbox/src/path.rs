//! The price path: a seeded synthetic generator or a CSV file of real prices.
//!
//! Floats are fine here: the path is the exogenous input, turned into the integer Pyth
//! prices the program reads (exponent -8) before anything touches the pool.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::SandboxError;
use crate::scenario::{PriceSpec, Scenario, SLOTS_PER_DAY};

/// One label (date or step) and one price per step.
#[derive(Debug, Clone)]
pub struct PricePath {
    pub labels: Vec<String>,
    pub prices: Vec<f64>,
}

impl PricePath {
    pub fn build(scenario: &Scenario) -> Result<Self, SandboxError> {
        match &scenario.price {
            PriceSpec::Csv {
                file,
                column,
                from,
                to,
            } => {
                let path = scenario.base_dir.join(file);
                let mut path_ = read_csv(&path, column, from.as_deref(), to.as_deref())?;
                if let Some(steps) = scenario.steps {
                    path_.labels.truncate(steps);
                    path_.prices.truncate(steps);
                }
                if path_.prices.len() < 2 {
                    return Err(SandboxError::Invalid {
                        field: "price.file".into(),
                        problem: "fewer than 2 prices in the selected range".into(),
                    });
                }
                Ok(path_)
            }
            PriceSpec::Gbm { .. } => Ok(synthetic(scenario)),
        }
    }
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn synthetic(scenario: &Scenario) -> PricePath {
    let PriceSpec::Gbm {
        initial,
        drift,
        volatility,
        jumps_per_year,
        jump_mean,
        jump_stdev,
        crash,
        oscillation,
    } = &scenario.price
    else {
        return PricePath {
            labels: vec![],
            prices: vec![],
        };
    };
    let steps = scenario.steps.unwrap_or(2);
    let dt = scenario.slots_per_step as f64 / (SLOTS_PER_DAY * 365.0);
    let mut rng = ChaCha8Rng::seed_from_u64(scenario.seed);
    let mut log_price = initial.ln();
    let mut prices = Vec::with_capacity(steps);
    for step in 0..steps {
        if step > 0 {
            let diffusion = (drift - volatility * volatility / 2.0) * dt
                + volatility * dt.sqrt() * normal(&mut rng);
            let jump = if rng.random::<f64>() < jumps_per_year * dt {
                jump_mean + jump_stdev * normal(&mut rng)
            } else {
                0.0
            };
            log_price += diffusion + jump;
            if let Some((at, size)) = crash {
                if *at == step {
                    log_price += (1.0 + size).ln();
                }
            }
        }
        let wave = match oscillation {
            Some((amplitude, period)) if (step / (period / 2).max(1)) % 2 == 1 => *amplitude,
            _ => 0.0,
        };
        prices.push((log_price + wave).exp());
    }
    PricePath {
        labels: (0..steps).map(|s| s.to_string()).collect(),
        prices,
    }
}

fn read_csv(
    path: &std::path::Path,
    column: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<PricePath, SandboxError> {
    let text = std::fs::read_to_string(path).map_err(|e| SandboxError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    })?;
    let bad = |line: usize, problem: String| SandboxError::PriceFile {
        path: path.to_path_buf(),
        line,
        problem,
    };
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let (header_line, header) = rows.next().ok_or_else(|| bad(1, "no header row".into()))?;
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let price_col = names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(column))
        .ok_or_else(|| bad(header_line, format!("no column `{column}` in the header")))?;
    let date_col = names.iter().position(|n| n.eq_ignore_ascii_case("date"));
    let mut out = PricePath {
        labels: vec![],
        prices: vec![],
    };
    for (line, row) in rows {
        let cells: Vec<&str> = row.split(',').map(str::trim).collect();
        let label = date_col
            .and_then(|c| cells.get(c))
            .map_or_else(|| out.prices.len().to_string(), |d| d.to_string());
        if from.is_some_and(|f| label.as_str() < f) || to.is_some_and(|t| label.as_str() > t) {
            continue;
        }
        let cell = cells
            .get(price_col)
            .ok_or_else(|| bad(line, format!("missing column `{column}`")))?;
        let price: f64 = cell
            .parse()
            .map_err(|_| bad(line, format!("`{cell}` is not a number")))?;
        if !(price.is_finite() && price > 0.0) {
            return Err(bad(line, format!("price {price} must be > 0")));
        }
        out.labels.push(label);
        out.prices.push(price);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_draws_have_unit_variance() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 20_000;
        let draws: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }
}
