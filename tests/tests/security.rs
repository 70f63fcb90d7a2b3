//! Attack tests: one or more per vulnerability class of the security checklist
//! (`docs/security.md` maps every class C1..C31 to its test). Each attack is mounted
//! against a running pool, must fail with its named error, and must change nothing.

use anchor_lang::error::ErrorCode as Anchor;
use anchor_lang::prelude::Pubkey;
use asymptote::constants::*;
use asymptote::error::AsymptoteError as E;
use asymptote::events::TradeSide::{self, Collateral, Long, Lp, Short};
use asymptote::instructions::{CloseArgs, InitializeConfigArgs, OpenArgs, SwapArgs};
use asymptote::state::OracleSource;
use asymptote_math::funding::FundingCharges;
use asymptote_math::{accrue_funding, Prices, Reserves, Side, U256};
use asymptote_tests::*;
use solana_instruction::error::InstructionError;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

const USDC: u64 = 1_000_000;

/// A pool with a trader holding LONG.
async fn open_fixture() -> (Fixture, Trader) {
    let mut f = Fixture::new().await;
    let t = f.trader(10_000 * USDC).await;
    f.open(&t, Long, 1_000 * USDC, 1).await.expect("open");
    (f, t)
}

fn open_args(side: TradeSide, amount_in: u64) -> OpenArgs {
    OpenArgs {
        side,
        amount_in,
        min_out: 0,
        expiry_slot: 0,
    }
}

fn close_args(side: TradeSide, amount: u64) -> CloseArgs {
    CloseArgs {
        side,
        amount,
        min_out: 0,
        expiry_slot: 0,
    }
}

/// A second pool (nonce 1) on `collateral_mint` with the fixture's feed, created by a new
/// user; returns its keys.
async fn second_pool(f: &mut Fixture, collateral_mint: Pubkey) -> PoolKeys {
    let (creator, collateral) = f
        .env
        .user_with(&collateral_mint, &TOKEN, 100_000 * USDC)
        .await;
    let keys = PoolKeys::derive(collateral_mint, TOKEN, f.feed_id, f.keys.oracle, 1);
    let args = pool_args(1, OracleSource::PythPull, f.feed_id, 100_000 * USDC);
    let ix = create_pool_ix(&creator.pubkey(), &keys, &collateral, args);
    f.env.send(&[ix], &[&creator]).await.expect("second pool");
    keys
}

fn with_account(mut ix: Instruction, index: usize, key: Pubkey) -> Instruction {
    ix.accounts[index].pubkey = key;
    ix
}

// ---------------------------------------------------------------------------------------
// C1 missing signer

#[tokio::test]
async fn privileged_instructions_refuse_a_missing_or_wrong_signature() {
    let (mut f, t) = open_fixture().await;
    let guardian = f.guardian.insecure_clone();
    let admin = f.admin.insecure_clone();
    let extra = t.accounts();

    // the admin's key without its signature
    let mut ix = set_pause_ix(&admin.pubkey(), pause::ALL);
    ix.accounts[0].is_signer = false;
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::AccountNotSigner),
        f.env.send(&[ix], &[]).await
    );
    // the guardian signing admin-only instructions
    assert_refused!(
        f,
        extra.clone(),
        code(E::NotAdmin),
        f.env
            .send(
                &[set_roles_ix(
                    &guardian.pubkey(),
                    guardian.pubkey(),
                    guardian.pubkey()
                )],
                &[&guardian]
            )
            .await
    );
    assert_refused!(
        f,
        extra.clone(),
        code(E::NotAdmin),
        f.env
            .send(
                &[propose_admin_ix(&guardian.pubkey(), guardian.pubkey())],
                &[&guardian]
            )
            .await
    );

    // a swap that burns the victim's LONG, signed by the attacker
    let victim = f.trader(10_000 * USDC).await;
    f.open(&victim, Long, 1_000 * USDC, 1)
        .await
        .expect("victim");
    let victim_long = f.env.balance(&victim.long).await;
    let ix = swap_ix(
        &t.pubkey(),
        &f.keys,
        &victim.long,
        &t.short,
        SwapArgs {
            side_in: Long,
            side_out: Short,
            amount: victim_long,
            min_out: 0,
            expiry_slot: 0,
        },
    );
    let mut extra_v = extra.clone();
    extra_v.extend(victim.accounts());
    assert_refused!(
        f,
        extra_v,
        anchor_code(Anchor::ConstraintTokenOwner),
        f.env.send(&[ix], &[&t.keypair]).await
    );

    // the permissionless fee collection paying the attacker's account
    f.advance(216_000).await;
    f.accrue().await.expect("fees accrue");
    let ix = collect_fees_ix(&f.keys, &t.collateral);
    assert_refused!(
        f,
        extra,
        anchor_code(Anchor::ConstraintTokenOwner),
        f.env.send(&[ix], &[]).await
    );
}

// ---------------------------------------------------------------------------------------
// C2 missing owner check

#[tokio::test]
async fn state_accounts_owned_by_another_program_are_refused() {
    let (mut f, t) = open_fixture().await;
    let mallory = Keypair::new().pubkey();
    let fake_pool = forge_copy(&mut f.env, &f.keys.pool, mallory).await;
    let fake_config = forge_copy(&mut f.env, &config_address(), mallory).await;
    let tokens = f.env.balance(&t.long).await;
    let extra = t.accounts();

    let mut keys = f.keys;
    keys.pool = fake_pool;
    for ix in [
        accrue_ix(&keys),
        open_ix(
            &t.pubkey(),
            &keys,
            &t.collateral,
            &t.long,
            open_args(Long, USDC),
        ),
        swap_ix(
            &t.pubkey(),
            &keys,
            &t.long,
            &t.short,
            SwapArgs {
                side_in: Long,
                side_out: Short,
                amount: tokens,
                min_out: 0,
                expiry_slot: 0,
            },
        ),
        collect_fees_ix(&keys, &t.collateral),
    ] {
        let signers: Vec<&Keypair> = if ix.accounts[0].pubkey == t.pubkey() {
            vec![&t.keypair]
        } else {
            vec![]
        };
        assert_refused!(
            f,
            extra.clone(),
            anchor_code(Anchor::AccountOwnedByWrongProgram),
            f.env.send(&[ix], &signers).await
        );
    }
    // a forged config (e.g. a fee recipient or a legacy Pyth program of the attacker's)
    let ix = with_account(accrue_ix(&f.keys), 0, fake_config);
    assert_refused!(
        f,
        extra,
        anchor_code(Anchor::AccountOwnedByWrongProgram),
        f.env.send(&[ix], &[]).await
    );
}

// ---------------------------------------------------------------------------------------
// C3 account substitution

