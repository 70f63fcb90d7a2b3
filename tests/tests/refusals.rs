//! Every refusal is a named error and changes nothing: oracle policy, pauses, roles,
//! substituted accounts, bad arguments.

use anchor_lang::error::ErrorCode as Anchor;
use asymptote::constants::pause;
use asymptote::error::AsymptoteError as E;
use asymptote::events::TradeSide::{Collateral, Long, Short};
use asymptote::instructions::{CloseArgs, InitializeConfigArgs, OpenArgs};
use asymptote::state::OracleSource;
use asymptote_tests::*;
use pyth_sdk_solana::state::PriceStatus;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_keypair::Keypair;
use solana_signer::Signer;

const USDC: u64 = 1_000_000;

/// `assert_refused!` with the trader's accounts in the snapshot.
macro_rules! refused {
    ($f:expr, $trader:expr, $expected:expr, $op:expr) => {
        assert_refused!($f, $trader.accounts(), $expected, $op)
    };
}

async fn open_fixture() -> (Fixture, Trader) {
    let mut f = Fixture::new().await;
    let t = f.trader(10_000 * USDC).await;
    f.open(&t, Long, 1_000 * USDC, 1).await.expect("open");
    (f, t)
}

#[tokio::test]
async fn oracle_refusals_each_have_their_error() {
    let (mut f, t) = open_fixture().await;
    let now = f.env.clock().await.unix_timestamp;
    let good = PythPrice::at(150_00000000, EXPONENT, now);

    // stale: older than max_age (60 s)
    f.post(PythPrice {
        publish_time: now - 61,
        ..good
    })
    .await;
    refused!(f, t, code(E::OracleStale), f.open(&t, Long, USDC, 1).await);
    // confidence too wide for an open (1 %), but a close accepts up to 5 %
    f.post(PythPrice {
        conf: 150_00000000 / 50,
        ..good
    })
    .await;
    refused!(
        f,
        t,
        code(E::OracleConfidenceTooWide),
        f.open(&t, Long, USDC, 1).await
    );
    // spot 10 % away from the EMA: opens refused (limit 5 %)
    f.post(PythPrice {
        ema: 136_00000000,
        ..good
    })
    .await;
    refused!(
        f,
        t,
        code(E::OracleEmaDivergence),
        f.open(&t, Long, USDC, 1).await
    );
    // zero and negative prices
    f.post(PythPrice { price: 0, ..good }).await;
    refused!(
        f,
        t,
        code(E::OracleNonPositive),
        f.open(&t, Long, USDC, 1).await
    );
    f.post(PythPrice { ema: -5, ..good }).await;
    refused!(
        f,
        t,
        code(E::OracleNonPositive),
        f.close(&t, Long, 1_000, 0).await
    );
    // exponent outside -18..=0
    f.post(PythPrice {
        exponent: 2,
        ..good
    })
    .await;
    refused!(
        f,
        t,
        code(E::OracleExponentOutOfRange),
        f.open(&t, Long, USDC, 1).await
    );
    f.post(PythPrice {
        exponent: -19,
        ..good
    })
    .await;
    refused!(
        f,
        t,
        code(E::OracleExponentOutOfRange),
        f.open(&t, Long, USDC, 1).await
    );
    // published in the future
    f.post(PythPrice {
        publish_time: now + 60,
        ..good
    })
    .await;
    refused!(
        f,
        t,
        code(E::OracleFromFuture),
        f.open(&t, Long, USDC, 1).await
    );
    // not fully verified
    let feed = f.feed_id;
    f.env.post_price_update_with(
        &f.keys.oracle.clone(),
        feed,
        &good,
        VerificationLevel::Partial { num_signatures: 5 },
    );
    refused!(
        f,
        t,
        code(E::OracleNotFullyVerified),
        f.open(&t, Long, USDC, 1).await
    );
    // another feed's valid update
    f.env
        .post_price_update(&f.keys.oracle.clone(), [9u8; 32], &good);
    refused!(
        f,
        t,
        code(E::OracleWrongFeed),
        f.open(&t, Long, USDC, 1).await
    );
    // an account not owned by the receiver program
    let mut fake = price_update_account(feed, &good, VerificationLevel::Full, 0);
    fake.owner = Keypair::new().pubkey();
    f.env.set_account(&f.keys.oracle.clone(), fake);
    refused!(
        f,
        t,
        code(E::OracleWrongOwner),
        f.open(&t, Long, USDC, 1).await
    );

    // a fresh price works; then an older (still in-age) update is refused: no cherry-picking
    f.advance(25).await;
    f.open(&t, Long, USDC, 1).await.expect("fresh price");
    f.post(PythPrice {
        publish_time: now,
        ..good
    })
    .await;
    refused!(
        f,
        t,
        code(E::OracleNotMonotonic),
        f.open(&t, Long, USDC, 1).await
    );
}

