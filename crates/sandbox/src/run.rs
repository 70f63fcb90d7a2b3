//! The run: the real program in an in-process bank, stepped along the price path.
//!
//! Each step moves the Clock sysvar, posts a real `PriceUpdateV2` account, lets every actor
//! act through real transactions, and reads the pool back. Before each trade the program's
//! own settlement code is run off chain on the same pool; the transaction must land
//! exactly there (any difference is reported as a mismatch), and the slippage bound is the
//! predicted amount itself.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use asymptote::events::TradeSide;
use asymptote::instructions::common::Executed;
use asymptote::instructions::exact_input::exact_input;
use asymptote::oracle::candidates;
use asymptote::state::{math_supply, u256_from_bytes, OracleConfig, OracleSource, Pool};
use asymptote_math::{accrue_funding_at, Accrual, Side, State as MathState, U256};
use asymptote_tests::{
    refusal_name, BanksClientError, Fixture, FixtureOptions, Mode, TokenProgram, Trader, TOKEN,
};
use indicatif::{ProgressBar, ProgressStyle};

use crate::actors::{actions, Action, Position};
use crate::error::SandboxError;
use crate::oracle::Feed;
use crate::params::pool_params;
use crate::path::PricePath;
use crate::scenario::{ActorSpec, Scenario};

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub mode: Mode,
    pub progress: bool,
}

/// Charges realised on chain during one step, in sub-atoms (atoms x 2^64).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Flows {
    pub interest: U256,
    pub premium: U256,
    pub protocol_fee: U256,
    pub opening_fees: U256,
    pub skew_charges: U256,
}

impl Flows {
    pub fn add(&mut self, other: &Flows) {
        self.interest += other.interest;
        self.premium += other.premium;
        self.protocol_fee += other.protocol_fee;
        self.opening_fees += other.opening_fees;
        self.skew_charges += other.skew_charges;
    }
}

/// The pool as read back at the end of a step, valued at the step's spot price.
#[derive(Debug, Clone)]
pub struct Row {
    pub step: usize,
    pub label: String,
    pub slot: u64,
    /// Posted spot and EMA prices (Pyth integers, exponent -8).
    pub price: i64,
    pub ema: i64,
    /// `R` and its split at spot, sub-atoms.
    pub r: U256,
    pub r_long: U256,
    pub r_short: U256,
    pub r_lp: U256,
    /// Mint supplies (LONG, SHORT, LP), atoms; the math adds 1000 dead shares to each.
    pub supply: [u64; 3],
    pub flows: Flows,
    /// Net skew `N` (signed) and depth `L` at spot.
    pub skew_long_heavy: bool,
    pub skew: U256,
    pub depth: U256,
    pub vault: u64,
    pub protocol_fees_owed: u128,
    /// Each actor's holdings valued at the pool's token prices, sub-atoms.
    pub actor_values: Vec<U256>,
}

/// One transaction the sandbox sent, with what the math core needs to replay it.
#[derive(Debug, Clone)]
pub struct Op {
    pub step: usize,
    pub slot: u64,
    pub actor: usize,
    pub side_in: Side,
    pub side_out: Side,
    /// The amount the program asked the math core for (`Trade::amount`: collateral value in
    /// sub-atoms for an open, tokens otherwise); zero for the crank.
    pub request: U256,
    pub amount_in: u64,
    pub amount_out: u64,
    /// The program's refusal, by name.
    pub refused: Option<String>,
    /// The pool's books after the transaction, as read back: `R` (sub-atoms), `a`, `b`.
    pub books_after: (u128, U256, U256),
}

impl Op {
    /// A transaction about to be sent; its outcome is filled in afterwards.
    fn new(step: usize, slot: u64, actor: usize, side_in: Side, side_out: Side) -> Self {
        Op {
            step,
            slot,
            actor,
            side_in,
            side_out,
            request: U256::ZERO,
            amount_in: 0,
            amount_out: 0,
            refused: None,
            books_after: (0, U256::ZERO, U256::ZERO),
        }
    }

    pub fn is_crank(&self) -> bool {
        self.side_in == Side::Collateral && self.side_out == Side::Collateral
    }
}