#[tokio::test]
async fn another_pools_accounts_are_refused_in_every_trading_instruction() {
    let (mut f, t) = open_fixture().await;
    // the attacker's own pool on a worthless mint with the same decimals and feed
    let worthless = f.env.create_mint(6).await;
    let other = second_pool(&mut f, worthless).await;
    let tokens = f.env.balance(&t.long).await;
    let mut extra = t.accounts();
    extra.extend([other.pool, other.vault, other.long_mint, other.short_mint]);

    let open = |keys: &PoolKeys, side_account: &Pubkey| {
        open_ix(
            &t.pubkey(),
            keys,
            &t.collateral,
            side_account,
            open_args(Long, USDC),
        )
    };
    // the other pool's vault, authority, side mint, collateral mint
    let mut keys = f.keys;
    keys.vault = other.vault;
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintHasOne),
        f.env.send(&[open(&keys, &t.long)], &[&t.keypair]).await
    );
    let mut keys = f.keys;
    keys.authority = other.authority;
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintAddress),
        f.env.send(&[open(&keys, &t.long)], &[&t.keypair]).await
    );
    let mut keys = f.keys;
    keys.long_mint = other.long_mint;
    let other_long = f.env.ata(&t.pubkey(), &other.long_mint, &TOKEN).await;
    assert_refused!(
        f,
        extra.clone(),
        code(E::WrongMint),
        f.env.send(&[open(&keys, &other_long)], &[&t.keypair]).await
    );
    // close pool A's LONG but be paid from pool B's vault
    let mut keys = f.keys;
    keys.vault = other.vault;
    keys.collateral_mint = worthless;
    let ix = close_ix(
        &t.pubkey(),
        &keys,
        &t.collateral,
        &t.long,
        close_args(Long, tokens),
    );
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintHasOne),
        f.env.send(&[ix], &[&t.keypair]).await
    );
    // swap A's LONG into B's SHORT
    let mut keys = f.keys;
    keys.short_mint = other.short_mint;
    let other_short = f.env.ata(&t.pubkey(), &other.short_mint, &TOKEN).await;
    let ix = swap_ix(
        &t.pubkey(),
        &keys,
        &t.long,
        &other_short,
        SwapArgs {
            side_in: Long,
            side_out: Short,
            amount: tokens,
            min_out: 0,
            expiry_slot: 0,
        },
    );
    assert_refused!(
        f,
        extra.clone(),
        code(E::WrongMint),
        f.env.send(&[ix], &[&t.keypair]).await
    );
    // collect A's fees out of B's vault
    let mut keys = f.keys;
    keys.vault = other.vault;
    let recipient = f
        .env
        .ata(&f.fee_recipient.pubkey(), &f.keys.collateral_mint, &TOKEN)
        .await;
    assert_refused!(
        f,
        extra,
        anchor_code(Anchor::ConstraintHasOne),
        f.env.send(&[collect_fees_ix(&keys, &recipient)], &[]).await
    );
}

// ---------------------------------------------------------------------------------------
// C4 type cosplay, C25 oracle type

/// The pool and the config are read in place (zero-copy): an account with the program as
/// owner and the right discriminator but one byte short of the layout is refused by
/// Anchor's length check before any field is read, and nothing changes.
#[tokio::test]
async fn a_zero_copy_account_short_of_its_layout_is_refused() {
    let (mut f, t) = open_fixture().await;
    let extra = t.accounts();
    for key in [f.keys.pool, config_address()] {
        let saved = f.env.account(&key).await.expect("account exists");
        let mut short = saved.clone();
        short.data.pop();
        f.env.set_account(&key, short);
        assert_refused!(
            f,
            extra.clone(),
            anchor_code(Anchor::AccountDidNotDeserialize),
            f.env.send(&[accrue_ix(&f.keys)], &[]).await
        );
        f.env.set_account(&key, saved);
    }
    f.env
        .send(&[accrue_ix(&f.keys)], &[])
        .await
        .expect("restored accounts work");
}

#[tokio::test]
async fn an_account_of_another_type_is_refused_by_its_discriminator() {
    use anchor_lang::Discriminator;
    use pyth_solana_receiver_sdk::price_update::{TwapUpdate, VerificationLevel};
    let (mut f, t) = open_fixture().await;
    let extra = t.accounts();
    // the config passed as a pool, and the pool as the config
    let mut keys = f.keys;
    keys.pool = config_address();
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::AccountDiscriminatorMismatch),
        f.env.send(&[accrue_ix(&keys)], &[]).await
    );
    let ix = with_account(accrue_ix(&f.keys), 0, f.keys.pool);
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::AccountDiscriminatorMismatch),
        f.env.send(&[ix], &[]).await
    );
    // a receiver-owned account of another type (TwapUpdate) with a price update's bytes
    let now = f.env.clock().await.unix_timestamp;
    let mut twap = price_update_account(
        f.feed_id,
        &PythPrice::at(150_00000000, EXPONENT, now),
        VerificationLevel::Full,
        0,
    );
    twap.data[..8].copy_from_slice(TwapUpdate::DISCRIMINATOR);
    let oracle = f.keys.oracle;
    f.env.set_account(&oracle, twap);
    assert_refused!(
        f,
        extra.clone(),
        code(E::OracleInvalidData),
        f.open(&t, Long, USDC, 1).await
    );
    // a program-owned account (the pool itself) as the oracle
    let mut keys = f.keys;
    keys.oracle = f.keys.pool;
    assert_refused!(
        f,
        extra,
        code(E::OracleWrongOwner),
        f.env.send(&[accrue_ix(&keys)], &[]).await
    );
}

// ---------------------------------------------------------------------------------------
// C5 PDA seed collisions

/// PDA addresses hash the concatenation of the seeds. Every seed family has a constant
/// prefix and fixed-width variable parts, so two families can only produce the same bytes
/// if they have the same total length and the same prefix: no two do.
#[test]
fn seed_families_never_concatenate_to_the_same_bytes() {
    // (constant prefix, total length of the concatenated seeds)
    let families: [(&[u8], usize); 8] = [
        (CONFIG_SEED, CONFIG_SEED.len()),
        (POOL_SEED, POOL_SEED.len() + 32 + 32 + 8),
        (AUTHORITY_SEED, AUTHORITY_SEED.len() + 32),
        (VAULT_SEED, VAULT_SEED.len() + 32),
        (LONG_MINT_SEED, LONG_MINT_SEED.len() + 32),
        (SHORT_MINT_SEED, SHORT_MINT_SEED.len() + 32),
        (LP_MINT_SEED, LP_MINT_SEED.len() + 32),
        (b"__event_authority", 17),
    ];
    for (i, (prefix_a, len_a)) in families.iter().enumerate() {
        for (prefix_b, len_b) in &families[i + 1..] {
            let shared = prefix_a.len().min(prefix_b.len());
            assert!(
                len_a != len_b || prefix_a[..shared] != prefix_b[..shared],
                "{:?} and {:?} can collide",
                String::from_utf8_lossy(prefix_a),
                String::from_utf8_lossy(prefix_b)
            );
        }
    }
    // within the pool family every field is fixed width: changing any one moves the address
    let mint = Pubkey::new_unique();
    let base = pool_address(&mint, &[7; 32], 0);
    assert_ne!(base, pool_address(&Pubkey::new_unique(), &[7; 32], 0));
    assert_ne!(base, pool_address(&mint, &[8; 32], 0));
    assert_ne!(base, pool_address(&mint, &[7; 32], 1));
    assert_ne!(base, pool_address(&mint, &[7; 32], 1 << 56));
}

// ---------------------------------------------------------------------------------------
// C6 bump canonicalisation / PDA sharing, C11 closing accounts