#[tokio::test]
async fn closes_accept_a_wider_confidence_band_than_opens() {
    let (mut f, t) = open_fixture().await;
    let now = f.env.clock().await.unix_timestamp;
    f.post(PythPrice {
        conf: 150_00000000 / 50,
        ..PythPrice::at(150_00000000, EXPONENT, now)
    })
    .await;
    let tokens = f.env.balance(&t.long).await;
    f.close(&t, Long, tokens, 1)
        .await
        .expect("2 % confidence is fine for a close");
}

#[tokio::test]
async fn legacy_oracle_refusals() {
    let mut f = Fixture::with(FixtureOptions {
        source: OracleSource::PythLegacy,
        ..Default::default()
    })
    .await;
    let t = f.trader(10_000 * USDC).await;
    let clock = f.env.clock().await;
    let good = PythPrice::at(150_00000000, EXPONENT, clock.unix_timestamp);
    let oracle = f.keys.oracle;
    f.env
        .post_legacy_price(&oracle, &good, PriceStatus::Halted, clock.slot);
    refused!(
        f,
        t,
        code(E::OracleNotTrading),
        f.open(&t, Long, USDC, 1).await
    );
    f.env.post_legacy_price(
        &oracle,
        &good,
        PriceStatus::Trading,
        clock.slot.saturating_sub(151),
    );
    refused!(f, t, code(E::OracleStale), f.open(&t, Long, USDC, 1).await);
    // a valid price account that is not the pool's
    let other = solana_keypair::Keypair::new().pubkey();
    f.env
        .post_legacy_price(&other, &good, PriceStatus::Trading, clock.slot);
    f.keys.oracle = other;
    refused!(
        f,
        t,
        code(E::OracleWrongAccount),
        f.open(&t, Long, USDC, 1).await
    );
    f.keys.oracle = oracle;
    // right address, wrong owner
    let mut account = legacy_price_account(
        &Keypair::new().pubkey(),
        &good,
        PriceStatus::Trading,
        clock.slot,
    );
    account.lamports += 1;
    f.env.set_account(&oracle, account);
    refused!(
        f,
        t,
        code(E::OracleWrongOwner),
        f.open(&t, Long, USDC, 1).await
    );
}

#[tokio::test]
async fn the_crank_falls_back_to_the_last_price_only_when_the_oracle_is_stale() {
    let (mut f, t) = open_fixture().await;
    f.env.advance_slots(10_000).await; // price now 4,000 s old
    f.accrue()
        .await
        .expect("crank on a stale oracle uses the last valid price");
    let pool = f.pool().await;
    assert_eq!({ pool.books.last_interest_slot }, f.env.clock().await.slot);
    // a wrong feed is not staleness: refused
    let now = f.env.clock().await.unix_timestamp;
    f.env.post_price_update(
        &f.keys.oracle.clone(),
        [1u8; 32],
        &PythPrice::at(150_00000000, EXPONENT, now),
    );
    refused!(f, t, code(E::OracleWrongFeed), f.accrue().await);
}

