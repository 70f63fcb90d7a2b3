//! Scenarios through the whole program: create, open, close, swap, funding, fees, quotes.

use asymptote::events::TradeSide::{Collateral, Long, Lp, Short};
use asymptote::state::{math_supply, OracleSource};
use asymptote_math::{Side, U256};
use asymptote_tests::*;
use solana_signer::Signer;

const USDC: u64 = 1_000_000;

#[tokio::test]
async fn create_pool_splits_the_deposit_into_thirds_with_dead_shares() {
    let mut f = Fixture::new().await;
    let pool = f.pool().await;
    let deposit = 1_000_000_000_000u64;
    assert_eq!(f.env.balance(&f.keys.vault).await, deposit);
    assert_eq!({ pool.books.r }, u128::from(deposit) << 64);
    assert_eq!(
        { pool.params.mark },
        150 * 10u128.pow(18),
        "MARK defaults to the oracle price"
    );
    // one third each; the creator gets the reserves less 1000 dead shares per side
    let creator = f.creator_trader(Default::default());
    let third = deposit / 3;
    let long = f.env.balance(&creator.long).await;
    let short = f.env.balance(&creator.short).await;
    let lp = f.env.balance(&creator.lp).await;
    assert_eq!(long, third - 1000);
    assert_eq!(short, third - 1000);
    // LP is the residual, floored to whole atoms: at most one atom below the exact third
    assert!(
        lp <= deposit - 2 * third - 1000 && lp + 1 >= deposit - 2 * third - 1000,
        "lp {lp}"
    );
    assert_eq!(
        math_supply(f.env.supply(&f.keys.long_mint).await),
        U256::from(third)
    );
    assert_eq!(f.env.supply(&f.keys.lp_mint).await, lp);
    let config = f.config().await;
    assert_eq!({ config.pool_count }, 1);
}

#[tokio::test]
async fn open_then_close_each_side_matches_the_math_core_and_never_profits() {
    for side in [Long, Short, Lp] {
        let mut f = Fixture::new().await;
        let trader = f.trader(10_000 * USDC).await;
        let budget = 1_000 * USDC;
        let want = f.expect_trade(Collateral, side, budget).await;
        f.open(&trader, side, budget, 1).await.expect("open");
        let tokens = f.env.balance(&trader.account(side)).await;
        let paid = 10_000 * USDC - f.env.balance(&trader.collateral).await;
        assert_eq!(tokens, want.amount_out, "{side:?} tokens minted");
        assert_eq!(paid, want.amount_in, "{side:?} collateral paid");
        assert!(paid <= budget);
        // exact input: at most one unit of value left unspent (opening fee grossed up)
        assert!(
            budget - paid <= 1,
            "{side:?} left {} unspent",
            budget - paid
        );
        assert_eq!(
            { f.pool().await.books.r },
            u128::try_from(want.outcome.state.r).unwrap()
        );

        let want = f.expect_trade(side, Collateral, tokens).await;
        f.close(&trader, side, tokens, 1).await.expect("close");
        let received = f.env.balance(&trader.collateral).await - (10_000 * USDC - paid);
        assert_eq!(received, want.amount_out, "{side:?} collateral out");
        assert!(
            received <= paid,
            "{side:?}: paid {paid}, got back {received}"
        );
        if side != Lp {
            // 0.3 % opening fee: the round trip costs at least the fee
            assert!(
                paid - received >= paid * 30 / 10_000 - 1,
                "{side:?}: paid {paid}, got {received}"
            );
        }
        let vault = f.env.balance(&f.keys.vault).await;
        let pool = f.pool().await;
        assert!(
            U256::from(vault) << 64
                >= U256::from(pool.books.r) + U256::from(pool.books.protocol_fees_owed)
        );
    }
}

