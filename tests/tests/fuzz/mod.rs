//! The fuzzer's world: one pool, its actors, and the operations they may attempt.

mod invariants;
mod ops;

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use asymptote::events::TradeSide::{self, Long, Lp, Short};
use asymptote::state::{OracleConfig, OracleSource, PoolParams};
use asymptote_math::U256;
use asymptote_tests::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use solana_signer::Signer;

pub use ops::Op;

/// One pool configuration to fuzz.
pub struct Configuration {
    pub name: &'static str,
    pub options: FixtureOptions,
    /// Standard deviation of a fresh price move (log).
    pub volatility: f64,
}

/// Three pools: Derion-like (no skew charge), a skewed pool with a cap and a depth cap, and
/// a high-K pool on a legacy Pyth account with fast funding and confidence widening.
pub fn configurations() -> Vec<Configuration> {
    let base = default_params();
    let oracle = |source, widening| OracleConfig {
        conf_widening_bps: widening,
        ..default_oracle(source, [0; 32])
    };
    vec![
        Configuration {
            name: "K=2, no skew charge",
            options: FixtureOptions {
                params: PoolParams { k: 2, ..base },
                ..FixtureOptions::default()
            },
            volatility: 0.02,
        },
        Configuration {
            name: "K=4, lambda 0.02, cap 3, depth cap 400k",
            options: FixtureOptions {
                params: PoolParams {
                    k: 4,
                    skew_lambda: (1u128 << 64) / 50,
                    skew_cap: 3u128 << 64,
                    skew_depth_cap: 400_000_000_000,
                    ..base
                },
                long_bps: 2000,
                short_bps: 1000,
                ..FixtureOptions::default()
            },
            volatility: 0.03,
        },
        Configuration {
            name: "K=8, legacy oracle, 30-day interest half-life, widening",
            options: FixtureOptions {
                source: OracleSource::PythLegacy,
                params: PoolParams {
                    k: 8,
                    interest_half_life: 216_000 * 30,
                    premium_half_life: 216_000,
                    fee_divisor: 2,
                    opening_fee_bps: 100,
                    skew_lambda: (1u128 << 64) / 20,
                    skew_cap: 0,
                    ..base
                },
                oracle_limits: Some(oracle(OracleSource::PythLegacy, 50)),
                decimals: 9,
                deposit: 1_000_000_000_000_000,
                ..FixtureOptions::default()
            },
            volatility: 0.01,
        },
    ]
}

/// Landed and refused counts of one kind of operation.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    landed: usize,
    refused: usize,
}

pub struct World {
    f: Fixture,
    rng: ChaCha8Rng,
    name: &'static str,
    volatility: f64,
    /// Actor 0 is the pool's creator.
    actors: Vec<Trader>,
    fee_account: Pubkey,
    /// The last valid price posted (Pyth integer, exponent -8).
    good_price: i64,
    tallies: BTreeMap<&'static str, Tally>,
    refusals: BTreeMap<String, usize>,
    seen: invariants::Seen,
    operations: usize,
    exits: usize,
    /// LP value (sub-atoms) the skew cap kept from leaving at the end.
    held_in_by_cap: U256,
    /// R after the exits (sub-atoms) and its split at the last price (atoms).
    final_r: U256,
    final_split: (U256, U256, U256),
}

impl World {
    pub async fn new(config: Configuration, seed: u64) -> Self {
        let good_price = config.options.price;
        let mut f = Fixture::with(config.options).await;
        let mut actors = vec![f.creator_with_collateral().await];
        let unit = 10u64.pow(u32::from(f.decimals));
        for amount in [50_000, 200_000, 1_000_000] {
            actors.push(f.trader(amount * unit).await);
        }
        let recipient = f.fee_recipient.pubkey();
        let (mint, program) = (f.keys.collateral_mint, f.keys.collateral_program);
        let fee_account = f.env.ata(&recipient, &mint, &program).await;
        let seen = invariants::Seen::read(&mut f).await;
        World {
            f,
            rng: ChaCha8Rng::seed_from_u64(seed),
            name: config.name,
            volatility: config.volatility,
            actors,
            fee_account,
            good_price,
            tallies: BTreeMap::new(),
            refusals: BTreeMap::new(),
            seen,
            operations: 0,
            exits: 0,
            held_in_by_cap: U256::ZERO,
            final_r: U256::ZERO,
            final_split: (U256::ZERO, U256::ZERO, U256::ZERO),
        }
    }

    /// `count` random operations, every invariant checked after each.
    pub async fn run(&mut self, count: usize) {
        for _ in 0..count {
            let op = self.random_op().await;
            // A refusal is an outcome here: apply() has already checked it changed nothing.
            let _refused = self.apply(op).await;
            self.operations += 1;
        }
    }

    fn tally(&mut self, kind: &'static str, landed: bool) {
        let t = self.tallies.entry(kind).or_default();
        if landed {
            t.landed += 1;
        } else {
            t.refused += 1;
        }
    }

