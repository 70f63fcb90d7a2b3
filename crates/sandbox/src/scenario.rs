//! Scenario files (TOML): the pool, the oracle, the price path and the actors.
//!
//! Every field is documented in `crates/sandbox/README.md`. Unknown fields are refused, and
//! every semantic problem names the field it is about.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::SandboxError;

/// Slots per day at Solana's 400 ms target.
pub const SLOTS_PER_DAY: f64 = 216_000.0;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Steps to run (synthetic paths: required; CSV paths: default every row).
    pub steps: Option<usize>,
    /// Slots the clock advances between steps (9,000 = one hour).
    pub slots_per_step: u64,
    /// Seed of the synthetic price generator.
    #[serde(default)]
    pub seed: u64,
    /// Step ranges `[from, to)` in which no actor acts (the oracle still moves).
    #[serde(default)]
    pub idle: Vec<[usize; 2]>,
    pub pool: PoolSpec,
    #[serde(default)]
    pub oracle: OracleSpec,
    pub price: PriceSpec,
    pub actors: Vec<ActorSpec>,
    /// Directory of the scenario file (CSV paths are relative to it).
    #[serde(skip)]
    pub base_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// Power of the LONG / SHORT curves.
    pub k: u32,
    /// Reference price; defaults to the first price of the path.
    pub mark: Option<f64>,
    /// Collateral decimals.
    #[serde(default = "default_decimals")]
    pub decimals: u8,
    /// Half-life of LONG / SHORT reserves to interest, in days (0 = no interest).
    pub interest_half_life_days: f64,
    /// Half-life of the imbalance to the premium, in days (0 = no premium).
    pub premium_half_life_days: f64,
    #[serde(default)]
    pub opening_fee_bps: u16,
    /// Protocol share of interest is `1 / protocol_fee_divisor` (0 = none).
    #[serde(default)]
    pub protocol_fee_divisor: u64,
    /// Skew charge strength lambda (0 = none).
    #[serde(default)]
    pub skew_lambda: f64,
    /// Skew cap b_max, a multiple of the depth (0 = none).
    #[serde(default)]
    pub skew_cap: f64,
    /// Depth cap psi in collateral units (0 = none).
    #[serde(default)]
    pub skew_depth_cap: f64,
    /// LONG and SHORT shares of the creator's deposit (bps, both 0 = one third each).
    #[serde(default = "default_initial_bps")]
    pub initial_long_bps: u16,
    #[serde(default = "default_initial_bps")]
    pub initial_short_bps: u16,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OracleSpec {
    /// Published confidence as a fraction of the price (bps).
    #[serde(default = "default_conf_bps")]
    pub conf_bps: u16,
    /// Half-life of the published EMA price, in steps.
    #[serde(default = "default_ema_half_life")]
    pub ema_half_life_steps: f64,
    /// The pool's EMA divergence limit for opens (bps).
    #[serde(default = "default_divergence")]
    pub max_ema_divergence_bps: u16,
    /// The pool's confidence limit for opens (bps).
    #[serde(default = "default_conf_limit")]
    pub max_conf_bps_open: u16,
}