#[tokio::test]
async fn long_gains_when_the_price_rises_by_k_times_the_move() {
    let mut f = Fixture::new().await;
    let trader = f.trader(10_000 * USDC).await;
    f.open(&trader, Long, 1_000 * USDC, 1).await.expect("open");
    let tokens = f.env.balance(&trader.long).await;
    let before = f.env.balance(&trader.collateral).await;
    f.set_price(165_00000000).await; // +10 %, K = 2: LONG worth 1.21x
    f.close(&trader, Long, tokens, 1).await.expect("close");
    let got = f.env.balance(&trader.collateral).await - before;
    // value opened ~ 997.0 (after the 0.3 % fee), times 1.21 ~ 1206.4
    assert!(got > 1_205 * USDC && got < 1_207 * USDC, "got {got}");
}

#[tokio::test]
async fn swap_long_to_short_keeps_collateral_and_matches_the_math_core() {
    let mut f = Fixture::new().await;
    let trader = f.trader(10_000 * USDC).await;
    f.open(&trader, Long, 1_000 * USDC, 1).await.expect("open");
    let tokens = f.env.balance(&trader.long).await;
    let r_before = f.pool().await.books.r;
    let want = f.expect_trade(Long, Short, tokens / 2).await;
    f.swap(&trader, Long, Short, tokens / 2, 1)
        .await
        .expect("swap");
    assert_eq!(f.env.balance(&trader.short).await, want.amount_out);
    assert_eq!(f.env.balance(&trader.long).await, tokens - want.amount_in);
    assert_eq!(
        { f.pool().await.books.r },
        r_before,
        "a swap moves no collateral"
    );
}

/// The pool keeps `x^K` and its inverse at its last trade's price. Whether a trade reuses
/// them (same price) or not (new price, or a price the pool left), it moves exactly what
/// the same trade computed from scratch moves, and the kept powers are the math core's.
#[tokio::test]
async fn kept_powers_never_change_a_trade() {
    let mut f = Fixture::new().await;
    let trader = f.trader(100_000 * USDC).await;
    let config = f.pool().await.params.math_config().unwrap();
    let kept_at = |pool: &asymptote::state::Pool| pool.known_powers().map(|p| p.price);
    let first = f.price.price;
    let plan = [
        (first + first / 20, Long),  // a new price
        (first + first / 20, Short), // the price of the previous trade
        (first - first / 50, Lp),    // another new price
        (first + first / 20, Long),  // back to a price the pool left
        (first + first / 20, Lp),
    ];
    for (price, side) in plan {
        if price != f.price.price {
            f.set_price(price).await;
        }
        let want = f.settle_from_scratch(Collateral, side, 1_000 * USDC).await;
        let held = f.env.balance(&trader.account(side)).await;
        f.open(&trader, side, 1_000 * USDC, 1).await.expect("open");
        assert_eq!(
            f.env.balance(&trader.account(side)).await - held,
            want.amount_out,
            "{side:?} at {price}"
        );
        let pool = f.pool().await;
        let selected = &want.outcome.price;
        assert_eq!(kept_at(&pool), Some(selected.price));
        assert_eq!(
            pool.known_powers(),
            Some(asymptote_math::Powers::at(selected.price, config.mark, config.k).unwrap())
        );
        assert_eq!(U256::from(pool.books.r), want.outcome.state.r);
    }
}

/// The crank keeps the powers of the price it used (a pure function of the price), and a
/// trade at that price reuses them and moves what the same trade from scratch moves.
#[tokio::test]
async fn the_crank_keeps_the_powers_of_its_price() {
    let mut f = Fixture::new().await;
    let trader = f.trader(100_000 * USDC).await;
    f.open(&trader, Long, 1_000 * USDC, 1).await.expect("open");
    let config = f.pool().await.params.math_config().unwrap();
    let price = f.price.price + f.price.price / 20;
    f.set_price(price).await;
    f.advance(10).await;
    f.accrue().await.expect("accrue");
    let scaled = U256::from(price as u128 * 10u128.pow(10));
    assert_eq!(
        f.pool().await.known_powers(),
        Some(asymptote_math::Powers::at(scaled, config.mark, config.k).unwrap())
    );
    let want = f.settle_from_scratch(Collateral, Short, 1_000 * USDC).await;
    let held = f.env.balance(&trader.account(Short)).await;
    f.open(&trader, Short, 1_000 * USDC, 1).await.expect("open");
    assert_eq!(
        f.env.balance(&trader.account(Short)).await - held,
        want.amount_out
    );
}