#[tokio::test]
async fn stored_bumps_are_canonical_and_every_pool_has_its_own_signer() {
    let mut f = Fixture::new().await;
    let mint = f.keys.collateral_mint;
    let other = second_pool(&mut f, mint).await;
    let mut authorities = Vec::new();
    for keys in [f.keys, other] {
        let pool: asymptote::state::Pool = f.env.anchor_account(&keys.pool).await;
        let canonical = |seeds: &[&[u8]]| Pubkey::find_program_address(seeds, &PROGRAM);
        let p = keys.pool;
        assert_eq!(
            canonical(&[
                POOL_SEED,
                mint.as_ref(),
                &f.feed_id,
                &pool.nonce.to_le_bytes()
            ]),
            (p, pool.bump)
        );
        assert_eq!(
            canonical(&[AUTHORITY_SEED, p.as_ref()]),
            (pool.authority, pool.authority_bump)
        );
        assert_eq!(
            canonical(&[VAULT_SEED, p.as_ref()]),
            (pool.vault, pool.vault_bump)
        );
        assert_eq!(
            canonical(&[LONG_MINT_SEED, p.as_ref()]),
            (pool.long_mint, pool.long_mint_bump)
        );
        assert_eq!(
            canonical(&[SHORT_MINT_SEED, p.as_ref()]),
            (pool.short_mint, pool.short_mint_bump)
        );
        assert_eq!(
            canonical(&[LP_MINT_SEED, p.as_ref()]),
            (pool.lp_mint, pool.lp_mint_bump)
        );
        // the vault belongs to this pool's signer only and cannot be closed or delegated
        let vault = token_account(&mut f.env, &pool.vault).await;
        assert_eq!(vault.owner, pool.authority);
        assert_eq!(vault.close_authority, None.into());
        assert_eq!(vault.delegate, None.into());
        // side mints: minted only by this pool's signer, no one can freeze a holder
        for m in [pool.long_mint, pool.short_mint, pool.lp_mint] {
            let state = mint_state(&mut f.env, &m).await;
            assert_eq!(state.mint_authority, Some(pool.authority).into());
            assert_eq!(state.freeze_authority, None.into());
        }
        authorities.push(pool.authority);
    }
    assert_ne!(authorities[0], authorities[1], "one signer per pool");
    // config: canonical bump, compiled-in address
    let config = f.config().await;
    assert_eq!(
        Pubkey::find_program_address(&[CONFIG_SEED], &PROGRAM),
        (config_address(), config.bump)
    );
    assert_eq!(CONFIG_ADDRESS_AND_BUMP, (config_address(), config.bump));
}

#[tokio::test]
async fn the_vault_cannot_be_closed_and_the_program_closes_nothing() {
    use anchor_spl::token::spl_token;
    let (mut f, t) = open_fixture().await;
    // the token program refuses anyone but the vault's owner (the pool's PDA) a close
    // authority, a new owner or a delegate
    use spl_token::instruction::AuthorityType;
    for authority in [AuthorityType::CloseAccount, AuthorityType::AccountOwner] {
        let ix = spl_token::instruction::set_authority(
            &TOKEN,
            &f.keys.vault,
            Some(&t.pubkey()),
            authority,
            &t.pubkey(),
            &[],
        )
        .expect("set_authority ix");
        assert_refused!(
            f,
            t.accounts(),
            TOKEN_OWNER_MISMATCH,
            f.env.send(&[ix], &[&t.keypair]).await
        );
    }
    let ix =
        spl_token::instruction::approve(&TOKEN, &f.keys.vault, &t.pubkey(), &t.pubkey(), &[], 1)
            .expect("approve ix");
    assert_refused!(
        f,
        t.accounts(),
        TOKEN_OWNER_MISMATCH,
        f.env.send(&[ix], &[&t.keypair]).await
    );
    // no instruction closes or reallocates an account
    for (file, source) in instruction_sources() {
        for pattern in ["close =", "close=", "realloc", "close_account"] {
            assert!(
                !source.contains(pattern),
                "{file} contains `{pattern}`: revival and realloc tests needed"
            );
        }
    }
}

fn instruction_sources() -> Vec<(&'static str, &'static str)> {
    macro_rules! sources {
        ($($name:literal),*) => {
            vec![$(($name, include_str!(concat!("../../programs/asymptote/src/instructions/", $name)))),*]
        };
    }
    sources!(
        "accept_admin.rs",
        "accrue.rs",
        "close.rs",
        "collect_protocol_fees.rs",
        "common.rs",
        "create_pool.rs",
        "exact_input.rs",
        "initialize_config.rs",
        "mod.rs",
        "open.rs",
        "propose_admin.rs",
        "quote_pool.rs",
        "quote_trade.rs",
        "set_pause.rs",
        "set_roles.rs",
        "swap.rs"
    )
}

// ---------------------------------------------------------------------------------------
// C7 arbitrary CPI

#[tokio::test]
async fn a_fake_token_program_is_refused() {
    let (mut f, t) = open_fixture().await;
    let tokens = f.env.balance(&t.long).await;
    let extra = t.accounts();
    // an executable that is not the token program, in every token-program slot
    let fake = anchor_spl::associated_token::ID;
    let open = open_ix(
        &t.pubkey(),
        &f.keys,
        &t.collateral,
        &t.long,
        open_args(Long, USDC),
    );
    let close = close_ix(
        &t.pubkey(),
        &f.keys,
        &t.collateral,
        &t.long,
        close_args(Long, tokens),
    );
    let slot = |ix: &Instruction, key: Pubkey| -> usize {
        ix.accounts
            .iter()
            .rposition(|m| m.pubkey == key)
            .expect("account")
    };
    // open: [.., token_program, collateral_token_program, ..] both TOKEN: the side one first
    let side_slot = slot(&open, TOKEN) - 1;
    let collateral_slot = slot(&open, TOKEN);
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::InvalidProgramId),
        f.env
            .send(
                &[with_account(open.clone(), side_slot, fake)],
                &[&t.keypair]
            )
            .await
    );
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::InvalidProgramId),
        f.env
            .send(
                &[with_account(open.clone(), collateral_slot, fake)],
                &[&t.keypair]
            )
            .await
    );
    // the other real token program is not the pool's
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintAddress),
        f.env
            .send(
                &[with_account(close.clone(), collateral_slot, TOKEN_2022)],
                &[&t.keypair]
            )
            .await
    );
    assert_refused!(
        f,
        extra,
        anchor_code(Anchor::InvalidProgramId),
        f.env
            .send(&[with_account(close, side_slot, fake)], &[&t.keypair])
            .await
    );
}

// ---------------------------------------------------------------------------------------
// C8 mint / token-account mismatch

#[tokio::test]
async fn a_worthless_mint_cannot_stand_in_for_the_collateral_or_a_side() {
    let (mut f, t) = open_fixture().await;
    let worthless = f.env.create_mint(6).await;
    let fake_collateral = f.env.ata(&t.pubkey(), &worthless, &TOKEN).await;
    f.env
        .mint_to(&worthless, &TOKEN, &fake_collateral, 1_000_000 * USDC)
        .await;
    let tokens = f.env.balance(&t.long).await;
    let mut extra = t.accounts();
    extra.push(fake_collateral);

    // pay with the worthless token
    let ix = open_ix(
        &t.pubkey(),
        &f.keys,
        &fake_collateral,
        &t.long,
        open_args(Long, 1_000 * USDC),
    );
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintTokenMint),
        f.env.send(&[ix], &[&t.keypair]).await
    );
    // ... declaring it the collateral mint
    let mut keys = f.keys;
    keys.collateral_mint = worthless;
    let ix = open_ix(
        &t.pubkey(),
        &keys,
        &fake_collateral,
        &t.long,
        open_args(Long, 1_000 * USDC),
    );
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintHasOne),
        f.env.send(&[ix], &[&t.keypair]).await
    );
    // burn SHORT tokens (none held) declared as LONG, or receive LONG into a SHORT account
    let ix = swap_ix(
        &t.pubkey(),
        &f.keys,
        &t.short,
        &t.long,
        SwapArgs {
            side_in: Long,
            side_out: Short,
            amount: tokens,
            min_out: 0,
            expiry_slot: 0,
        },
    );
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintTokenMint),
        f.env.send(&[ix], &[&t.keypair]).await
    );
    let ix = open_ix(
        &t.pubkey(),
        &f.keys,
        &t.collateral,
        &t.short,
        open_args(Long, USDC),
    );
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintTokenMint),
        f.env.send(&[ix], &[&t.keypair]).await
    );
    // paid out in the worthless mint: the payout account must hold the pool's collateral
    let ix = close_ix(
        &t.pubkey(),
        &f.keys,
        &fake_collateral,
        &t.long,
        close_args(Long, tokens),
    );
    assert_refused!(
        f,
        extra,
        anchor_code(Anchor::ConstraintTokenMint),
        f.env.send(&[ix], &[&t.keypair]).await
    );
}

