//! The oracle feed: the path's prices as Pyth publishes them (integers, exponent -8), with
//! an EMA and a confidence interval.

use asymptote_tests::{PythPrice, EXPONENT};

use crate::error::SandboxError;
use crate::path::PricePath;
use crate::scenario::OracleSpec;

/// Pyth integer prices per step.
#[derive(Debug, Clone)]
pub struct Feed {
    pub prices: Vec<i64>,
    pub emas: Vec<i64>,
    pub conf_bps: u16,
}

/// Pyth's scale for exponent -8.
const SCALE: f64 = 1e8;

fn to_pyth(price: f64, step: usize) -> Result<i64, SandboxError> {
    let scaled = (price * SCALE).round();
    if scaled >= 1.0 && scaled < i64::MAX as f64 {
        Ok(scaled as i64)
    } else {
        Err(SandboxError::Invalid {
            field: "price".into(),
            problem: format!("price {price} at step {step} is outside 1e-8 .. 9.2e10"),
        })
    }
}

impl Feed {
    pub fn new(path: &PricePath, spec: &OracleSpec) -> Result<Self, SandboxError> {
        let alpha = if spec.ema_half_life_steps > 0.0 {
            1.0 - 0.5f64.powf(1.0 / spec.ema_half_life_steps)
        } else {
            1.0
        };
        let mut prices = Vec::with_capacity(path.prices.len());
        let mut emas = Vec::with_capacity(path.prices.len());
        let mut ema = path.prices.first().copied().unwrap_or(1.0);
        for (step, price) in path.prices.iter().enumerate() {
            ema += alpha * (price - ema);
            prices.push(to_pyth(*price, step)?);
            emas.push(to_pyth(ema, step)?);
        }
        Ok(Self {
            prices,
            emas,
            conf_bps: spec.conf_bps,
        })
    }

    /// The update published for `step` at unix time `now`, confidence `conf_bps` of spot.
    pub fn at(&self, step: usize, now: i64) -> PythPrice {
        let price = self.prices[step];
        let conf = (i128::from(price) * i128::from(self.conf_bps) / 10_000) as u64;
        PythPrice {
            price,
            conf,
            ema: self.emas[step],
            ema_conf: conf,
            exponent: EXPONENT,
            publish_time: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ema_with_one_step_half_life_moves_half_way() {
        let path = PricePath {
            labels: vec!["0".into(), "1".into()],
            prices: vec![100.0, 200.0],
        };
        let spec = OracleSpec {
            ema_half_life_steps: 1.0,
            ..OracleSpec::default()
        };
        let feed = Feed::new(&path, &spec).unwrap();
        assert_eq!(feed.prices, vec![100_00000000, 200_00000000]);
        assert_eq!(feed.emas, vec![100_00000000, 150_00000000]);
    }

    #[test]
    fn prices_outside_pyth_range_are_refused() {
        let path = PricePath {
            labels: vec!["0".into()],
            prices: vec![1e-9],
        };
        assert!(Feed::new(&path, &OracleSpec::default()).is_err());
    }
}