#[tokio::test]
async fn funding_over_a_day_matches_the_math_core_and_fees_can_be_collected() {
    let mut f = Fixture::new().await;
    let trader = f.trader(100_000 * USDC).await;
    f.open(&trader, Long, 50_000 * USDC, 1).await.expect("open");
    let before = f.pool().await;
    f.advance(216_000).await; // one day of 400 ms slots
    let config = before.params.math_config().unwrap();
    let slot = f.env.clock().await.slot;
    let state = before.math_state([(Side::Collateral, 0), (Side::Collateral, 0)]);
    let price = U256::from(f.price.price as u128 * 10u128.pow(10));
    let (next, charges) = asymptote_math::accrue_funding(
        &config,
        &state,
        asymptote_math::Prices::single(price),
        slot,
    )
    .unwrap();
    f.accrue().await.expect("accrue");
    let after = f.pool().await;
    assert_eq!(U256::from(after.books.r), next.r);
    assert_eq!({ after.books.last_interest_slot }, slot);
    assert_eq!(
        U256::from(after.books.protocol_fees_owed),
        charges.protocol_fee
    );
    assert!(charges.interest > U256::ZERO && charges.premium > U256::ZERO);
    assert!(
        charges.premium_paid_by_long,
        "LONG is the larger side and pays the premium"
    );
    // a second crank in the same slot changes nothing
    let snap = f.snapshot(&[]).await;
    f.accrue().await.expect("accrue again");
    assert_eq!(f.snapshot(&[]).await, snap);

    // collect: the recipient gets the whole atoms owed
    let recipient = f.fee_recipient.pubkey();
    let account = f
        .env
        .ata(
            &recipient,
            &f.keys.collateral_mint,
            &f.keys.collateral_program,
        )
        .await;
    let owed = after.books.protocol_fees_owed;
    let ix = collect_fees_ix(&f.keys, &account);
    f.env.send(&[ix], &[]).await.expect("collect");
    assert_eq!(u128::from(f.env.balance(&account).await), owed >> 64);
    assert_eq!(
        { f.pool().await.books.protocol_fees_owed },
        owed & u128::from(u64::MAX)
    );
    let ix = collect_fees_ix(&f.keys, &account);
    assert_error(
        f.env.send(&[ix], &[]).await,
        code(asymptote::error::AsymptoteError::NothingToCollect),
    );
}

#[tokio::test]
async fn quotes_equal_what_the_trade_then_does() {
    let mut f = Fixture::new().await;
    if f.env.mode == Mode::Native {
        // Return data is set through a syscall that only exists on SBF: the SBF run checks it.
        let ix = quote_pool_ix(&f.keys);
        f.env
            .simulate_return(&[ix], &[])
            .await
            .expect("quote_pool runs natively");
        return;
    }
    let trader = f.trader(10_000 * USDC).await;
    f.advance(1_000).await;
    let quote = f
        .quote_trade(Collateral, Short, 2_000 * USDC)
        .await
        .expect("quote");
    let snap = f.snapshot(&[]).await;
    f.open(&trader, Short, 2_000 * USDC, quote.amount_out)
        .await
        .expect("open at the quoted size");
    assert_ne!(f.snapshot(&[]).await, snap);
    assert_eq!(f.env.balance(&trader.short).await, quote.amount_out);
    assert_eq!(
        10_000 * USDC - f.env.balance(&trader.collateral).await,
        quote.amount_in
    );

    let tokens = quote.amount_out;
    let quote = f
        .quote_trade(Short, Collateral, tokens)
        .await
        .expect("quote close");
    let before = f.env.balance(&trader.collateral).await;
    f.close(&trader, Short, tokens, quote.amount_out)
        .await
        .expect("close");
    assert_eq!(
        f.env.balance(&trader.collateral).await - before,
        quote.amount_out
    );

    let pool_quote = f.quote_pool().await.expect("pool quote");
    let pool = f.pool().await;
    assert_eq!(
        pool_quote.r_long + pool_quote.r_short + pool_quote.r_lp,
        pool_quote.r
    );
    assert_eq!(pool_quote.r, { pool.books.r });
}