/// Everything a run produced.
pub struct RunResult {
    pub scenario: String,
    pub mode: Mode,
    pub decimals: u8,
    pub slots_per_step: u64,
    pub actor_names: Vec<String>,
    pub actor_kinds: Vec<&'static str>,
    /// Collateral each actor brought in (atoms): starting balance plus top-ups.
    pub contributed: Vec<u64>,
    pub pool_params: asymptote::state::PoolParams,
    /// The pool right after creation (supplies include the dead shares).
    pub initial: MathState,
    pub rows: Vec<Row>,
    pub ops: Vec<Op>,
    pub program_transactions: usize,
    pub refusals: BTreeMap<String, usize>,
    pub mismatches: Vec<String>,
    /// Wall time of the step loop (setup excluded).
    pub elapsed: Duration,
}

struct Actor {
    spec: ActorSpec,
    trader: Trader,
    position: Option<Position>,
    contributed: u64,
    /// Balances of `[collateral, LONG, SHORT, LP]`, read back after every change.
    held: [u64; 4],
}

/// Token account index in `Actor::held` of a side.
fn slot_of(side: TradeSide) -> usize {
    match side {
        TradeSide::Collateral => 0,
        TradeSide::Long => 1,
        TradeSide::Short => 2,
        TradeSide::Lp => 3,
    }
}

/// What the sandbox last read from the bank. Every transaction that lands is followed by
/// reading back what it touched, so this is the chain's state, never a computed one.
struct Seen {
    pool: Pool,
    /// Mint supplies of LONG, SHORT, LP.
    supply: [u64; 3],
    slot: u64,
}

struct Sandbox {
    f: Fixture,
    feed: Feed,
    seen: Seen,
    actors: Vec<Actor>,
    ops: Vec<Op>,
    refusals: BTreeMap<String, usize>,
    mismatches: Vec<String>,
    transactions: usize,
}

pub async fn run(scenario: &Scenario, options: Options) -> Result<RunResult, SandboxError> {
    let path = PricePath::build(scenario)?;
    let feed = Feed::new(&path, &scenario.oracle)?;
    let mut sb = Sandbox::create(scenario, feed, options.mode).await?;
    let initial = sb.math_state();
    let atoms_per_unit = 10f64.powi(i32::from(scenario.pool.decimals));
    let steps = path.prices.len();
    let bar = progress_bar(steps, options.progress);

    let started = Instant::now();
    let mut rows = Vec::with_capacity(steps);
    for step in 0..steps {
        if step > 0 {
            sb.f.env.advance_clock(scenario.slots_per_step).await;
            sb.seen.slot += scenario.slots_per_step;
        }
        sb.post(step).await;
        let mut flows = Flows::default();
        if !scenario.is_idle(step) {
            for index in 0..sb.actors.len() {
                let actor = &sb.actors[index];
                let collateral = actor.held[0];
                let wanted = actions(
                    &actor.spec,
                    index,
                    actor.position,
                    &path.prices,
                    step,
                    collateral,
                    atoms_per_unit,
                );
                for action in wanted {
                    sb.execute(step, index, action, &mut flows).await;
                }
            }
        }
        rows.push(sb.observe(step, &path.labels[step], flows).await?);
        bar.inc(1);
    }
    bar.finish_and_clear();

    Ok(RunResult {
        scenario: scenario.name.clone(),
        mode: options.mode,
        decimals: scenario.pool.decimals,
        slots_per_step: scenario.slots_per_step,
        actor_names: sb
            .actors
            .iter()
            .map(|a| a.spec.name().to_string())
            .collect(),
        actor_kinds: sb.actors.iter().map(|a| kind(&a.spec)).collect(),
        contributed: sb.actors.iter().map(|a| a.contributed).collect(),
        pool_params: sb.f.pool().await.params,
        initial,
        rows,
        ops: sb.ops,
        program_transactions: sb.transactions,
        refusals: sb.refusals,
        mismatches: sb.mismatches,
        elapsed: started.elapsed(),
    })
}

fn books(pool: &Pool) -> (u128, U256, U256) {
    (
        pool.books.r,
        u256_from_bytes(&pool.books.a),
        u256_from_bytes(&pool.books.b),
    )
}