#[tokio::test]
async fn every_pause_bit_blocks_its_instruction_and_only_the_admin_unpauses() {
    let (mut f, t) = open_fixture().await;
    let guardian = f.guardian.insecure_clone();
    let admin = f.admin.insecure_clone();
    let tokens = f.env.balance(&t.long).await;
    let recipient = f
        .env
        .ata(
            &f.fee_recipient.pubkey(),
            &f.keys.collateral_mint,
            &f.keys.collateral_program,
        )
        .await;
    for bit in [
        pause::OPEN,
        pause::CLOSE,
        pause::SWAP,
        pause::ACCRUE,
        pause::COLLECT_FEES,
    ] {
        f.env
            .send(&[set_pause_ix(&guardian.pubkey(), bit)], &[&guardian])
            .await
            .expect("guardian pauses");
        assert_eq!({ f.config().await.paused }, bit);
        let result = match bit {
            pause::OPEN => f.open(&t, Long, USDC, 1).await,
            pause::CLOSE => f.close(&t, Long, tokens, 1).await,
            pause::SWAP => f.swap(&t, Long, Short, tokens, 1).await,
            pause::ACCRUE => f.accrue().await,
            _ => {
                f.env
                    .send(&[collect_fees_ix(&f.keys, &recipient)], &[])
                    .await
            }
        };
        assert_error(result, code(E::Paused));
        // the guardian cannot lift it
        refused!(
            f,
            t,
            code(E::GuardianCannotUnpause),
            f.env
                .send(&[set_pause_ix(&guardian.pubkey(), 0)], &[&guardian])
                .await
        );
        f.env
            .send(&[set_pause_ix(&admin.pubkey(), 0)], &[&admin])
            .await
            .expect("admin unpauses");
    }
    // unknown bits and strangers are refused
    refused!(
        f,
        t,
        code(E::InvalidPauseBits),
        f.env
            .send(&[set_pause_ix(&admin.pubkey(), 1 << 9)], &[&admin])
            .await
    );
    let stranger = Keypair::new();
    f.env.airdrop(&stranger.pubkey(), 1_000_000_000).await;
    refused!(
        f,
        t,
        code(E::NotAdminOrGuardian),
        f.env
            .send(
                &[set_pause_ix(&stranger.pubkey(), pause::OPEN)],
                &[&stranger]
            )
            .await
    );
    // everything works again
    f.open(&t, Short, USDC, 1).await.expect("unpaused");
}

#[tokio::test]
async fn create_pool_can_be_paused() {
    let mut f = Fixture::new().await;
    let admin = f.admin.insecure_clone();
    f.env
        .send(
            &[set_pause_ix(&admin.pubkey(), pause::CREATE_POOL)],
            &[&admin],
        )
        .await
        .expect("pause");
    let (creator, collateral) = f
        .env
        .user_with(
            &f.keys.collateral_mint,
            &f.keys.collateral_program,
            10_000 * USDC,
        )
        .await;
    let keys = PoolKeys::derive(
        f.keys.collateral_mint,
        f.keys.collateral_program,
        f.feed_id,
        f.keys.oracle,
        1,
    );
    let args = pool_args(1, OracleSource::PythPull, f.feed_id, 10_000 * USDC);
    let ix = create_pool_ix(&creator.pubkey(), &keys, &collateral, args);
    assert_error(f.env.send(&[ix], &[&creator]).await, code(E::Paused));
}

#[tokio::test]
async fn admin_hand_over_takes_two_steps() {
    let mut f = Fixture::new().await;
    let admin = f.admin.insecure_clone();
    let next = Keypair::new();
    let stranger = Keypair::new();
    f.env.airdrop(&next.pubkey(), 1_000_000_000).await;
    f.env.airdrop(&stranger.pubkey(), 1_000_000_000).await;
    assert_error(
        f.env
            .send(&[accept_admin_ix(&next.pubkey())], &[&next])
            .await,
        code(E::NoPendingAdmin),
    );
    assert_error(
        f.env
            .send(
                &[propose_admin_ix(&stranger.pubkey(), stranger.pubkey())],
                &[&stranger],
            )
            .await,
        code(E::NotAdmin),
    );
    f.env
        .send(
            &[propose_admin_ix(&admin.pubkey(), next.pubkey())],
            &[&admin],
        )
        .await
        .expect("propose");
    assert_error(
        f.env
            .send(&[accept_admin_ix(&stranger.pubkey())], &[&stranger])
            .await,
        code(E::NotPendingAdmin),
    );
    assert_eq!(f.config().await.admin, admin.pubkey());
    f.env
        .send(&[accept_admin_ix(&next.pubkey())], &[&next])
        .await
        .expect("accept");
    let config = f.config().await;
    assert_eq!(config.admin, next.pubkey());
    assert_eq!(config.pending_admin, Default::default());
    // the old admin lost its powers; the new one has them
    assert_error(
        f.env
            .send(
                &[set_roles_ix(
                    &admin.pubkey(),
                    admin.pubkey(),
                    admin.pubkey(),
                )],
                &[&admin],
            )
            .await,
        code(E::NotAdmin),
    );
    let guardian = Keypair::new().pubkey();
    f.env
        .send(
            &[set_roles_ix(&next.pubkey(), guardian, next.pubkey())],
            &[&next],
        )
        .await
        .expect("set roles");
    assert_eq!(f.config().await.guardian, guardian);
}