    /// Unpause, post a fresh price, and let every holder sell everything, in a random
    /// order. A holding may only stay behind if it is worth less than one atom, or if a
    /// later pass (after others exited) lets it out.
    pub async fn everyone_exits(&mut self) {
        let admin = self.f.admin.insecure_clone();
        self.f
            .env
            .send(&[set_pause_ix(&admin.pubkey(), 0)], &[&admin])
            .await
            .expect("admin unpauses");
        self.f.env.advance_clock(1).await;
        let price = self.good_price;
        self.f.set_price(price).await;
        let mut holdings: Vec<(usize, TradeSide)> = (0..self.actors.len())
            .flat_map(|a| [(a, Long), (a, Short), (a, Lp)])
            .collect();
        holdings.shuffle(&mut self.rng);
        for pass in 0..3 {
            let mut left = vec![];
            for (actor, side) in holdings {
                let account = self.actors[actor].account(side);
                let held = self.f.env.balance(&account).await;
                if held == 0 {
                    continue;
                }
                let op = Op::Close {
                    actor,
                    side,
                    amount: held,
                };
                match self.apply(op).await {
                    Ok(()) => self.exits += 1,
                    Err(name) => {
                        if name == "SkewCapExceeded" && side == Lp {
                            self.exit_down_to_the_cap(actor).await;
                        }
                        let held = self.f.env.balance(&account).await;
                        let worth = self.value_of(side, held).await;
                        // LP the skew cap holds in is counted and reported, not excused
                        // silently (see docs/security.md: the cap can keep the last LPs in).
                        let capped = side == Lp && name == "SkewCapExceeded";
                        let stuck = worth >= U_ONE_ATOM && !capped;
                        if pass == 2 && capped {
                            self.held_in_by_cap += worth;
                        }
                        if worth >= U_ONE_ATOM && pass < 2 {
                            left.push((actor, side));
                        }
                        if pass == 2 && stuck {
                            let pool = self.f.pool().await;
                            let mut supplies = vec![];
                            for s in [Long, Short, Lp] {
                                supplies.push(self.f.env.supply(&self.f.keys.mint(s)).await);
                            }
                            let split = invariants::split(&pool, self.good_price);
                            panic!(
                                "{}: actor {actor} cannot exit {held} {side:?} worth {worth} \
                                 sub-atoms: {name}; pool split (LONG, SHORT, LP) {split:?}, \
                                 mint supplies {supplies:?}",
                                self.name
                            );
                        }
                    }
                }
            }
            holdings = left;
        }
        let vault = self.f.env.balance(&self.f.keys.vault).await;
        let pool = self.f.pool().await;
        self.final_r = U256::from(pool.books.r);
        if let Some(r) = invariants::split(&pool, self.good_price) {
            self.final_split = (r.long >> 64, r.short >> 64, r.lp >> 64);
        }
        assert!(
            u128::from(vault) << 64 >= pool.books.r + pool.books.protocol_fees_owed,
            "{}: vault below the books after every exit",
            self.name
        );
    }

    /// A full LP exit the skew cap refuses: take out as much as the cap allows, halving
    /// the amount after each refusal.
    async fn exit_down_to_the_cap(&mut self, actor: usize) {
        let account = self.actors[actor].lp;
        let mut amount = self.f.env.balance(&account).await / 2;
        for _ in 0..64 {
            if amount == 0 {
                break;
            }
            let op = Op::Close {
                actor,
                side: Lp,
                amount,
            };
            if self.apply(op).await.is_ok() {
                amount = self.f.env.balance(&account).await / 2;
            } else {
                amount /= 2;
            }
        }
    }

    /// What `held` tokens can redeem at the last valid price, sub-atoms. LP removal values
    /// one unit less than the amount (the reference's conservative rule), so a single LP
    /// atom redeems nothing, whatever the LP price.
    async fn value_of(&mut self, side: TradeSide, held: u64) -> asymptote_math::U256 {
        let pool = self.f.pool().await;
        let supply = self.f.env.supply(&self.f.keys.mint(side)).await;
        let redeemable = if side == Lp {
            held.saturating_sub(1)
        } else {
            held
        };
        invariants::token_value(&pool, side, redeemable, supply, self.good_price)
    }

    pub fn report(&self) -> String {
        let landed: usize = self.tallies.values().map(|t| t.landed).sum();
        let refused: usize = self.tallies.values().map(|t| t.refused).sum();
        let kinds: Vec<String> = self
            .tallies
            .iter()
            .map(|(k, t)| format!("{k} {}/{}", t.landed, t.landed + t.refused))
            .collect();
        let mut reasons: Vec<(&String, &usize)> = self.refusals.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1));
        let top: Vec<String> = reasons
            .iter()
            .take(6)
            .map(|(n, c)| format!("{n} {c}"))
            .collect();
        format!(
            "[{}] {} operations: {landed} landed, {refused} refused; landed/tried: {}; \
             top refusals: {}; {} exits at the end; left in the pool: R = {} atoms, split \
             (LONG, SHORT, LP) {:?} atoms, of which LP the skew cap held in {} atoms",
            self.name,
            self.operations,
            kinds.join(", "),
            top.join(", "),
            self.exits,
            self.final_r >> 64,
            self.final_split,
            self.held_in_by_cap >> 64,
        )
    }
}

/// One atom in sub-atoms.
const U_ONE_ATOM: asymptote_math::U256 = asymptote_math::U256::from_limbs([0, 1, 0, 0]);