#[tokio::test]
async fn legacy_oracle_pools_trade_too() {
    let mut f = Fixture::with(FixtureOptions {
        source: OracleSource::PythLegacy,
        ..Default::default()
    })
    .await;
    let trader = f.trader(10_000 * USDC).await;
    f.open(&trader, Long, 1_000 * USDC, 1).await.expect("open");
    f.advance(100).await;
    let tokens = f.env.balance(&trader.long).await;
    f.close(&trader, Long, tokens, 1).await.expect("close");
}

#[tokio::test]
async fn token_2022_collateral_with_allowed_extensions_works() {
    let mut f = Fixture::with(FixtureOptions {
        collateral_program: TOKEN_2022,
        ..Default::default()
    })
    .await;
    let trader = f.trader(10_000 * USDC).await;
    f.open(&trader, Short, 1_000 * USDC, 1).await.expect("open");
    let tokens = f.env.balance(&trader.short).await;
    f.close(&trader, Short, tokens, 1).await.expect("close");
    assert!(f.env.balance(&trader.collateral).await <= 10_000 * USDC);
}

#[test]
fn account_sizes_include_reserved_space() {
    use asymptote::state::{Pool, ProtocolConfig};
    // Changing a layout must be deliberate: these sizes are what deployed accounts hold.
    // Both are read in place; their layouts (no padding) are their Borsh encodings. The
    // pool's is 8-byte aligned, every field at a multiple of its alignment.
    assert_eq!(core::mem::size_of::<Pool>(), 832);
    assert_eq!(core::mem::align_of::<Pool>(), 8);
    assert_eq!(Pool::SPACE, 8 + 832);
    assert_eq!(core::mem::size_of::<ProtocolConfig>(), 300);
    assert_eq!(ProtocolConfig::SPACE, 8 + 300);
}

#[tokio::test]
async fn every_trade_emits_an_event_an_indexer_can_replay() {
    use anchor_lang::{AnchorDeserialize, Discriminator};
    use asymptote::events::Traded;
    let mut f = Fixture::new().await;
    if f.env.mode == Mode::Native {
        eprintln!("emit_cpi! events are recorded only on the SBF build");
        return;
    }
    let trader = f.trader(10_000 * USDC).await;
    let args = asymptote::instructions::OpenArgs {
        side: Long,
        amount_in: 1_000 * USDC,
        min_out: 1,
        expiry_slot: 0,
    };
    let ix = open_ix(
        &trader.pubkey(),
        &f.keys,
        &trader.collateral,
        &trader.long,
        args,
    );
    let events = f
        .env
        .simulate_events(std::slice::from_ref(&ix), &[&trader.keypair])
        .await
        .expect("simulate");
    assert_eq!(events.len(), 1, "one event per instruction");
    let data = events[0]
        .strip_prefix(Traded::DISCRIMINATOR)
        .expect("a Traded event");
    let event = Traded::deserialize(&mut &data[..]).expect("decode Traded");
    f.env.send(&[ix], &[&trader.keypair]).await.expect("open");
    let pool = f.pool().await;
    assert_eq!(event.pool, f.keys.pool);
    assert_eq!(event.trader, trader.pubkey());
    assert_eq!(
        event.amount_in,
        10_000 * USDC - f.env.balance(&trader.collateral).await
    );
    assert_eq!(event.amount_out, f.env.balance(&trader.long).await);
    assert_eq!(event.books.r, { pool.books.r });
    assert_eq!(event.books.a, pool.books.a);
    assert_eq!(
        event.books.r_long + event.books.r_short + event.books.r_lp,
        event.books.r
    );
    assert_eq!(
        event.books.supply_long,
        f.env.supply(&f.keys.long_mint).await
    );
    assert!(event.opening_fee > 0, "0.3 % opening fee");
}