impl Default for OracleSpec {
    fn default() -> Self {
        Self {
            conf_bps: default_conf_bps(),
            ema_half_life_steps: default_ema_half_life(),
            max_ema_divergence_bps: default_divergence(),
            max_conf_bps_open: default_conf_limit(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PriceSpec {
    /// Geometric Brownian motion (annual drift and volatility), with optional Poisson
    /// jumps, a one-off crash and a square-wave oscillation (whipsaw).
    Gbm {
        initial: f64,
        #[serde(default)]
        drift: f64,
        volatility: f64,
        #[serde(default)]
        jumps_per_year: f64,
        #[serde(default)]
        jump_mean: f64,
        #[serde(default)]
        jump_stdev: f64,
        /// `[step, relative move]`, e.g. `[400, -0.45]`.
        crash: Option<(usize, f64)>,
        /// Log-amplitude and period (steps) of a square wave added to the path.
        #[serde(default)]
        oscillation: Option<(f64, usize)>,
    },
    /// A CSV file with a header row, `#` comment lines, and a numeric price column.
    Csv {
        file: PathBuf,
        #[serde(default = "default_column")]
        column: String,
        /// First and last `date` values (inclusive, compared as text: ISO dates sort).
        from: Option<String>,
        to: Option<String>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActorSpec {
    /// Provides liquidity. The first LP creates the pool with its deposit; others add LP at
    /// step 0. Optional top-ups every `topup_every` steps; optional full exit at a step.
    Lp {
        name: String,
        deposit: f64,
        #[serde(default)]
        topup: f64,
        #[serde(default)]
        topup_every: usize,
        exit_at_step: Option<usize>,
    },
    /// Buys the trend: LONG after a rise of `threshold` over `lookback` steps, SHORT after
    /// a fall; closes after `hold` steps or when the signal turns.
    Momentum(TraderSpec),
    /// Fades the trend: the opposite signals.
    Contrarian(TraderSpec),
    /// Calls the permissionless funding crank every `every` steps.
    Crank { name: String, every: usize },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraderSpec {
    pub name: String,
    /// Collateral the trader starts with.
    pub collateral: f64,
    /// Collateral per position.
    pub size: f64,
    pub lookback: usize,
    /// Relative move that triggers a position (0.02 = 2 %).
    pub threshold: f64,
    pub hold: usize,
}

impl ActorSpec {
    pub fn name(&self) -> &str {
        match self {
            ActorSpec::Lp { name, .. } | ActorSpec::Crank { name, .. } => name,
            ActorSpec::Momentum(t) | ActorSpec::Contrarian(t) => &t.name,
        }
    }
}

fn default_decimals() -> u8 {
    6
}
fn default_initial_bps() -> u16 {
    100
}
fn default_conf_bps() -> u16 {
    5
}
fn default_ema_half_life() -> f64 {
    1.0
}
fn default_divergence() -> u16 {
    500
}
fn default_conf_limit() -> u16 {
    100
}
fn default_column() -> String {
    "close".into()
}

impl Scenario {
    /// Read, parse and validate a scenario file.
    pub fn load(path: &Path) -> Result<Self, SandboxError> {
        let text = std::fs::read_to_string(path).map_err(|e| SandboxError::Io {
            path: path.to_path_buf(),
            error: e.to_string(),
        })?;
        let mut scenario: Scenario = toml::from_str(&text).map_err(|e| SandboxError::Parse {
            path: path.to_path_buf(),
            error: e.to_string(),
        })?;
        scenario.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        scenario.validate()?;
        Ok(scenario)
    }

    /// The checks serde cannot express. Bounds are the program's own (see
    /// `programs/asymptote/src/constants.rs`), so a scenario that passes creates its pool.
    pub fn validate(&self) -> Result<(), SandboxError> {
        use asymptote::constants::*;
        let p = &self.pool;
        check(
            "slots_per_step",
            self.slots_per_step >= 1,
            "must be at least 1",
        )?;
        check("pool.k", (1..=MAX_K).contains(&p.k), "must be 1..=16")?;
        check("pool.decimals", p.decimals <= 12, "must be 0..=12")?;
        check_mark(p.mark)?;
        let max_days = MAX_HALF_LIFE_SLOTS as f64 / SLOTS_PER_DAY;
        for (field, days) in [
            ("pool.interest_half_life_days", p.interest_half_life_days),
            ("pool.premium_half_life_days", p.premium_half_life_days),
        ] {
            check(
                field,
                days.is_finite() && (0.0..=max_days).contains(&days),
                &format!("must be 0 to {max_days:.0} days"),
            )?;
        }
        check(
            "pool.opening_fee_bps",
            p.opening_fee_bps <= MAX_OPENING_FEE_BPS,
            "must be at most 1000",
        )?;
        check(
            "pool.protocol_fee_divisor",
            p.protocol_fee_divisor <= MAX_FEE_DIVISOR,
            "must be at most 100",
        )?;
        let max_lambda = asymptote_math::SkewConfig::MAX_LAMBDA.to_num::<f64>();
        check(
            "pool.skew_lambda",
            p.skew_lambda.is_finite() && (0.0..=max_lambda).contains(&p.skew_lambda),
            &format!("must be 0 to {max_lambda}"),
        )?;
        for (field, value) in [
            ("pool.skew_cap", p.skew_cap),
            ("pool.skew_depth_cap", p.skew_depth_cap),
        ] {
            check(field, value.is_finite() && value >= 0.0, "must be >= 0")?;
        }
        check(
            "pool.initial_long_bps",
            (p.initial_long_bps == 0) == (p.initial_short_bps == 0)
                && u32::from(p.initial_long_bps) + u32::from(p.initial_short_bps) < 10_000,
            "initial_long_bps and initial_short_bps must both be 0 or both > 0, sum < 10000",
        )?;
        let o = &self.oracle;
        check(
            "oracle.conf_bps",
            o.conf_bps < o.max_conf_bps_open,
            "must be below oracle.max_conf_bps_open, or no open would pass",
        )?;
        check(
            "oracle.max_conf_bps_open",
            o.max_conf_bps_open > 0 && o.max_conf_bps_open <= 500,
            "must be 1..=500",
        )?;
        check(
            "oracle.max_ema_divergence_bps",
            o.max_ema_divergence_bps > 0 && o.max_ema_divergence_bps <= MAX_EMA_DIVERGENCE_BPS,
            "must be 1..=5000",
        )?;
        check(
            "oracle.ema_half_life_steps",
            o.ema_half_life_steps.is_finite() && o.ema_half_life_steps >= 0.0,
            "must be >= 0",
        )?;
        self.validate_price()?;
        self.validate_actors()
    }

    fn validate_price(&self) -> Result<(), SandboxError> {
        match &self.price {
            PriceSpec::Gbm {
                initial,
                volatility,
                jumps_per_year,
                jump_stdev,
                crash,
                oscillation,
                ..
            } => {
                check(
                    "steps",
                    self.steps.is_some_and(|s| s >= 2),
                    "a synthetic path needs steps >= 2",
                )?;
                check(
                    "price.initial",
                    initial.is_finite() && *initial > 0.0,
                    "must be > 0",
                )?;
                check(
                    "price.volatility",
                    (0.0..=10.0).contains(volatility),
                    "must be 0 to 10 (annual)",
                )?;
                check(
                    "price.jumps_per_year",
                    *jumps_per_year >= 0.0 && *jump_stdev >= 0.0,
                    "jumps_per_year and jump_stdev must be >= 0",
                )?;
                if let Some((_, size)) = crash {
                    check(
                        "price.crash",
                        *size > -1.0,
                        "the move must be above -1 (-100 %)",
                    )?;
                }
                if let Some((_, period)) = oscillation {
                    check(
                        "price.oscillation",
                        *period >= 2,
                        "the period must be >= 2 steps",
                    )?;
                }
                Ok(())
            }
            PriceSpec::Csv { .. } => check(
                "steps",
                self.steps.is_none_or(|s| s >= 2),
                "must be >= 2 when given",
            ),
        }
    }

    fn validate_actors(&self) -> Result<(), SandboxError> {
        check(
            "actors",
            matches!(self.actors.first(), Some(ActorSpec::Lp { .. })),
            "the first actor must be an lp: it creates the pool",
        )?;
        let mut names = std::collections::HashSet::new();
        for (i, actor) in self.actors.iter().enumerate() {
            let field = |f: &str| format!("actors[{i}].{f}");
            if !names.insert(actor.name()) {
                return Err(invalid(field("name"), "names must be unique"));
            }
            match actor {
                ActorSpec::Lp {
                    deposit,
                    topup,
                    topup_every,
                    ..
                } => {
                    check_amount(&field("deposit"), *deposit, i == 0)?;
                    check_amount(&field("topup"), *topup, false)?;
                    if *topup > 0.0 && *topup_every == 0 {
                        return Err(invalid(field("topup_every"), "must be > 0 with a topup"));
                    }
                }
                ActorSpec::Momentum(t) | ActorSpec::Contrarian(t) => {
                    check_amount(&field("collateral"), t.collateral, true)?;
                    check_amount(&field("size"), t.size, true)?;
                    if t.lookback == 0 || t.hold == 0 {
                        return Err(invalid(field("lookback"), "lookback and hold must be > 0"));
                    }
                    if !(t.threshold.is_finite() && t.threshold >= 0.0) {
                        return Err(invalid(field("threshold"), "must be >= 0"));
                    }
                }
                ActorSpec::Crank { every, .. } => {
                    if *every == 0 {
                        return Err(invalid(field("every"), "must be > 0"));
                    }
                }
            }
        }
        for (i, [from, to]) in self.idle.iter().enumerate() {
            check(
                &format!("idle[{i}]"),
                from < to,
                "must be [from, to) with from < to",
            )?;
        }
        Ok(())
    }

    /// Is `step` inside an idle range?
    pub fn is_idle(&self, step: usize) -> bool {
        self.idle
            .iter()
            .any(|[from, to]| (*from..*to).contains(&step))
    }
}

fn check_mark(mark: Option<f64>) -> Result<(), SandboxError> {
    match mark {
        Some(m) if !(m.is_finite() && m > 0.0) => Err(invalid("pool.mark".into(), "must be > 0")),
        _ => Ok(()),
    }
}

fn check_amount(field: &str, value: f64, positive: bool) -> Result<(), SandboxError> {
    let ok = value.is_finite() && if positive { value > 0.0 } else { value >= 0.0 };
    check(
        field,
        ok,
        if positive {
            "must be > 0"
        } else {
            "must be >= 0"
        },
    )
}

fn check(field: &str, ok: bool, problem: &str) -> Result<(), SandboxError> {
    if ok {
        Ok(())
    } else {
        Err(invalid(field.into(), problem))
    }
}

fn invalid(field: String, problem: &str) -> SandboxError {
    SandboxError::Invalid {
        field,
        problem: problem.into(),
    }
}
