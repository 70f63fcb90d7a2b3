//! The operations: how they are drawn, and how each one is sent and checked.

use asymptote::constants::pause;
use asymptote::events::TradeSide::{self, Collateral, Long, Lp, Short};
use asymptote::instructions::common::Executed;
use asymptote::state::OracleSource;
use asymptote_tests::*;
use pyth_sdk_solana::state::PriceStatus;
use rand::Rng;
use solana_signer::Signer;

use super::{invariants, World};

/// Ways the oracle can move.
#[derive(Debug, Clone, Copy)]
pub enum PriceMove {
    Fresh,
    Stale,
    WideConfidence,
    OutOfOrder,
    Zero,
    Diverged,
}

#[derive(Debug, Clone, Copy)]
pub enum Op {
    Open {
        actor: usize,
        side: TradeSide,
        budget: u64,
    },
    Close {
        actor: usize,
        side: TradeSide,
        amount: u64,
    },
    Swap {
        actor: usize,
        side_in: TradeSide,
        side_out: TradeSide,
        amount: u64,
    },
    Crank,
    CollectFees,
    Price(PriceMove),
    /// Move the clock; `fork` warps to a new bank instead of moving the Clock sysvar.
    Warp {
        slots: u64,
        fork: bool,
    },
    /// The guardian adds pause bits.
    Pause(u16),
    /// The admin clears every pause bit.
    Unpause,
}

impl Op {
    fn kind(&self) -> &'static str {
        match self {
            Op::Open { side: Lp, .. } => "add LP",
            Op::Open { .. } => "open",
            Op::Close { side: Lp, .. } => "remove LP",
            Op::Close { .. } => "close",
            Op::Swap { .. } => "swap",
            Op::Crank => "accrue",
            Op::CollectFees => "collect fees",
            Op::Price(_) => "price",
            Op::Warp { .. } => "warp",
            Op::Pause(_) => "pause",
            Op::Unpause => "unpause",
        }
    }
}

const SIDES: [TradeSide; 3] = [Long, Short, Lp];

impl World {
    /// An amount from 1 to `max`, log-uniform (small and large trades alike), sometimes
    /// zero or more than `max`.
    fn amount(&mut self, max: u64) -> u64 {
        match self.rng.random_range(0..100) {
            0..5 => 0,
            5..10 => max.saturating_add(self.rng.random_range(1..1_000)),
            10..20 => max,
            _ if max <= 1 => max,
            _ => {
                let log = self.rng.random_range(0.0..(max as f64).ln());
                (log.exp() as u64).clamp(1, max)
            }
        }
    }

    pub(super) async fn random_op(&mut self) -> Op {
        let actor = self.rng.random_range(0..self.actors.len());
        let side = SIDES[self.rng.random_range(0..3)];
        match self.rng.random_range(0..100) {
            0..25 => {
                let held = self.f.env.balance(&self.actors[actor].collateral).await;
                let vault = self.f.env.balance(&self.f.keys.vault).await;
                let budget = self.amount(held.min(vault / 4).max(1));
                Op::Open {
                    actor,
                    side,
                    budget,
                }
            }
            25..45 => {
                let held = self.f.env.balance(&self.actors[actor].account(side)).await;
                let amount = self.amount(held.max(1));
                Op::Close {
                    actor,
                    side,
                    amount,
                }
            }
            45..53 => {
                let side_out = SIDES[self.rng.random_range(0..3)];
                let held = self.f.env.balance(&self.actors[actor].account(side)).await;
                let amount = self.amount(held.max(1));
                Op::Swap {
                    actor,
                    side_in: side,
                    side_out,
                    amount,
                }
            }
            53..61 => Op::Crank,
            61..63 => Op::CollectFees,
            63..83 => Op::Price(match self.rng.random_range(0..100) {
                0..70 => PriceMove::Fresh,
                70..76 => PriceMove::Stale,
                76..82 => PriceMove::WideConfidence,
                82..88 => PriceMove::OutOfOrder,
                88..94 => PriceMove::Zero,
                _ => PriceMove::Diverged,
            }),
            83..96 => {
                let slots = match self.rng.random_range(0..100) {
                    0..70 => self.rng.random_range(1..=150),
                    70..95 => self.rng.random_range(150..=9_000),
                    _ => 216_000 * self.rng.random_range(1..=60),
                };
                let fork = self.rng.random_range(0..100) < 5;
                Op::Warp { slots, fork }
            }
            96..98 => Op::Pause(1 << self.rng.random_range(0..pause::ALL.count_ones())),
            _ => Op::Unpause,
        }
    }