/// The program reads token accounts in place (`token_view`): an account of another program,
/// an uninitialised one and one of another layout are refused before any field is used.
#[tokio::test]
async fn token_accounts_are_read_only_after_their_program_and_layout_check_out() {
    let (mut f, t) = open_fixture().await;
    let extra = t.accounts();
    let token_owned = |data: Vec<u8>| solana_account::Account {
        lamports: 10_000_000,
        data,
        owner: TOKEN,
        executable: false,
        rent_epoch: 0,
    };
    // a token-program account never initialised, and one of neither a token account's nor
    // a mint's length
    let (blank, odd) = (Pubkey::new_unique(), Pubkey::new_unique());
    f.env.set_account(&blank, token_owned(vec![0; 165]));
    f.env.set_account(&odd, token_owned(vec![1; 120]));
    let cases = [
        // the trader's wallet (a system account) as the collateral account
        (t.pubkey(), t.long, Anchor::ConstraintTokenTokenProgram),
        (t.collateral, blank, Anchor::AccountNotInitialized),
        (t.collateral, odd, Anchor::AccountDidNotDeserialize),
    ];
    for (collateral, side_account, expected) in cases {
        let ix = open_ix(
            &t.pubkey(),
            &f.keys,
            &collateral,
            &side_account,
            open_args(Long, USDC),
        );
        assert_refused!(
            f,
            extra.clone(),
            anchor_code(expected),
            f.env.send(&[ix], &[&t.keypair]).await
        );
    }
}

// ---------------------------------------------------------------------------------------
// C9 Token-2022 extensions

#[tokio::test]
async fn every_collateral_extension_outside_the_allowlist_is_refused() {
    use anchor_spl::token_2022::spl_token_2022::extension as ext;
    let mut f = Fixture::new().await;
    let payer = f.env.payer().pubkey();
    let mut mints = vec![
        forge_token_2022_mint::<ext::transfer_fee::TransferFeeConfig>(
            &mut f.env,
            6,
            &payer,
            |_| {},
        ),
        forge_token_2022_mint::<ext::mint_close_authority::MintCloseAuthority>(
            &mut f.env,
            6,
            &payer,
            |_| {},
        ),
        forge_token_2022_mint::<ext::default_account_state::DefaultAccountState>(
            &mut f.env,
            6,
            &payer,
            |e| e.state = 1, // Initialized
        ),
        forge_token_2022_mint::<ext::non_transferable::NonTransferable>(
            &mut f.env,
            6,
            &payer,
            |_| {},
        ),
        forge_token_2022_mint::<ext::interest_bearing_mint::InterestBearingConfig>(
            &mut f.env,
            6,
            &payer,
            |_| {},
        ),
        forge_token_2022_mint::<ext::permanent_delegate::PermanentDelegate>(
            &mut f.env,
            6,
            &payer,
            |_| {},
        ),
        forge_token_2022_mint::<ext::transfer_hook::TransferHook>(&mut f.env, 6, &payer, |_| {}),
        forge_token_2022_mint::<ext::confidential_transfer::ConfidentialTransferMint>(
            &mut f.env,
            6,
            &payer,
            |_| {},
        ),
    ];
    mints.push(forge_token_2022_mint::<
        ext::confidential_transfer_fee::ConfidentialTransferFeeConfig,
    >(&mut f.env, 6, &payer, |_| {}));
    mints.push(forge_token_2022_mint::<
        ext::scaled_ui_amount::ScaledUiAmountConfig,
    >(&mut f.env, 6, &payer, |_| {}));
    mints.push(forge_token_2022_mint::<ext::pausable::PausableConfig>(
        &mut f.env,
        6,
        &payer,
        |_| {},
    ));
    for mint in mints {
        let creator = Keypair::new();
        f.env.airdrop(&creator.pubkey(), 1_000_000_000).await;
        let collateral = forge_token_account(
            &mut f.env,
            &TOKEN_2022,
            &mint,
            &creator.pubkey(),
            10_000 * USDC,
        );
        let keys = PoolKeys::derive(mint, TOKEN_2022, f.feed_id, f.keys.oracle, 0);
        let args = pool_args(0, OracleSource::PythPull, f.feed_id, 10_000 * USDC);
        let ix = create_pool_ix(&creator.pubkey(), &keys, &collateral, args);
        let result = f.env.send(&[ix], &[&creator]).await;
        let debug = format!("{result:?}");
        assert_eq!(
            error_code(result),
            Some(code(E::UnsupportedMintExtension)),
            "mint {mint}: {debug}"
        );
        assert!(f.env.account(&keys.pool).await.is_none());
        assert!(f.env.account(&keys.vault).await.is_none());
    }
}

// ---------------------------------------------------------------------------------------
// C10 reinitialisation and init front-running

#[tokio::test]
async fn a_second_initialisation_of_the_config_or_a_pool_is_refused_and_changes_nothing() {
    let (mut f, t) = open_fixture().await;
    let admin = f.admin.insecure_clone();
    let attacker = Keypair::new();
    f.env.airdrop(&attacker.pubkey(), 1_000_000_000).await;
    let args = InitializeConfigArgs {
        guardian: attacker.pubkey(),
        fee_recipient: attacker.pubkey(),
        legacy_pyth_program: attacker.pubkey(),
    };
    // the upgrade authority itself cannot re-initialise (and reset) the config. `init` of
    // an address that holds lamports asks the system program for CreateAccountAllowPrefund,
    // which this runtime does not know (InvalidInstructionData); a runtime that does
    // refuses an allocated, program-owned account. Either way nothing is written.
    let before = f.snapshot(&t.accounts()).await;
    assert_instruction_error(
        f.env
            .send(&[initialize_config_ix(&admin.pubkey(), args)], &[&admin])
            .await,
        InstructionError::InvalidInstructionData,
    );
    assert_eq!(f.snapshot(&t.accounts()).await, before);
    // an attacker cannot create the same pool over the live one
    let collateral = f
        .env
        .ata(&attacker.pubkey(), &f.keys.collateral_mint, &TOKEN)
        .await;
    f.env
        .mint_to(&f.keys.collateral_mint, &TOKEN, &collateral, 10_000 * USDC)
        .await;
    let mut args = pool_args(0, OracleSource::PythPull, f.feed_id, 10_000 * USDC);
    args.params.opening_fee_bps = 0;
    let ix = create_pool_ix(&attacker.pubkey(), &f.keys, &collateral, args);
    let mut extra = t.accounts();
    extra.push(collateral);
    let before = f.snapshot(&extra).await;
    assert_instruction_error(
        f.env.send(&[ix], &[&attacker]).await,
        InstructionError::InvalidInstructionData,
    );
    assert_eq!(f.snapshot(&extra).await, before);
}