#[tokio::test]
async fn only_the_upgrade_authority_initialises_the_config_once() {
    let mut env = TestEnv::start().await;
    let stranger = Keypair::new();
    env.airdrop(&stranger.pubkey(), 1_000_000_000).await;
    let args = InitializeConfigArgs {
        guardian: stranger.pubkey(),
        fee_recipient: stranger.pubkey(),
        legacy_pyth_program: stranger.pubkey(),
    };
    let ix = initialize_config_ix(&stranger.pubkey(), args);
    assert_error(
        env.send(&[ix], &[&stranger]).await,
        code(E::NotUpgradeAuthority),
    );
    let authority = env.upgrade_authority.insecure_clone();
    env.send(
        &[initialize_config_ix(&authority.pubkey(), args)],
        &[&authority],
    )
    .await
    .expect("init");
    // a second initialisation fails (the account exists)
    let again = env
        .send(
            &[initialize_config_ix(&authority.pubkey(), args)],
            &[&authority],
        )
        .await;
    assert!(again.is_err());
}

#[tokio::test]
async fn bad_arguments_are_refused_with_their_error() {
    let (mut f, t) = open_fixture().await;
    let tokens = f.env.balance(&t.long).await;
    refused!(f, t, code(E::ZeroAmount), f.open(&t, Long, 0, 0).await);
    refused!(f, t, code(E::ZeroAmount), f.close(&t, Long, 0, 0).await);
    let ix = open_ix(
        &t.pubkey(),
        &f.keys,
        &t.collateral,
        &t.long,
        OpenArgs {
            side: Collateral,
            amount_in: USDC,
            min_out: 0,
            expiry_slot: 0,
        },
    );
    refused!(
        f,
        t,
        code(E::InvalidSide),
        f.env.send(&[ix], &[&t.keypair]).await
    );
    // the same account in two writable roles
    refused!(
        f,
        t,
        anchor_code(Anchor::ConstraintDuplicateMutableAccount),
        f.open(&t, Collateral, USDC, 0).await
    );
    // a swap to the same side passes one mint twice as writable: the framework refuses it;
    // the read-only quote reaches the program's own check
    refused!(
        f,
        t,
        anchor_code(Anchor::ConstraintDuplicateMutableAccount),
        f.swap(&t, Long, Long, tokens, 0).await
    );
    assert_error(
        f.quote_trade(Long, Long, tokens).await.map(|_| ()),
        code(E::SameSide),
    );
    refused!(
        f,
        t,
        code(E::SlippageExceeded),
        f.open(&t, Long, USDC, u64::MAX).await
    );
    refused!(
        f,
        t,
        code(E::SlippageExceeded),
        f.close(&t, Long, tokens, u64::MAX).await
    );
    refused!(
        f,
        t,
        code(E::SlippageExceeded),
        f.swap(&t, Long, Short, tokens, u64::MAX).await
    );
    // expired
    let slot = f.env.clock().await.slot;
    let ix = open_ix(
        &t.pubkey(),
        &f.keys,
        &t.collateral,
        &t.long,
        OpenArgs {
            side: Long,
            amount_in: USDC,
            min_out: 0,
            expiry_slot: slot - 1,
        },
    );
    refused!(
        f,
        t,
        code(E::Expired),
        f.env.send(&[ix], &[&t.keypair]).await
    );
    // closing more than the supply allows
    refused!(
        f,
        t,
        code(E::MinimumSupply),
        f.close(&t, Long, u64::MAX, 0).await
    );
}