fn kind(spec: &ActorSpec) -> &'static str {
    match spec {
        ActorSpec::Lp { .. } => "lp",
        ActorSpec::Momentum(_) => "momentum",
        ActorSpec::Contrarian(_) => "contrarian",
        ActorSpec::Crank { .. } => "crank",
    }
}

fn progress_bar(steps: usize, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(steps as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} steps {per_sec} eta {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn atoms(amount: f64, decimals: u8) -> u64 {
    (amount * 10f64.powi(i32::from(decimals))) as u64
}

impl Sandbox {
    async fn create(scenario: &Scenario, feed: Feed, mode: Mode) -> Result<Self, SandboxError> {
        let decimals = scenario.pool.decimals;
        let Some(ActorSpec::Lp { deposit, .. }) = scenario.actors.first() else {
            return Err(SandboxError::Bank("the first actor must be an lp".into()));
        };
        let deposit = atoms(*deposit, decimals);
        let o = &scenario.oracle;
        let limits = OracleConfig {
            source: OracleSource::PythPull,
            key: [0; 32],
            max_age: 60,
            max_conf_bps_open: o.max_conf_bps_open,
            max_conf_bps_close: o.max_conf_bps_open.max(500),
            max_ema_divergence_bps: o.max_ema_divergence_bps,
            conf_widening_bps: 0,
        };
        let mut f = Fixture::with(FixtureOptions {
            mode,
            token_program: TokenProgram::from_env(mode),
            source: OracleSource::PythPull,
            collateral_program: TOKEN,
            decimals,
            params: pool_params(scenario, feed.prices[0])?,
            deposit,
            price: feed.prices[0],
            long_bps: scenario.pool.initial_long_bps,
            short_bps: scenario.pool.initial_short_bps,
            oracle_limits: Some(limits),
        })
        .await;
        let pool = f.pool().await;
        let slot = f.env.clock().await.slot;
        let mut sb = Sandbox {
            seen: Seen {
                pool,
                supply: [0; 3],
                slot,
            },
            f,
            feed,
            actors: vec![],
            ops: vec![],
            refusals: BTreeMap::new(),
            mismatches: vec![],
            transactions: 0,
        };
        for (i, spec) in scenario.actors.iter().enumerate() {
            let (trader, contributed) = match spec {
                ActorSpec::Lp { .. } if i == 0 => (sb.f.creator_with_collateral().await, deposit),
                ActorSpec::Lp { deposit, .. } => {
                    let amount = atoms(*deposit, decimals);
                    (sb.f.trader(amount).await, amount)
                }
                ActorSpec::Momentum(t) | ActorSpec::Contrarian(t) => {
                    let amount = atoms(t.collateral, decimals);
                    (sb.f.trader(amount).await, amount)
                }
                ActorSpec::Crank { .. } => (sb.f.trader(0).await, 0),
            };
            sb.actors.push(Actor {
                spec: spec.clone(),
                trader,
                position: None,
                contributed,
                held: [0; 4],
            });
        }
        for side in [TradeSide::Long, TradeSide::Short, TradeSide::Lp] {
            sb.read_supply(side).await;
        }
        for index in 0..sb.actors.len() {
            for side in [
                TradeSide::Collateral,
                TradeSide::Long,
                TradeSide::Short,
                TradeSide::Lp,
            ] {
                sb.read_held(index, side).await;
            }
        }
        Ok(sb)
    }

    /// Post the step's price as the pool's `PriceUpdateV2` account, published now.
    async fn post(&mut self, step: usize) {
        let now = self.f.env.clock().await.unix_timestamp;
        let p = self.feed.at(step, now);
        self.f.post(p).await;
    }

    fn supply(&self, side: TradeSide) -> u64 {
        match side {
            TradeSide::Long => self.seen.supply[0],
            TradeSide::Short => self.seen.supply[1],
            TradeSide::Lp => self.seen.supply[2],
            TradeSide::Collateral => 0,
        }
    }

    async fn read_supply(&mut self, side: TradeSide) {
        let index = match side {
            TradeSide::Long => 0,
            TradeSide::Short => 1,
            TradeSide::Lp => 2,
            TradeSide::Collateral => return,
        };
        let mint = self.f.keys.mint(side);
        self.seen.supply[index] = self.f.env.supply(&mint).await;
    }

    async fn read_held(&mut self, index: usize, side: TradeSide) {
        let account = self.actors[index].trader.account(side);
        self.actors[index].held[slot_of(side)] = self.f.env.balance(&account).await;
    }

    /// The math core's view of the pool as last read, with every supply.
    fn math_state(&self) -> MathState {
        let mut state = self
            .seen
            .pool
            .math_state([(Side::Long, 0), (Side::Short, 0)]);
        state.supply_long = math_supply(self.seen.supply[0]);
        state.supply_short = math_supply(self.seen.supply[1]);
        state.supply_lp = math_supply(self.seen.supply[2]);
        state
    }

    async fn execute(&mut self, step: usize, index: usize, action: Action, flows: &mut Flows) {
        match action {
            Action::Fund { amount } => {
                let to = self.actors[index].trader.collateral;
                let mint = self.f.keys.collateral_mint;
                self.f.env.mint_to(&mint, &TOKEN, &to, amount).await;
                self.actors[index].contributed += amount;
                self.read_held(index, TradeSide::Collateral).await;
            }
            Action::Open { side, amount } => {
                if self
                    .trade(step, index, TradeSide::Collateral, side, amount, flows)
                    .await
                    && side != TradeSide::Lp
                {
                    self.actors[index].position = Some(Position { side, opened: step });
                }
            }
            Action::CloseAll { side } => {
                let held = self.actors[index].held[slot_of(side)];
                if held == 0 {
                    self.actors[index].position = None;
                    return;
                }
                if self
                    .trade(step, index, side, TradeSide::Collateral, held, flows)
                    .await
                {
                    self.actors[index].position = None;
                }
            }
            Action::Crank => self.crank(step, index, flows).await,
        }
    }

    /// Send one exact-input trade, checked against the program's own settlement run off
    /// chain. Returns whether it landed.
    async fn trade(
        &mut self,
        step: usize,
        index: usize,
        side_in: TradeSide,
        side_out: TradeSide,
        budget: u64,
        flows: &mut Flows,
    ) -> bool {
        let before = self.seen.pool;
        let supplies = [
            (Side::from(side_in), self.supply(side_in)),
            (Side::from(side_out), self.supply(side_out)),
        ];
        let slot = self.seen.slot;
        let price = self.f.oracle_price();
        let predicted = exact_input(
            &before,
            &price,
            slot,
            side_in.into(),
            side_out.into(),
            budget,
            supplies,
        );
        // The slippage bound is the predicted output itself: the trade lands exactly or not.
        let min_out = predicted.as_ref().map_or(1, |e| e.amount_out);
        let trader = &self.actors[index].trader;
        let result = if side_in == TradeSide::Collateral {
            self.f.open(trader, side_out, budget, min_out).await
        } else {
            self.f.close(trader, side_in, budget, min_out).await
        };
        self.transactions += 1;
        let mut op = Op::new(step, slot, index, side_in.into(), side_out.into());
        let landed = match (result, predicted) {
            (Ok(()), Ok(executed)) => {
                self.read_back(index, side_in, side_out).await;
                self.check_trade(&before, &executed, step);
                let outcome = &executed.outcome;
                op.request = executed.request.amount;
                op.amount_in = executed.amount_in;
                op.amount_out = executed.amount_out;
                flows.add(&Flows {
                    interest: outcome.funding.interest,
                    premium: outcome.funding.premium,
                    protocol_fee: outcome.funding.protocol_fee,
                    opening_fees: outcome.opening_fee,
                    skew_charges: outcome.skew_charge,
                });
                true
            }
            (Ok(()), Err(e)) => {
                self.read_back(index, side_in, side_out).await;
                self.mismatches.push(format!(
                    "step {step}: the program accepted a trade its settlement code refuses ({e})"
                ));
                true
            }
            (Err(e), _) => {
                self.refuse(&mut op, &e);
                false
            }
        };
        op.books_after = books(&self.seen.pool);
        self.ops.push(op);
        landed
    }

    /// Read back everything a landed trade touched.
    async fn read_back(&mut self, index: usize, side_in: TradeSide, side_out: TradeSide) {
        self.seen.pool = self.f.pool().await;
        for side in [side_in, side_out] {
            self.read_supply(side).await;
            self.read_held(index, side).await;
        }
    }

    /// The pool after a trade must be the predicted one, to the unit.
    fn check_trade(&mut self, before: &Pool, executed: &Executed, step: usize) {
        let after = &self.seen.pool;
        let want = &executed.outcome.state;
        let fee = executed.outcome.funding.protocol_fee;
        let same = U256::from(after.books.r) == want.r
            && u256_from_bytes(&after.books.a) == want.a
            && u256_from_bytes(&after.books.b) == want.b
            && after.books.last_interest_slot == want.last_interest
            && after.books.last_premium_slot == want.last_premium
            && U256::from(after.books.protocol_fees_owed)
                == U256::from(before.books.protocol_fees_owed) + fee;
        if !same {
            self.mismatches.push(format!(
                "step {step}: pool after the trade differs from the program's settlement"
            ));
        }
    }

    async fn crank(&mut self, step: usize, index: usize, flows: &mut Flows) {
        let before = self.seen.pool;
        let slot = self.seen.slot;
        let price = self.f.oracle_price();
        let state = before.math_state([(Side::Collateral, 0), (Side::Collateral, 0)]);
        let prices = candidates(&price, 0, Side::Collateral, Side::Collateral).ok();
        let predicted = before
            .params
            .math_config()
            .ok()
            .zip(prices)
            .and_then(|(config, prices)| accrue_funding_at(&config, &state, prices, slot).ok());
        let result = self.f.accrue().await;
        self.transactions += 1;
        let mut op = Op::new(step, slot, index, Side::Collateral, Side::Collateral);
        match (result, predicted) {
            (
                Ok(()),
                Some(Accrual {
                    state: next,
                    charges,
                    ..
                }),
            ) => {
                self.seen.pool = self.f.pool().await;
                let after = &self.seen.pool;
                if U256::from(after.books.r) != next.r
                    || u256_from_bytes(&after.books.a) != next.a
                    || u256_from_bytes(&after.books.b) != next.b
                {
                    self.mismatches.push(format!(
                        "step {step}: crank result differs from the math core"
                    ));
                }
                flows.add(&Flows {
                    interest: charges.interest,
                    premium: charges.premium,
                    protocol_fee: charges.protocol_fee,
                    ..Flows::default()
                });
            }
            (Ok(()), None) => {
                self.seen.pool = self.f.pool().await;
                self.mismatches.push(format!(
                    "step {step}: the crank landed where the math core fails"
                ));
            }
            (Err(e), _) => self.refuse(&mut op, &e),
        }
        op.books_after = books(&self.seen.pool);
        self.ops.push(op);
    }

    /// Record the program's refusal of `op`, by name.
    fn refuse(&mut self, op: &mut Op, e: &BanksClientError) {
        let name = refusal_name(e).unwrap_or_else(|| e.to_string());
        *self.refusals.entry(name.clone()).or_default() += 1;
        op.refused = Some(name);
    }

    /// Read the pool back and value it at the step's spot price.
    async fn observe(
        &mut self,
        step: usize,
        label: &str,
        flows: Flows,
    ) -> Result<Row, SandboxError> {
        let state = self.math_state();
        let vault = self.f.env.balance(&self.f.keys.vault).await;
        let spot = self.feed.prices[step];
        let valued = crate::value::split_at(&self.seen.pool.params, &state, spot)
            .map_err(|e| SandboxError::Bank(format!("step {step}: cannot value the pool: {e}")))?;
        let actor_values = self
            .actors
            .iter()
            .map(|a| valued.holdings_value(&state, a.held))
            .collect();
        Ok(Row {
            step,
            label: label.to_string(),
            slot: self.seen.slot,
            price: spot,
            ema: self.feed.emas[step],
            r: state.r,
            r_long: valued.reserves.long,
            r_short: valued.reserves.short,
            r_lp: valued.reserves.lp,
            supply: self.seen.supply,
            flows,
            skew_long_heavy: valued.skew.long_heavy,
            skew: valued.skew.magnitude,
            depth: valued.skew.depth,
            vault,
            protocol_fees_owed: self.seen.pool.books.protocol_fees_owed,
            actor_values,
        })
    }
}