/// FINDING (docs/security.md, C10): Anchor 1.2's `init` of an address that already holds
/// lamports uses the system program's CreateAccountAllowPrefund, which this runtime (agave
/// 3.1) rejects. Anyone can therefore block `initialize_config` for good by sending
/// lamports to the config PDA first, and block a pool address the same way. This test
/// pins the current behaviour; revisit it when the runtime or Anchor changes.
#[tokio::test]
async fn lamports_sent_to_a_pda_beforehand_block_its_initialisation_on_this_runtime() {
    // the config: a griefer funds ["config"] before the upgrade authority initialises
    let mut env = TestEnv::start().await;
    env.airdrop(&config_address(), 1_000_000).await;
    let authority = env.upgrade_authority.insecure_clone();
    let args = InitializeConfigArgs {
        guardian: authority.pubkey(),
        fee_recipient: authority.pubkey(),
        legacy_pyth_program: authority.pubkey(),
    };
    assert_instruction_error(
        env.send(
            &[initialize_config_ix(&authority.pubkey(), args)],
            &[&authority],
        )
        .await,
        InstructionError::InvalidInstructionData,
    );
    assert_eq!(
        env.account(&config_address()).await.map(|a| a.data.len()),
        Some(0)
    );

    // a pool: the griefer funds one of the addresses `create_pool` initialises
    let mut f = Fixture::new().await;
    let targets: [fn(&PoolKeys) -> Pubkey; 3] = [|k| k.pool, |k| k.vault, |k| k.long_mint];
    for (i, target) in targets.into_iter().enumerate() {
        let nonce = 10 + i as u64;
        let derive = |nonce| {
            PoolKeys::derive(
                f.keys.collateral_mint,
                TOKEN,
                f.feed_id,
                f.keys.oracle,
                nonce,
            )
        };
        let keys = derive(nonce);
        f.env.airdrop(&target(&keys), 1_000_000).await;
        let (creator, collateral) = f
            .env
            .user_with(&f.keys.collateral_mint, &TOKEN, 10_000 * USDC)
            .await;
        let args = pool_args(nonce, OracleSource::PythPull, f.feed_id, 10_000 * USDC);
        let ix = create_pool_ix(&creator.pubkey(), &keys, &collateral, args);
        assert_instruction_error(
            f.env.send(&[ix], &[&creator]).await,
            InstructionError::InvalidInstructionData,
        );
        assert!(f
            .env
            .account(&keys.pool)
            .await
            .is_none_or(|a| a.data.is_empty()));
        // the same pool under an unfunded nonce is created normally
        let other = derive(nonce + 100);
        let args = pool_args(
            nonce + 100,
            OracleSource::PythPull,
            f.feed_id,
            10_000 * USDC,
        );
        let ix = create_pool_ix(&creator.pubkey(), &other, &collateral, args);
        f.env
            .send(&[ix], &[&creator])
            .await
            .expect("another nonce works");
    }
}

// ---------------------------------------------------------------------------------------
// C12 duplicate mutable accounts

#[tokio::test]
async fn the_same_account_in_two_writable_roles_is_refused() {
    let (mut f, t) = open_fixture().await;
    let tokens = f.env.balance(&t.long).await;
    let extra = t.accounts();
    // the vault as the trader's payout account
    let ix = close_ix(
        &t.pubkey(),
        &f.keys,
        &f.keys.vault,
        &t.long,
        close_args(Long, tokens),
    );
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintDuplicateMutableAccount),
        f.env.send(&[ix], &[&t.keypair]).await
    );
    // the vault as the trader's paying account
    let ix = open_ix(
        &t.pubkey(),
        &f.keys,
        &f.keys.vault,
        &t.long,
        open_args(Long, USDC),
    );
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintDuplicateMutableAccount),
        f.env.send(&[ix], &[&t.keypair]).await
    );
    // the vault as the fee recipient's account
    assert_refused!(
        f,
        extra.clone(),
        anchor_code(Anchor::ConstraintDuplicateMutableAccount),
        f.env
            .send(&[collect_fees_ix(&f.keys, &f.keys.vault)], &[])
            .await
    );
    // one token account as both ends of a swap
    let ix = swap_ix(
        &t.pubkey(),
        &f.keys,
        &t.long,
        &t.long,
        SwapArgs {
            side_in: Long,
            side_out: Short,
            amount: tokens,
            min_out: 0,
            expiry_slot: 0,
        },
    );
    assert_refused!(
        f,
        extra,
        anchor_code(Anchor::ConstraintDuplicateMutableAccount),
        f.env.send(&[ix], &[&t.keypair]).await
    );
}

// ---------------------------------------------------------------------------------------
// C13 sysvar spoofing

#[tokio::test]
async fn a_forged_clock_account_changes_nothing_because_time_comes_from_the_sysvar() {
    let (mut f, t) = open_fixture().await;
    let tokens = f.env.balance(&t.long).await;
    let recipient = Pubkey::new_unique();
    // no instruction takes a sysvar account (every sysvar id starts with `Sysvar`): there
    // is no slot to put a fake one in
    let every_instruction = [
        initialize_config_ix(
            &Pubkey::new_unique(),
            InitializeConfigArgs {
                guardian: recipient,
                fee_recipient: recipient,
                legacy_pyth_program: recipient,
            },
        ),
        create_pool_ix(
            &t.pubkey(),
            &f.keys,
            &t.collateral,
            pool_args(0, OracleSource::PythPull, f.feed_id, USDC),
        ),
        open_ix(
            &t.pubkey(),
            &f.keys,
            &t.collateral,
            &t.long,
            open_args(Long, USDC),
        ),
        close_ix(
            &t.pubkey(),
            &f.keys,
            &t.collateral,
            &t.long,
            close_args(Long, tokens),
        ),
        swap_ix(
            &t.pubkey(),
            &f.keys,
            &t.long,
            &t.short,
            SwapArgs {
                side_in: Long,
                side_out: Short,
                amount: 1,
                min_out: 0,
                expiry_slot: 0,
            },
        ),
        accrue_ix(&f.keys),
        collect_fees_ix(&f.keys, &recipient),
        set_pause_ix(&recipient, 0),
        propose_admin_ix(&recipient, recipient),
        accept_admin_ix(&recipient),
        set_roles_ix(&recipient, recipient, recipient),
        quote_trade_ix(&f.keys, Collateral, Long, 1),
        quote_pool_ix(&f.keys),
    ];
    for ix in &every_instruction {
        for meta in &ix.accounts {
            assert!(
                !meta.pubkey.to_string().starts_with("Sysvar"),
                "an instruction takes sysvar {}",
                meta.pubkey
            );
        }
    }
    // an open on a stale price, with a forged Clock (fresh time) appended as an extra
    // account: the program reads the real clock and refuses the stale price
    f.env.advance_slots(1_000).await; // 400 s: the price is older than max_age (60 s)
    let clock = f.env.clock().await;
    let mut forged = clock.clone();
    forged.unix_timestamp = f.price.publish_time;
    let fake_clock = Pubkey::new_unique();
    f.env.set_account(
        &fake_clock,
        solana_account::Account {
            lamports: 1_000_000,
            data: bincode_clock(&forged),
            owner: "Sysvar1111111111111111111111111111111111111"
                .parse()
                .expect("sysvar owner"),
            executable: false,
            rent_epoch: 0,
        },
    );
    let mut ix = open_ix(
        &t.pubkey(),
        &f.keys,
        &t.collateral,
        &t.long,
        open_args(Long, USDC),
    );
    ix.accounts
        .push(anchor_lang::prelude::AccountMeta::new_readonly(
            fake_clock, false,
        ));
    assert_refused!(
        f,
        t.accounts(),
        code(E::OracleStale),
        f.env.send(&[ix], &[&t.keypair]).await
    );
}

