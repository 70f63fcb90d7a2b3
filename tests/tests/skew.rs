//! The skew charge (SPEC section 6) through the program: who pays it and who gets it, the
//! cap, and exact-input opens that pay it.

use asymptote::error::AsymptoteError as E;
use asymptote::events::TradeSide::{self, Collateral, Long, Lp, Short};
use asymptote::state::PoolParams;
use asymptote_math::skew::{charge, skew};
use asymptote_math::{curve, U256};
use asymptote_tests::*;

const USDC: u64 = 1_000_000;
const ONE: u128 = 1 << 64;

/// A pool with the default economics plus a skew charge `lambda` and cap `b_max`
/// (64.64 raw values; 0 = none).
async fn skewed(lambda: u128, b_max: u128) -> Fixture {
    Fixture::with(FixtureOptions {
        params: PoolParams {
            skew_lambda: lambda,
            skew_cap: b_max,
            ..default_params()
        },
        ..FixtureOptions::default()
    })
    .await
}

/// `rC` of the pool on chain, at LONG power `xk`.
async fn lp_reserve_at(f: &mut Fixture, xk: U256) -> U256 {
    let pool = f.pool().await;
    let state = pool.math_state([(asymptote_math::Side::Collateral, 0); 2]);
    let (long, short) = curve::evaluate(state.r, state.a, state.b, xk).expect("evaluate");
    state.r - long - short
}

#[tokio::test]
async fn the_skew_charge_is_paid_by_the_trader_and_kept_by_lp() {
    let mut f = skewed(ONE / 20, 0).await;
    let t = f.trader(100_000 * USDC).await;
    let budget = 20_000 * USDC;
    let want = f.expect_trade(Collateral, Long, budget).await;
    let o = &want.outcome;
    assert!(
        o.skew_charge > U256::ZERO,
        "a LONG open on a balanced pool is charged"
    );

    // The charge is the potential difference between the split before and the target
    // split after (the split after less what the trade paid into R beyond the value).
    let config = f.pool().await.params.math_config().expect("config");
    let paid = U256::from(want.amount_in) << 64;
    let surplus = paid - o.amount_in;
    let r_before = o.before.long + o.before.short + o.before.lp;
    let target_lp = o.after.lp - o.opening_fee - o.skew_charge - surplus;
    let target_r = o.after.long + o.after.short + target_lp;
    let k = config.k;
    let before = skew(
        &config.skew,
        k,
        r_before,
        o.before.long,
        o.before.short,
        o.before.lp,
    )
    .expect("skew before");
    let after = skew(
        &config.skew,
        k,
        target_r,
        o.after.long,
        o.after.short,
        target_lp,
    )
    .expect("skew after");
    assert_eq!(
        o.skew_charge,
        charge(&config.skew, &before, &after).expect("charge")
    );

    f.open(&t, Long, budget, want.amount_out)
        .await
        .expect("open");
    assert_eq!(
        100_000 * USDC - f.env.balance(&t.collateral).await,
        want.amount_in
    );
    assert_eq!(f.env.balance(&t.long).await, want.amount_out);
    // LP's reserve grew by everything the trader paid beyond the value credited to LONG:
    // the opening fee, the skew charge and the rounding to whole atoms.
    let lp_after = lp_reserve_at(&mut f, o.price.xk).await;
    assert_eq!(lp_after - o.before.lp, paid - o.value);
    assert_eq!(
        paid - o.value,
        o.opening_fee + o.skew_charge + surplus,
        "the trader paid value + fee + charge, rounded up"
    );

    // The same budget on a pool without the charge buys more LONG.
    let mut plain = skewed(0, 0).await;
    let p = plain.trader(100_000 * USDC).await;
    plain.open(&p, Long, budget, 1).await.expect("open");
    assert!(plain.env.balance(&p.long).await > want.amount_out);
}

#[tokio::test]
async fn a_close_that_raises_the_skew_pays_the_charge_out_of_its_value() {
    let mut f = skewed(ONE / 20, 0).await;
    let t = f.trader(100_000 * USDC).await;
    f.open(&t, Short, 10_000 * USDC, 1)
        .await
        .expect("open SHORT");
    // A LONG-heavy pool: closing SHORT raises |N| and pays the charge.
    let u = f.trader(100_000 * USDC).await;
    f.open(&u, Long, 30_000 * USDC, 1).await.expect("open LONG");
    let held = f.env.balance(&t.short).await;
    let want = f.expect_trade(Short, Collateral, held).await;
    let o = &want.outcome;
    assert!(o.skew_charge > U256::ZERO);
    // payout = value - charge, floored to whole atoms
    assert_eq!(
        U256::from(want.amount_out),
        (o.value - o.skew_charge) >> 64,
        "the close pays its value less the charge"
    );
    let extra = t.accounts();
    let snapshot = f.snapshot(&extra).await;
    assert_error(
        f.close(&t, Short, held, want.amount_out + 1).await,
        code(E::SlippageExceeded),
    );
    assert_eq!(
        f.snapshot(&extra).await,
        snapshot,
        "a refused close changed state"
    );
    let cash = f.env.balance(&t.collateral).await;
    f.close(&t, Short, held, want.amount_out)
        .await
        .expect("close");
    assert_eq!(f.env.balance(&t.collateral).await - cash, want.amount_out);
}