    /// Send one operation, check it, and return the program's refusal if it was refused.
    pub(super) async fn apply(&mut self, op: Op) -> Result<(), String> {
        let trader_accounts = match op {
            Op::Open { actor, .. } | Op::Close { actor, .. } | Op::Swap { actor, .. } => {
                self.actors[actor].accounts()
            }
            _ => vec![self.fee_account],
        };
        let before = self.f.snapshot(&trader_accounts).await;
        let predicted = self.predict(op).await;
        let result = self.send(op).await;
        let outcome = match result {
            Ok(()) => {
                if let Some(executed) = &predicted {
                    invariants::check_trade(&mut self.f, op, executed, self.name).await;
                }
                Ok(())
            }
            Err(e) => {
                let after = self.f.snapshot(&trader_accounts).await;
                assert_eq!(
                    before, after,
                    "{}: refused {op:?} changed state ({e:?})",
                    self.name
                );
                let name = refusal_name(&e)
                    .unwrap_or_else(|| panic!("{}: {op:?} failed unnamed: {e:?}", self.name));
                *self.refusals.entry(name.clone()).or_default() += 1;
                if std::env::var_os("FUZZ_DEBUG").is_some() {
                    eprintln!("refused {} {name} {op:?}", op.kind());
                }
                Err(name)
            }
        };
        self.tally(op.kind(), outcome.is_ok());
        self.seen.check(&mut self.f, &op, self.name).await;
        outcome
    }

    /// The program's settlement of a trade, run off chain on the pool as it is (oracle
    /// checks aside); `None` when it would fail or the posted price is not usable.
    async fn predict(&mut self, op: Op) -> Option<Box<Executed>> {
        let (side_in, side_out, budget) = match op {
            Op::Open { side, budget, .. } => (Collateral, side, budget),
            Op::Close { side, amount, .. } => (side, Collateral, amount),
            Op::Swap {
                side_in,
                side_out,
                amount,
                ..
            } => (side_in, side_out, amount),
            _ => return None,
        };
        if self.f.price.price <= 0 || self.f.price.ema <= 0 || side_in == side_out {
            return None;
        }
        self.f
            .settle_off_chain(side_in, side_out, budget)
            .await
            .ok()
    }

    async fn send(&mut self, op: Op) -> Result<(), BanksClientError> {
        match op {
            Op::Open {
                actor,
                side,
                budget,
            } => {
                let t = &self.actors[actor];
                self.f.open(t, side, budget, 1).await
            }
            Op::Close {
                actor,
                side,
                amount,
            } => {
                let t = &self.actors[actor];
                self.f.close(t, side, amount, 0).await
            }
            Op::Swap {
                actor,
                side_in,
                side_out,
                amount,
            } => {
                let t = &self.actors[actor];
                self.f.swap(t, side_in, side_out, amount, 0).await
            }
            Op::Crank => self.f.accrue().await,
            Op::CollectFees => {
                let ix = collect_fees_ix(&self.f.keys, &self.fee_account);
                self.f.env.send(&[ix], &[]).await
            }
            Op::Price(kind) => {
                self.post_price(kind).await;
                Ok(())
            }
            Op::Warp { slots, fork } => {
                if fork {
                    self.f.env.advance_slots(slots).await;
                } else {
                    self.f.env.advance_clock(slots).await;
                }
                // Usually a keeper posts a fresh price soon after; sometimes the oracle
                // stays stale and the next trades must refuse.
                if self.rng.random_range(0..100) < 70 {
                    self.post_price(PriceMove::Fresh).await;
                }
                Ok(())
            }
            Op::Pause(bit) => {
                let guardian = self.f.guardian.insecure_clone();
                let paused = self.f.config().await.paused | bit;
                let ix = set_pause_ix(&guardian.pubkey(), paused);
                self.f.env.send(&[ix], &[&guardian]).await
            }
            Op::Unpause => {
                let admin = self.f.admin.insecure_clone();
                let ix = set_pause_ix(&admin.pubkey(), 0);
                self.f.env.send(&[ix], &[&admin]).await
            }
        }
    }

    async fn post_price(&mut self, kind: PriceMove) {
        let clock = self.f.env.clock().await;
        let shock = self.volatility * self.normal();
        let fresh = ((self.good_price as f64) * shock.exp()).max(1.0) as i64;
        let ema = (self.f.price.ema.max(1) + fresh) / 2;
        let conf = (fresh as u64 / 10_000) * self.rng.random_range(1..=20);
        let mut p = PythPrice {
            price: fresh,
            conf,
            ema,
            ema_conf: conf,
            exponent: EXPONENT,
            publish_time: clock.unix_timestamp,
        };
        let pool = self.f.pool().await;
        let last_used = pool.books.last_publish_time;
        let max_age = i64::from(pool.oracle.max_age);
        let mut legacy_slot = clock.slot;
        match kind {
            PriceMove::Fresh => self.good_price = fresh,
            PriceMove::Stale => {
                p.publish_time -= max_age + 1;
                legacy_slot = legacy_slot.saturating_sub(max_age as u64 + 1);
            }
            PriceMove::WideConfidence => p.conf = fresh as u64 / 10,
            PriceMove::OutOfOrder => p.publish_time = last_used.saturating_sub(1),
            PriceMove::Zero => p.price = 0,
            PriceMove::Diverged => p.ema = fresh + fresh / 3,
        }
        if self.f.source == OracleSource::PythLegacy && matches!(kind, PriceMove::Stale) {
            let key = self.f.keys.oracle;
            self.f
                .env
                .post_legacy_price(&key, &p, PriceStatus::Trading, legacy_slot);
            self.f.price = p;
        } else {
            self.f.post(p).await;
        }
    }

    /// A standard normal draw (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u1: f64 = 1.0 - self.rng.random::<f64>();
        let u2: f64 = self.rng.random();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}