/// The Clock sysvar's bytes (five little-endian 8-byte fields).
fn bincode_clock(c: &Clock) -> Vec<u8> {
    let mut data = Vec::with_capacity(40);
    data.extend_from_slice(&c.slot.to_le_bytes());
    data.extend_from_slice(&c.epoch_start_timestamp.to_le_bytes());
    data.extend_from_slice(&c.epoch.to_le_bytes());
    data.extend_from_slice(&c.leader_schedule_epoch.to_le_bytes());
    data.extend_from_slice(&c.unix_timestamp.to_le_bytes());
    data
}

// ---------------------------------------------------------------------------------------
// C14 integer overflow / casts

#[tokio::test]
async fn extreme_prices_and_amounts_fail_with_named_errors() {
    let (mut f, t) = open_fixture().await;
    let now = f.env.clock().await.unix_timestamp;
    let extra = t.accounts();
    // u64::MAX atoms of collateral: the trade's sub-atom amounts do not narrow back to u64
    assert_refused!(
        f,
        extra.clone(),
        code(E::AmountTooLarge),
        f.open(&t, Long, u64::MAX, 1).await
    );
    // the extremes Pyth can publish: i64::MAX at exponent 0 (i64::MAX x 10^18 still fits
    // in 128 bits) and 1 at exponent -18. Every operation either goes through with the
    // vault still covering the books, or fails with one of the program's named errors
    // and moves nothing: no wrap-around, no panic.
    let mut outcomes = Vec::new();
    for (price, exponent) in [(i64::MAX, 0), (1, -18), (150_00000000, EXPONENT)] {
        f.post(PythPrice {
            conf: 0,
            ema_conf: 0,
            ..PythPrice::at(price, exponent, now)
        })
        .await;
        for (side_in, side_out) in [
            (Collateral, Long),
            (Collateral, Short),
            (Collateral, Lp),
            (Long, Collateral),
            (Short, Collateral),
        ] {
            let before = f.snapshot(&extra).await;
            let result = if side_in == Collateral {
                f.open(&t, side_out, 1_000 * USDC, 1).await
            } else {
                let tokens = f.env.balance(&t.account(side_in)).await;
                f.close(&t, side_in, tokens.max(1), 1).await
            };
            match error_code(result) {
                None => {
                    let pool = f.pool().await;
                    let vault = f.env.balance(&f.keys.vault).await;
                    assert!(
                        (u128::from(vault) << 64) >= pool.books.r + pool.books.protocol_fees_owed
                    );
                    outcomes.push((price, side_in, side_out, None));
                }
                Some(e) => {
                    assert!(
                        (6000..6000 + 100).contains(&e),
                        "{side_in:?}->{side_out:?} at {price}e{exponent}: error {e}"
                    );
                    assert_eq!(f.snapshot(&extra).await, before);
                    outcomes.push((price, side_in, side_out, Some(e)));
                }
            }
        }
    }
    eprintln!("{outcomes:?}");
}

// ---------------------------------------------------------------------------------------
// C15 rounding direction

#[tokio::test]
async fn dust_round_trips_never_pay_out_more_than_they_took() {
    let mut f = Fixture::new().await;
    let start = 1_000 * USDC;
    let t = f.trader(start).await;
    let mut traded = 0;
    for side in [Long, Short, Lp] {
        for amount in [1, 2, 3, 7, 10, 100, 999, 1_001, 12_345] {
            if f.open(&t, side, amount, 1).await.is_err() {
                continue;
            }
            let tokens = f.env.balance(&t.account(side)).await;
            if f.close(&t, side, tokens, 1).await.is_ok() {
                traded += 1;
            }
            let pool = f.pool().await;
            let vault = f.env.balance(&f.keys.vault).await;
            assert!(
                (u128::from(vault) << 64) >= pool.books.r + pool.books.protocol_fees_owed,
                "vault below the books after {side:?} {amount}"
            );
        }
    }
    assert!(traded > 10, "dust trades should mostly go through");
    assert!(
        f.env.balance(&t.collateral).await <= start,
        "rounding paid the trader"
    );
}

// ---------------------------------------------------------------------------------------
// C17 division by zero

#[tokio::test]
async fn closing_a_whole_side_leaves_its_dead_shares_and_the_pool_keeps_pricing_it() {
    let mut f = Fixture::new().await;
    let creator = f.creator_with_collateral().await;
    let tokens = f.env.balance(&creator.long).await;
    f.close(&creator, Long, tokens, 1)
        .await
        .expect("the whole minted LONG supply closes");
    assert_eq!(f.env.supply(&f.keys.long_mint).await, 0);
    // the dead shares keep the side priced: it opens again, at a positive amount
    let t = f.trader(10_000 * USDC).await;
    f.open(&t, Long, 1_000 * USDC, 1)
        .await
        .expect("reopen an emptied side");
    assert!(f.env.balance(&t.long).await > 0);
    // and the crank runs on it
    f.advance(1_000).await;
    f.accrue().await.expect("crank");
}

// ---------------------------------------------------------------------------------------
// C18 first-depositor inflation, C19 donation

#[tokio::test]
async fn a_minimal_pool_inflated_by_a_donation_still_gives_the_next_depositor_a_fair_share() {
    // the smallest pool the program accepts, then the attacker donates 1,000,000 USDC
    let mut f = Fixture::with(FixtureOptions {
        deposit: MIN_INITIAL_DEPOSIT,
        ..Default::default()
    })
    .await;
    let pool_before = f.env.account(&f.keys.pool).await.expect("pool").data;
    let (donor, donor_collateral) = f
        .env
        .user_with(&f.keys.collateral_mint, &TOKEN, 1_000_000 * USDC)
        .await;
    transfer_tokens(
        &mut f.env,
        &TOKEN,
        &f.keys.collateral_mint,
        6,
        &donor_collateral,
        &f.keys.vault,
        &donor,
        1_000_000 * USDC,
    )
    .await
    .expect("donation");
    assert_eq!(
        f.env.account(&f.keys.pool).await.expect("pool").data,
        pool_before,
        "a donation must not move the books"
    );
    // a victim adds 1,000 USDC of LP: shares are minted, and taking them straight out
    // returns the deposit less the opening fee (0.3 %) and rounding, not less
    let victim = f.trader(1_000 * USDC).await;
    f.open(&victim, Lp, 1_000 * USDC, 1)
        .await
        .expect("victim adds LP");
    let shares = f.env.balance(&victim.lp).await;
    assert!(shares > 0);
    f.close(&victim, Lp, shares, 1)
        .await
        .expect("victim removes LP");
    let back = f.env.balance(&victim.collateral).await;
    assert!(
        back >= 1_000 * USDC * 9_960 / 10_000,
        "victim got back only {back}"
    );
    assert!(back <= 1_000 * USDC);
}

