//! Helpers for the attack tests (`tests/security.rs`): forged accounts written straight into
//! the bank, direct token transfers (donations), and error codes of other programs.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::program_option::COption;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_spl::token::spl_token;
use anchor_spl::token_2022::spl_token_2022;
use solana_account::Account;
use solana_instruction::error::InstructionError;
use solana_keypair::Keypair;
use solana_program_test::BanksClientError;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;

use crate::{TestEnv, TOKEN};

use spl_token_2022::extension::{
    BaseStateWithExtensionsMut, Extension, ExtensionType, StateWithExtensionsMut,
};

/// `TokenError::OwnerMismatch` (SPL Token and Token-2022).
pub const TOKEN_OWNER_MISMATCH: u32 = 4;

/// Assert a transaction failed with a runtime (non-custom) instruction error.
#[track_caller]
pub fn assert_instruction_error(result: Result<(), BanksClientError>, expected: InstructionError) {
    let debug = format!("{result:?}");
    let got = match result {
        Err(BanksClientError::TransactionError(TransactionError::InstructionError(_, e))) => {
            Some(e)
        }
        _ => None,
    };
    assert_eq!(got, Some(expected), "got {debug}");
}

/// A copy of `key`'s account at a fresh address, owned by `owner` (a forgery: same bytes,
/// wrong owner).
pub async fn forge_copy(env: &mut TestEnv, key: &Pubkey, owner: Pubkey) -> Pubkey {
    let mut account = env.account(key).await.expect("account to forge");
    account.owner = owner;
    let forged = Pubkey::new_unique();
    env.set_account(&forged, account);
    forged
}

/// A Token-2022 mint carrying the one extension `V` (default contents), written directly
/// into the bank: this reaches every extension type, including ones whose initialisation
/// instruction needs data the test does not care about. `tweak` may edit the extension.
pub fn forge_token_2022_mint<V: Extension + bytemuck::Pod + Default>(
    env: &mut TestEnv,
    decimals: u8,
    mint_authority: &Pubkey,
    tweak: impl FnOnce(&mut V),
) -> Pubkey {
    let len = ExtensionType::try_calculate_account_len::<spl_token_2022::state::Mint>(&[V::TYPE])
        .expect("mint length");
    let mut data = vec![0u8; len];
    {
        let mut state =
            StateWithExtensionsMut::<spl_token_2022::state::Mint>::unpack_uninitialized(&mut data)
                .expect("uninitialised mint");
        tweak(state.init_extension::<V>(true).expect("init extension"));
        state.base = spl_token_2022::state::Mint {
            mint_authority: COption::Some(*mint_authority),
            supply: 0,
            decimals,
            is_initialized: true,
            freeze_authority: COption::None,
        };
        state.pack_base();
        state.init_account_type().expect("account type");
    }
    let mint = Pubkey::new_unique();
    env.set_account(
        &mint,
        Account {
            lamports: 1_000_000_000,
            data,
            owner: spl_token_2022::ID,
            executable: false,
            rent_epoch: 0,
        },
    );
    mint
}

/// A plain (extension-free) initialised token account of `mint` under `program`, holding
/// `amount`, written directly into the bank (the mint's supply is not touched: only the
/// program's constraints read it before the refusal under test).
pub fn forge_token_account(
    env: &mut TestEnv,
    program: &Pubkey,
    mint: &Pubkey,
    owner: &Pubkey,
    amount: u64,
) -> Pubkey {
    let account = spl_token::state::Account {
        mint: *mint,
        owner: *owner,
        amount,
        delegate: COption::None,
        state: spl_token::state::AccountState::Initialized,
        is_native: COption::None,
        delegated_amount: 0,
        close_authority: COption::None,
    };
    let mut data = vec![0u8; spl_token::state::Account::LEN];
    account.pack_into_slice(&mut data);
    let key = Pubkey::new_unique();
    env.set_account(
        &key,
        Account {
            lamports: 1_000_000_000,
            data,
            owner: *program,
            executable: false,
            rent_epoch: 0,
        },
    );
    key
}

/// Send `amount` of `mint` from `from` (owned by `owner`) straight to `to` with
/// `transfer_checked`: a donation when `to` is a pool's vault.
#[allow(clippy::too_many_arguments)]
pub async fn transfer_tokens(
    env: &mut TestEnv,
    program: &Pubkey,
    mint: &Pubkey,
    decimals: u8,
    from: &Pubkey,
    to: &Pubkey,
    owner: &Keypair,
    amount: u64,
) -> Result<(), BanksClientError> {
    let ix = if *program == TOKEN {
        spl_token::instruction::transfer_checked(
            program,
            from,
            mint,
            to,
            &owner.pubkey(),
            &[],
            amount,
            decimals,
        )
    } else {
        spl_token_2022::instruction::transfer_checked(
            program,
            from,
            mint,
            to,
            &owner.pubkey(),
            &[],
            amount,
            decimals,
        )
    }
    .expect("transfer_checked ix");
    env.send(&[ix], &[owner]).await
}

/// The decoded base state of a token account (either program).
pub async fn token_account(env: &mut TestEnv, key: &Pubkey) -> spl_token::state::Account {
    let data = env.account(key).await.expect("token account").data;
    spl_token::state::Account::unpack_from_slice(&data[..spl_token::state::Account::LEN])
        .expect("token account")
}

/// The decoded base state of a mint (either program).
pub async fn mint_state(env: &mut TestEnv, key: &Pubkey) -> spl_token::state::Mint {
    let data = env.account(key).await.expect("mint").data;
    spl_token::state::Mint::unpack_from_slice(&data[..spl_token::state::Mint::LEN]).expect("mint")
}
