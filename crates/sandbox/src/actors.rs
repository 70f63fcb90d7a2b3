//! What each actor wants to do at a step, from what it can observe: the oracle's price
//! history and its own position. Pure decisions; the runner turns them into transactions.

use asymptote::events::TradeSide;

use crate::scenario::{ActorSpec, TraderSpec};

/// One intention of one actor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Pay up to `amount` collateral (atoms) for `side` tokens.
    Open { side: TradeSide, amount: u64 },
    /// Sell every token of `side` held.
    CloseAll { side: TradeSide },
    /// Call the funding crank.
    Crank,
    /// Mint `amount` atoms of new collateral to the actor (an LP top-up arriving).
    Fund { amount: u64 },
}

/// An open trader position: its side and the step it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub side: TradeSide,
    pub opened: usize,
}

/// Relative move of the price over the last `lookback` steps (None before enough history).
pub fn signal(prices: &[f64], step: usize, lookback: usize) -> Option<f64> {
    let then = prices.get(step.checked_sub(lookback)?)?;
    Some(prices.get(step)? / then - 1.0)
}

/// A trend (`follow = true`) or contrarian trader's decision.
pub fn trader_actions(
    t: &TraderSpec,
    follow: bool,
    position: Option<Position>,
    prices: &[f64],
    step: usize,
    collateral: u64,
    atoms_per_unit: f64,
) -> Vec<Action> {
    let Some(move_) = signal(prices, step, t.lookback) else {
        return vec![];
    };
    let wanted = if move_ > t.threshold {
        Some(if follow {
            TradeSide::Long
        } else {
            TradeSide::Short
        })
    } else if move_ < -t.threshold {
        Some(if follow {
            TradeSide::Short
        } else {
            TradeSide::Long
        })
    } else {
        None
    };
    match position {
        Some(p) => {
            let expired = step >= p.opened + t.hold;
            let turned = wanted.is_some_and(|w| w != p.side);
            if expired || turned {
                vec![Action::CloseAll { side: p.side }]
            } else {
                vec![]
            }
        }
        None => match wanted {
            Some(side) => {
                let amount = ((t.size * atoms_per_unit) as u64).min(collateral);
                if amount == 0 {
                    vec![]
                } else {
                    vec![Action::Open { side, amount }]
                }
            }
            None => vec![],
        },
    }
}

/// Everything an actor wants at `step`.
pub fn actions(
    spec: &ActorSpec,
    index: usize,
    position: Option<Position>,
    prices: &[f64],
    step: usize,
    collateral: u64,
    atoms_per_unit: f64,
) -> Vec<Action> {
    match spec {
        ActorSpec::Lp {
            deposit,
            topup,
            topup_every,
            exit_at_step,
            ..
        } => {
            if *exit_at_step == Some(step) {
                return vec![Action::CloseAll {
                    side: TradeSide::Lp,
                }];
            }
            if exit_at_step.is_some_and(|exit| step > exit) {
                return vec![];
            }
            // The first LP seeded the pool at creation; the others join at step 0.
            if step == 0 && index > 0 {
                let amount = (deposit * atoms_per_unit) as u64;
                return vec![Action::Open {
                    side: TradeSide::Lp,
                    amount,
                }];
            }
            if *topup > 0.0 && step > 0 && step.is_multiple_of(*topup_every) {
                let amount = (topup * atoms_per_unit) as u64;
                return vec![
                    Action::Fund { amount },
                    Action::Open {
                        side: TradeSide::Lp,
                        amount,
                    },
                ];
            }
            vec![]
        }
        ActorSpec::Momentum(t) => {
            trader_actions(t, true, position, prices, step, collateral, atoms_per_unit)
        }
        ActorSpec::Contrarian(t) => {
            trader_actions(t, false, position, prices, step, collateral, atoms_per_unit)
        }
        ActorSpec::Crank { every, .. } => {
            if step.is_multiple_of(*every) {
                vec![Action::Crank]
            } else {
                vec![]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> TraderSpec {
        TraderSpec {
            name: "t".into(),
            collateral: 1000.0,
            size: 100.0,
            lookback: 2,
            threshold: 0.05,
            hold: 3,
        }
    }

    #[test]
    fn momentum_buys_a_rise_and_contrarian_sells_it() {
        let prices = [100.0, 100.0, 110.0];
        let open = |follow| trader_actions(&spec(), follow, None, &prices, 2, 10_000, 10.0);
        assert_eq!(
            open(true),
            vec![Action::Open {
                side: TradeSide::Long,
                amount: 1000
            }]
        );
        assert_eq!(
            open(false),
            vec![Action::Open {
                side: TradeSide::Short,
                amount: 1000
            }]
        );
    }

    #[test]
    fn no_signal_before_lookback_or_inside_threshold() {
        let prices = [100.0, 104.0, 103.0];
        assert!(trader_actions(&spec(), true, None, &prices, 1, 10_000, 1.0).is_empty());
        assert!(trader_actions(&spec(), true, None, &prices, 2, 10_000, 1.0).is_empty());
    }

    #[test]
    fn positions_close_when_held_long_enough_or_when_the_signal_turns() {
        let long = Some(Position {
            side: TradeSide::Long,
            opened: 2,
        });
        let flat = [100.0; 8];
        assert!(trader_actions(&spec(), true, long, &flat, 4, 0, 1.0).is_empty());
        assert_eq!(
            trader_actions(&spec(), true, long, &flat, 5, 0, 1.0),
            vec![Action::CloseAll {
                side: TradeSide::Long
            }]
        );
        let falling = [100.0, 100.0, 100.0, 90.0, 80.0];
        assert_eq!(
            trader_actions(&spec(), true, long, &falling, 4, 0, 1.0),
            vec![Action::CloseAll {
                side: TradeSide::Long
            }]
        );
    }

    #[test]
    fn size_is_capped_by_the_collateral_held() {
        let prices = [100.0, 100.0, 110.0];
        assert_eq!(
            trader_actions(&spec(), true, None, &prices, 2, 700, 10.0),
            vec![Action::Open {
                side: TradeSide::Long,
                amount: 700
            }]
        );
        assert!(trader_actions(&spec(), true, None, &prices, 2, 0, 10.0).is_empty());
    }
}