#[tokio::test]
async fn a_donation_to_the_vault_changes_no_reserve_and_pays_no_one() {
    let (mut f, t) = open_fixture().await;
    let (donor, donor_collateral) = f
        .env
        .user_with(&f.keys.collateral_mint, &TOKEN, 500_000 * USDC)
        .await;
    let pool_before = f.env.account(&f.keys.pool).await.expect("pool").data;
    transfer_tokens(
        &mut f.env,
        &TOKEN,
        &f.keys.collateral_mint,
        6,
        &donor_collateral,
        &f.keys.vault,
        &donor,
        500_000 * USDC,
    )
    .await
    .expect("donation");
    assert_eq!(
        f.env.account(&f.keys.pool).await.expect("pool").data,
        pool_before,
        "R is tracked in the pool, not read from the vault"
    );
    // a close pays exactly what the books say, not a share of the donation
    let tokens = f.env.balance(&t.long).await;
    let expected = f.expect_trade(Long, Collateral, tokens).await;
    let before = f.env.balance(&t.collateral).await;
    f.close(&t, Long, tokens, 1).await.expect("close");
    assert_eq!(
        f.env.balance(&t.collateral).await - before,
        expected.amount_out
    );
    // the donation stays in the vault as surplus above the books
    let pool = f.pool().await;
    let vault = f.env.balance(&f.keys.vault).await;
    let books = (pool.books.r + pool.books.protocol_fees_owed) >> 64;
    assert!(u128::from(vault) >= books + u128::from(500_000 * USDC));
}

// ---------------------------------------------------------------------------------------
// C20 same-transaction manipulation

#[tokio::test]
async fn an_open_and_close_in_one_transaction_never_profits() {
    let mut f = Fixture::new().await;
    let start = 500_000 * USDC;
    let attacker = f.trader(start).await;
    for side in [Long, Short, Lp] {
        let balance = f.env.balance(&attacker.collateral).await;
        let leg = f.expect_trade(Collateral, side, balance / 2).await;
        let open = open_ix(
            &attacker.pubkey(),
            &f.keys,
            &attacker.collateral,
            &attacker.account(side),
            open_args(side, balance / 2),
        );
        let close = close_ix(
            &attacker.pubkey(),
            &f.keys,
            &attacker.collateral,
            &attacker.account(side),
            close_args(side, leg.amount_out),
        );
        f.env
            .send(&[open, close], &[&attacker.keypair])
            .await
            .expect("atomic round trip");
        // exact input may leave a token or two it cannot price (LP's conservative valuation)
        assert!(f.env.balance(&attacker.account(side)).await <= 2);
        assert!(f.env.balance(&attacker.collateral).await < balance);
    }
    // a sandwich around a victim's open: buy LONG, victim buys LONG, sell LONG
    let victim = f.trader(100_000 * USDC).await;
    let before = f.env.balance(&attacker.collateral).await;
    f.open(&attacker, Long, 200_000 * USDC, 1)
        .await
        .expect("front-run");
    f.open(&victim, Long, 100_000 * USDC, 1)
        .await
        .expect("victim");
    let tokens = f.env.balance(&attacker.long).await;
    f.close(&attacker, Long, tokens, 1).await.expect("back-run");
    assert!(
        f.env.balance(&attacker.collateral).await < before,
        "the sandwich profited"
    );
}

// ---------------------------------------------------------------------------------------
// C21 price selection

/// A LONG open pays at the higher of spot and EMA, a LONG close is paid at the lower: a
/// trader who picks the moment spot and EMA disagree gets the worse of the two.
#[tokio::test]
async fn trades_take_the_worse_of_spot_and_ema() {
    let mut tokens = Vec::new();
    let mut paid = Vec::new();
    for ema in [150_00000000, 154_00000000, 146_00000000] {
        let mut f = Fixture::new().await;
        let t = f.trader(10_000 * USDC).await;
        let now = f.env.clock().await.unix_timestamp;
        f.post(PythPrice {
            ema,
            ..PythPrice::at(150_00000000, EXPONENT, now)
        })
        .await;
        f.open(&t, Long, 1_000 * USDC, 1).await.expect("open");
        let long = f.env.balance(&t.long).await;
        tokens.push(long);
        let before = f.env.balance(&t.collateral).await;
        f.close(&t, Long, long / 2, 1).await.expect("close");
        paid.push(f.env.balance(&t.collateral).await - before);
    }
    // EMA above spot: fewer LONG tokens for the same collateral
    assert!(tokens[1] < tokens[0], "{tokens:?}");
    // EMA below spot: the open is at spot (same tokens), the close pays less than calm
    assert_eq!(tokens[2], tokens[0]);
    let per_token = |i: usize| paid[i] as f64 / (tokens[i] / 2) as f64;
    assert!(per_token(2) < per_token(0), "{paid:?}");
}

// ---------------------------------------------------------------------------------------
// C26 clock semantics

#[tokio::test]
async fn a_clock_that_runs_backwards_is_refused_and_a_huge_gap_is_bounded() {
    let (mut f, t) = open_fixture().await;
    let extra = t.accounts();
    // the slot goes back below the pool's timers
    let clock = f.env.clock().await;
    let mut back = clock.clone();
    back.slot -= 100;
    f.env.ctx.set_sysvar(&back);
    assert_refused!(
        f,
        extra.clone(),
        code(E::ClockWentBackwards),
        f.accrue().await
    );
    // the unix time goes back 60 s: the last price is now "from the future"
    let mut back = clock.clone();
    back.unix_timestamp -= 60;
    f.env.ctx.set_sysvar(&back);
    assert_refused!(
        f,
        extra,
        code(E::OracleFromFuture),
        f.open(&t, Long, USDC, 1).await
    );
    // ~10 years of slots in one step: the crank saturates instead of overflowing
    f.env.ctx.set_sysvar(&clock);
    f.env.advance_clock(800_000_000).await;
    f.accrue().await.expect("a huge gap accrues");
    let pool = f.pool().await;
    assert_eq!({ pool.books.last_interest_slot }, f.env.clock().await.slot);
}

// ---------------------------------------------------------------------------------------
// C29 stale data after CPI

#[tokio::test]
async fn the_vault_moves_exactly_what_the_trader_pays_on_both_token_programs() {
    for program in [TOKEN, TOKEN_2022] {
        let mut f = Fixture::with(FixtureOptions {
            collateral_program: program,
            ..Default::default()
        })
        .await;
        let t = f.trader(10_000 * USDC).await;
        for (side, amount) in [
            (Long, 3_000 * USDC),
            (Short, 2_000 * USDC),
            (Lp, 1_000 * USDC),
        ] {
            let vault = f.env.balance(&f.keys.vault).await;
            let wallet = f.env.balance(&t.collateral).await;
            f.open(&t, side, amount, 1).await.expect("open");
            let paid = wallet - f.env.balance(&t.collateral).await;
            assert_eq!(f.env.balance(&f.keys.vault).await, vault + paid);
            let tokens = f.env.balance(&t.account(side)).await;
            let vault = f.env.balance(&f.keys.vault).await;
            let wallet = f.env.balance(&t.collateral).await;
            f.close(&t, side, tokens, 1).await.expect("close");
            let got = f.env.balance(&t.collateral).await - wallet;
            assert_eq!(f.env.balance(&f.keys.vault).await, vault - got);
            let pool = f.pool().await;
            let vault = f.env.balance(&f.keys.vault).await;
            assert!((u128::from(vault) << 64) >= pool.books.r + pool.books.protocol_fees_owed);
        }
    }
}