#[tokio::test]
async fn substituted_accounts_are_refused() {
    let (mut f, t) = open_fixture().await;
    let tokens = f.env.balance(&t.long).await;
    let args = CloseArgs {
        side: Long,
        amount: tokens,
        min_out: 0,
        expiry_slot: 0,
    };

    // another trader's token account (not the signer's)
    let victim = f.trader(10_000 * USDC).await;
    f.open(&victim, Long, 1_000 * USDC, 1)
        .await
        .expect("victim opens");
    let ix = close_ix(&t.pubkey(), &f.keys, &t.collateral, &victim.long, args);
    refused!(
        f,
        t,
        anchor_code(Anchor::ConstraintTokenOwner),
        f.env.send(&[ix], &[&t.keypair]).await
    );

    // the SHORT mint passed for a LONG close
    let mut keys = f.keys;
    keys.long_mint = f.keys.short_mint;
    let ix = close_ix(&t.pubkey(), &keys, &t.collateral, &t.short, args);
    refused!(
        f,
        t,
        code(E::WrongMint),
        f.env.send(&[ix], &[&t.keypair]).await
    );

    // a token account of another mint as the trader's side account
    let ix = close_ix(&t.pubkey(), &f.keys, &t.collateral, &t.short, args);
    refused!(
        f,
        t,
        anchor_code(Anchor::ConstraintTokenMint),
        f.env.send(&[ix], &[&t.keypair]).await
    );

    // someone else's collateral account as the vault
    let mut keys = f.keys;
    keys.vault = victim.collateral;
    let ix = close_ix(&t.pubkey(), &keys, &t.collateral, &t.long, args);
    refused!(
        f,
        t,
        anchor_code(Anchor::ConstraintHasOne),
        f.env.send(&[ix], &[&t.keypair]).await
    );

    // another pool's authority PDA
    let mut keys = f.keys;
    keys.authority = pool_pda(
        asymptote::constants::AUTHORITY_SEED,
        &solana_keypair::Keypair::new().pubkey(),
    );
    let ix = close_ix(&t.pubkey(), &keys, &t.collateral, &t.long, args);
    refused!(
        f,
        t,
        anchor_code(Anchor::ConstraintAddress),
        f.env.send(&[ix], &[&t.keypair]).await
    );

    // the trader must sign: the same close without the trader's signature
    let mallory = Keypair::new();
    let mut ix = close_ix(&t.pubkey(), &f.keys, &t.collateral, &t.long, args);
    ix.accounts[0].is_signer = false;
    refused!(
        f,
        t,
        anchor_code(Anchor::AccountNotSigner),
        f.env.send(&[ix], &[]).await
    );

    // a forged pool account (right layout, wrong owner) is refused by the owner check
    let mut forged = f.env.account(&f.keys.pool).await.unwrap();
    forged.owner = mallory.pubkey();
    let fake_pool = Keypair::new().pubkey();
    f.env.set_account(&fake_pool, forged);
    let mut keys = f.keys;
    keys.pool = fake_pool;
    let ix = close_ix(&t.pubkey(), &keys, &t.collateral, &t.long, args);
    refused!(
        f,
        t,
        anchor_code(Anchor::AccountOwnedByWrongProgram),
        f.env.send(&[ix], &[&t.keypair]).await
    );
}

#[tokio::test]
async fn token_2022_collateral_with_a_dangerous_extension_is_refused() {
    use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
    let mut f = Fixture::new().await;
    for extension in [
        ExtensionType::PermanentDelegate,
        ExtensionType::MintCloseAuthority,
    ] {
        let mint = f.env.create_mint_with(TOKEN_2022, 6, &[extension]).await;
        let (creator, collateral) = f.env.user_with(&mint, &TOKEN_2022, 10_000 * USDC).await;
        let keys = PoolKeys::derive(mint, TOKEN_2022, f.feed_id, f.keys.oracle, 0);
        let args = pool_args(0, OracleSource::PythPull, f.feed_id, 10_000 * USDC);
        let ix = create_pool_ix(&creator.pubkey(), &keys, &collateral, args);
        assert_error(
            f.env.send(&[ix], &[&creator]).await,
            code(E::UnsupportedMintExtension),
        );
    }
}

#[tokio::test]
async fn pool_parameters_outside_their_bounds_are_refused() {
    let mut f = Fixture::new().await;
    let (creator, collateral) = f
        .env
        .user_with(
            &f.keys.collateral_mint,
            &f.keys.collateral_program,
            10_000 * USDC,
        )
        .await;
    let base = pool_args(5, OracleSource::PythPull, f.feed_id, 10_000 * USDC);
    let mut cases = Vec::new();
    let mut a = base;
    a.params.k = 0;
    cases.push((a, E::InvalidPoolParameter));
    let mut a = base;
    a.params.premium_half_life = 1;
    cases.push((a, E::InvalidPoolParameter));
    let mut a = base;
    a.params.opening_fee_bps = 5_000;
    cases.push((a, E::InvalidPoolParameter));
    let mut a = base;
    a.oracle.max_age = 0;
    cases.push((a, E::InvalidOracleParameter));
    let mut a = base;
    a.oracle.max_conf_bps_open = 600; // above the close limit
    cases.push((a, E::InvalidOracleParameter));
    let mut a = base;
    a.deposit = 10;
    cases.push((a, E::DepositTooSmall));
    for (args, expected) in cases {
        let keys = PoolKeys::derive(
            f.keys.collateral_mint,
            f.keys.collateral_program,
            f.feed_id,
            f.keys.oracle,
            5,
        );
        let ix = create_pool_ix(&creator.pubkey(), &keys, &collateral, args);
        assert_error(f.env.send(&[ix], &[&creator]).await, code(expected));
        assert!(f.env.account(&keys.pool).await.is_none());
    }
}