#[tokio::test]
async fn the_skew_cap_refuses_trades_and_lp_withdrawals_beyond_it_and_changes_nothing() {
    // K = 2, thirds: N = 0, L = R/3. With b_max = 0.5 a LONG may add up to R/12 of value.
    let mut f = skewed(ONE / 100, ONE / 2).await;
    let t = f.trader(1_000_000 * USDC).await;
    let extra = t.accounts();
    let before = f.snapshot(&extra).await;
    assert_error(
        f.open(&t, Long, 200_000 * USDC, 1).await,
        code(E::SkewCapExceeded),
    );
    assert_eq!(
        f.snapshot(&extra).await,
        before,
        "a refused open changed state"
    );

    f.open(&t, Long, 50_000 * USDC, 1)
        .await
        .expect("within the cap");
    // Removing most of the LP depth would leave |N| > b_max L.
    let creator = f.creator_with_collateral().await;
    let lp = f.env.balance(&creator.lp).await;
    let extra = creator.accounts();
    let before = f.snapshot(&extra).await;
    assert_error(
        f.close(&creator, Lp, lp / 10 * 8, 0).await,
        code(E::SkewCapExceeded),
    );
    assert_eq!(
        f.snapshot(&extra).await,
        before,
        "a refused withdrawal changed state"
    );
    f.close(&creator, Lp, lp / 100, 0)
        .await
        .expect("a small withdrawal stays within the cap");
}

/// Open `budget` atoms of `side` at exactly the payment the off-chain settlement predicts,
/// and check that it spends the budget to within one atom; the atoms left over.
async fn open_spends_the_budget(f: &mut Fixture, t: &Trader, side: TradeSide, budget: u64) -> u64 {
    let want = f.expect_trade(Collateral, side, budget).await;
    let cash = f.env.balance(&t.collateral).await;
    f.open(t, side, budget, want.amount_out)
        .await
        .unwrap_or_else(|e| panic!("open {side:?} {budget}: {e:?}"));
    let paid = cash - f.env.balance(&t.collateral).await;
    assert_eq!(paid, want.amount_in);
    assert!(
        paid <= budget && budget - paid <= 1,
        "{side:?} budget {budget}: paid {paid}"
    );
    eprintln!(
        "exact input: {side:?} budget {budget}: {} atoms left",
        budget - paid
    );
    budget - paid
}

#[tokio::test]
async fn exact_input_opens_with_a_skew_charge_spend_the_budget_within_one_unit() {
    // One after the other on a 1,000,000 USDC pool, up to 30% of it per open.
    let mut f = skewed(ONE / 20, 4 * ONE).await;
    let t = f.trader(2_000_000 * USDC).await;
    let sides: [TradeSide; 3] = [Long, Short, Lp];
    for budget in [
        USDC,
        1_234_567_891,
        50_000 * USDC,
        123_456_789_123,
        300_000 * USDC,
    ] {
        for side in sides {
            open_spends_the_budget(&mut f, &t, side, budget).await;
        }
    }
}

#[tokio::test]
async fn large_exact_input_opens_on_a_fresh_pool_spend_the_budget_within_one_unit() {
    // Each side alone on a fresh 1,000,000 USDC pool (thirds, or LONG-heavy: LONG on the
    // flat branch), charges from lambda 0.05 to 2.
    for (lambda, long_bps, short_bps) in
        [(ONE / 20, 0, 0), (2 * ONE, 0, 0), (ONE / 20, 6_000, 1_000)]
    {
        for side in [Long, Short, Lp] {
            let mut f = Fixture::with(FixtureOptions {
                params: PoolParams {
                    skew_lambda: lambda,
                    ..default_params()
                },
                long_bps,
                short_bps,
                ..FixtureOptions::default()
            })
            .await;
            let t = f.trader(1_000_000 * USDC).await;
            for budget in [300_000 * USDC, 10_000 * USDC + 1] {
                open_spends_the_budget(&mut f, &t, side, budget).await;
            }
        }
    }
}