// ---------------------------------------------------------------------------------------
// C30 test-only code

#[test]
fn the_program_ships_only_production_instructions_and_oracle_sources() {
    let idl = include_str!("../../idl/asymptote.json");
    let start = idl.find("\"instructions\": [").expect("instructions");
    let end = idl[start..]
        .find("\n  ],")
        .map(|e| start + e)
        .expect("end of instructions");
    let names: Vec<&str> = idl[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix("      \"name\": \""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert_eq!(
        names,
        [
            "accept_admin",
            "accrue",
            "close",
            "collect_protocol_fees",
            "create_pool",
            "initialize_config",
            "open",
            "propose_admin",
            "quote_pool",
            "quote_trade",
            "set_pause",
            "set_roles",
            "swap",
        ]
    );
    // no feature switches test behaviour into the program
    let manifest = include_str!("../../programs/asymptote/Cargo.toml");
    for word in ["test", "mock", "stub", "dev"] {
        let features = manifest
            .split("[features]")
            .nth(1)
            .and_then(|s| s.split("\n[").next())
            .expect("features");
        assert!(
            !features.contains(word),
            "program feature mentions `{word}`"
        );
    }
    // exactly two oracle sources, both real Pyth formats (a new variant breaks this match)
    for source in [OracleSource::PythPull, OracleSource::PythLegacy] {
        match source {
            OracleSource::PythPull | OracleSource::PythLegacy => {}
        }
    }
}

/// FINDING (docs/security.md, C17): one LONG open at an extreme price that passes every
/// oracle check (spot = EMA = i64::MAX at exponent 0, ~6e16 x MARK) re-solves the SHORT
/// coefficient `b` to 0. Nothing brings it back: when the price returns to MARK, SHORT is
/// worth 0 at every price and a SHORT open divides by zero. Only a corrupt oracle can
/// publish such a price; this pins the current behaviour (refused, named, nothing moves).
#[tokio::test]
async fn a_long_open_at_an_extreme_price_zeroes_the_short_coefficient_for_good() {
    let (mut f, t) = open_fixture().await;
    let now = f.env.clock().await.unix_timestamp;
    let calm = PythPrice {
        conf: 0,
        ema_conf: 0,
        ..PythPrice::at(150_00000000, EXPONENT, now)
    };
    f.post(PythPrice {
        price: i64::MAX,
        ema: i64::MAX,
        exponent: 0,
        ..calm
    })
    .await;
    f.open(&t, Long, 1_000 * USDC, 1)
        .await
        .expect("the extreme price passes the oracle checks");
    assert_eq!(f.pool().await.books.b, [0u8; 32], "b re-solved to 0");
    f.post(calm).await;
    assert_refused!(
        f,
        t.accounts(),
        code(E::SideExhausted),
        f.open(&t, Short, 1_000 * USDC, 1).await
    );
}

// ---------------------------------------------------------------------------------------
// Funding to dead shares (operation fuzzer finding): value nobody can ever redeem

const DAY: u64 = 216_000;

/// The split at the posted price and what a crank would charge now, from the pool account
/// (quotes are return data, which native runs do not carry).
async fn split_and_pending(f: &mut Fixture) -> (Reserves, FundingCharges) {
    let pool = f.pool().await;
    let config = pool.params.math_config().expect("config");
    let state = pool.math_state([(Side::Collateral, 0), (Side::Collateral, 0)]);
    let price = U256::from(f.oracle_price().price);
    let slot = f.env.clock().await.slot;
    let reserves = state.reserves_at(&config, price).expect("split");
    let (_, pending) =
        accrue_funding(&config, &state, Prices::single(price), slot).expect("funding");
    (reserves, pending)
}

#[tokio::test]
async fn no_premium_flows_to_a_side_held_only_by_its_dead_shares() {
    let mut f = Fixture::new().await;
    let owner = f.creator_with_collateral().await;
    let short = f.env.balance(&owner.short).await;
    f.close(&owner, Short, short, 1)
        .await
        .expect("close all SHORT");
    assert_eq!(
        f.env.supply(&f.keys.short_mint).await,
        0,
        "dead shares only"
    );
    let t = f.trader(300_000 * USDC).await;
    f.open(&t, Long, 300_000 * USDC, 1).await.expect("open");
    let (before, _) = split_and_pending(&mut f).await;
    for _ in 0..3 {
        f.advance(30 * DAY).await;
        let (_, pending) = split_and_pending(&mut f).await;
        assert_eq!(pending.premium, U256::ZERO);
        f.accrue().await.expect("monthly crank");
        // Interest may only lower SHORT. Before the fix, SHORT's dead shares collected
        // ~283,000 USDC of premium from LONG in the first month.
        let (now, _) = split_and_pending(&mut f).await;
        assert!(
            now.short <= before.short,
            "{} > {}",
            now.short,
            before.short
        );
        let slot = f.env.clock().await.slot;
        let books = f.pool().await.books;
        assert_eq!(
            { books.last_premium_slot },
            slot,
            "the idle time is never charged later"
        );
    }
    // A live SHORT holder brings the premium back, charged from that moment only.
    let s = f.trader(1_000 * USDC).await;
    f.open(&s, Short, 1_000 * USDC, 1)
        .await
        .expect("open SHORT");
    f.advance(DAY).await;
    let (now, pending) = split_and_pending(&mut f).await;
    assert!(pending.premium > U256::ZERO && pending.premium_paid_by_long);
    // A day at the default half-life moves far less than half the LONG/SHORT gap.
    assert!(pending.premium < (now.long - now.short) / U256::from(4u8));
}

#[tokio::test]
async fn no_interest_accrues_while_lp_is_held_only_by_its_dead_shares() {
    let mut f = Fixture::new().await;
    let t = f.trader(10_000 * USDC).await;
    f.open(&t, Long, 5_000 * USDC, 1).await.expect("open");
    let owner = f.creator_with_collateral().await;
    let lp = f.env.balance(&owner.lp).await;
    f.close(&owner, Lp, lp, 1).await.expect("remove all LP");
    // The one-unit-off rule leaves dust behind, which does not keep the interest going.
    assert!(
        f.env.supply(&f.keys.lp_mint).await < 1_000,
        "dust and dead shares only"
    );
    let books = f.pool().await.books;
    f.advance(30 * DAY).await;
    let (_, pending) = split_and_pending(&mut f).await;
    assert_eq!(pending.interest, U256::ZERO);
    f.accrue().await.expect("crank");
    let after = f.pool().await.books;
    assert_eq!({ after.r }, { books.r }, "no protocol fee left R");
    assert_eq!({ after.protocol_fees_owed }, { books.protocol_fees_owed });
    assert_eq!({ after.last_interest_slot }, f.env.clock().await.slot);
    // A new LP restores the interest from then on.
    let l = f.trader(1_000 * USDC).await;
    f.open(&l, Lp, 1_000 * USDC, 1).await.expect("add LP");
    f.advance(DAY).await;
    let (_, pending) = split_and_pending(&mut f).await;
    assert!(pending.interest > U256::ZERO);
}
