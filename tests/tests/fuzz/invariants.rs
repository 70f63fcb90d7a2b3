//! The invariants checked after every operation (SPEC section 9).

use asymptote::events::TradeSide::{self, Collateral, Long, Lp, Short};
use asymptote::instructions::common::Executed;
use asymptote::state::{math_supply, u256_from_bytes, Pool};
use asymptote_math::{curve, mul_div, Reserves, Side, U256};
use asymptote_tests::*;

use super::Op;

/// What must never go backwards between operations.
pub struct Seen {
    last_interest: u64,
    last_premium: u64,
    last_publish_time: i64,
    slot: u64,
}

impl Seen {
    pub async fn read(f: &mut Fixture) -> Self {
        let pool = f.pool().await;
        Seen {
            last_interest: pool.books.last_interest_slot,
            last_premium: pool.books.last_premium_slot,
            last_publish_time: pool.books.last_publish_time,
            slot: f.env.clock().await.slot,
        }
    }

    /// The pool-wide invariants, after any operation (landed or refused).
    pub async fn check(&mut self, f: &mut Fixture, op: &Op, name: &str) {
        let pool = f.pool().await;
        let vault = f.env.balance(&f.keys.vault).await;
        let slot = f.env.clock().await.slot;
        let books = &pool.books;
        let at = |what: &str| format!("{name}: after {op:?}: {what}");

        // The vault holds R and the fees owed (donations only add).
        let owed = U256::from(books.r) + U256::from(books.protocol_fees_owed);
        assert!(
            U256::from(vault) << 64 >= owed,
            "{}",
            at("vault < R + fees owed")
        );
        // rA + rB <= R at every price (4ab <= R^2).
        let (a, b) = (u256_from_bytes(&books.a), u256_from_bytes(&books.b));
        let r = U256::from(books.r);
        assert!(curve::check_solvent(r, a, b).is_ok(), "{}", at("4ab > R^2"));
        // Timers and the oracle memory only move forward, and never past now.
        assert!(
            books.last_interest_slot >= self.last_interest,
            "{}",
            at("interest timer went back")
        );
        assert!(
            books.last_premium_slot >= self.last_premium,
            "{}",
            at("premium timer went back")
        );
        assert!(
            books.last_interest_slot <= slot && books.last_premium_slot <= slot,
            "{}",
            at("a timer is ahead of the clock")
        );
        assert!(
            books.last_publish_time >= self.last_publish_time,
            "{}",
            at("publish time went back")
        );
        assert!(slot >= self.slot, "{}", at("clock went back"));
        *self = Seen {
            last_interest: books.last_interest_slot,
            last_premium: books.last_premium_slot,
            last_publish_time: books.last_publish_time,
            slot,
        };
    }
}

/// A landed trade: the pool is exactly the program's settlement; sides the trade did not
/// touch lost nothing; the trader got no more value than they gave.
pub async fn check_trade(f: &mut Fixture, op: Op, executed: &Executed, name: &str) {
    let pool = f.pool().await;
    let want = &executed.outcome.state;
    let at = |what: &str| format!("{name}: {op:?}: {what}");
    assert_eq!(
        (
            U256::from(pool.books.r),
            u256_from_bytes(&pool.books.a),
            u256_from_bytes(&pool.books.b)
        ),
        (want.r, want.a, want.b),
        "{}",
        at("the pool differs from the program's settlement")
    );
    let o = &executed.outcome;
    let (side_in, side_out): (TradeSide, TradeSide) = match op {
        Op::Open { side, .. } => (Collateral, side),
        Op::Close { side, .. } => (side, Collateral),
        Op::Swap {
            side_in, side_out, ..
        } => (side_in, side_out),
        _ => return,
    };
    // Re-solving a coefficient rounds it up, which can hand the out side a few units of
    // reserve more than its target (about x^K + 1/(4 x^K) units). The program counts in
    // sub-atoms so that this stays below one atom: an untouched side may lose less than one
    // atom of collateral, never more.
    let one = U256::from(1u64) << 64;
    for side in [Long, Short, Lp] {
        if side != side_in && side != side_out {
            let (before, after) = (o.before.get(side.into()), o.after.get(side.into()));
            assert!(
                after + one > before,
                "{}",
                at(&format!(
                    "untouched {side:?} lost an atom or more: {before} -> {after}"
                ))
            );
        }
    }
    let supply_of = |state: &asymptote_math::State, side: TradeSide| state.supply(side.into());
    // Value in (sub-atoms) against value out, both at the trade's own price.
    let value_in = match side_in {
        Collateral => U256::from(executed.amount_in) * one,
        // the in side's supply before the trade: after it, plus what it burned
        side => mul_div(
            U256::from(executed.amount_in),
            o.before.get(side.into()),
            supply_of(want, side) + U256::from(executed.amount_in),
        )
        .unwrap_or(U256::MAX),
    };
    let value_out = match side_out {
        Collateral => U256::from(executed.amount_out) * one,
        side => mul_div(
            U256::from(executed.amount_out),
            o.after.get(side.into()),
            supply_of(want, side),
        )
        .unwrap_or(U256::ZERO),
    };
    assert!(
        value_out <= value_in,
        "{}",
        at(&format!("value out {value_out} > value in {value_in}"))
    );
}

/// `(rA, rB, rC)` of the pool at a Pyth price (exponent -8), sub-atoms.
pub fn split(pool: &Pool, price: i64) -> Option<Reserves> {
    let config = pool.params.math_config().ok()?;
    let normalised = U256::from(price.max(1) as u64) * U256::from(10u64.pow(10));
    let state = pool.math_state([(Side::Collateral, 0), (Side::Collateral, 0)]);
    state.reserves_at(&config, normalised).ok()
}

/// Value of `held` tokens of `side` at a Pyth price (exponent -8), sub-atoms.
pub fn token_value(pool: &Pool, side: TradeSide, held: u64, supply: u64, price: i64) -> U256 {
    let Some(reserves) = split(pool, price) else {
        return U256::MAX;
    };
    mul_div(
        U256::from(held),
        reserves.get(side.into()),
        math_supply(supply),
    )
    .unwrap_or(U256::MAX)
}
