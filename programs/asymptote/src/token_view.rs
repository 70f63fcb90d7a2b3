//! Token accounts and mints read in place.
//!
//! Anchor's typed token accounts unpack every field of the account into a boxed copy
//! (Token-2022's interface types walk the extension data too): about 1,000 CU per account
//! on SBF, and a trade loads five. A trade reads four fields. These views check what the
//! typed accounts and their `token::` constraints checked (owner program, initialised
//! layout, mint, authority), fail with the same Anchor errors, and read the fields at the
//! offsets SPL Token and Token-2022 share (Token-2022 appends its extensions after them).

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::*;

/// Base token account: mint, owner, amount, delegate, state, ... (165 bytes).
const ACCOUNT_LEN: usize = 165;
/// Base mint: authority, supply, decimals, initialised, freeze authority (82 bytes).
const MINT_LEN: usize = 82;
/// A multisig has its own length; Token-2022 never gives an extended account that length.
const MULTISIG_LEN: usize = 355;
/// Token-2022 writes the account type right after the base account's length.
const ACCOUNT_TYPE_OFFSET: usize = ACCOUNT_LEN;
const ACCOUNT_TYPE_MINT: u8 = 1;
const ACCOUNT_TYPE_ACCOUNT: u8 = 2;

const ACCOUNT_MINT: usize = 0;
const ACCOUNT_OWNER: usize = 32;
const ACCOUNT_AMOUNT: usize = 64;
const ACCOUNT_STATE: usize = 108;
/// `AccountState::Uninitialized`; Initialized (1) and Frozen (2) are live accounts.
const STATE_UNINITIALIZED: u8 = 0;

const MINT_SUPPLY: usize = 36;
const MINT_INITIALIZED: usize = 45;

/// The fields of a token account the program reads, the keys in place: a key copied out of
/// account data moves byte by byte on SBF (no unaligned loads), about 100 CU a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TokenAccountView<'a> {
    mint: &'a [u8; 32],
    owner: &'a [u8; 32],
    amount: u64,
}

/// What a token account must be: the program that owns it, its mint and, when the program
/// relies on it, its owner.
pub struct Expect<'a> {
    /// Field name for the error log (as Anchor names accounts in constraint errors).
    pub name: &'static str,
    pub program: &'a Pubkey,
    pub mint: &'a Pubkey,
    pub authority: Option<&'a Pubkey>,
}

/// Reads a token account, checks it against `expect` and returns its balance.
pub fn token_account(info: &AccountInfo, expect: Expect) -> Result<u64> {
    let fail = |code: AnchorError| error!(code).with_account_name(expect.name);
    if info.owner != expect.program {
        return Err(fail(AnchorError::ConstraintTokenTokenProgram));
    }
    let data = info.try_borrow_data()?;
    let view = read_token_account(&data).map_err(fail)?;
    if view.mint != expect.mint.as_array() {
        return Err(fail(AnchorError::ConstraintTokenMint));
    }
    if expect
        .authority
        .is_some_and(|authority| view.owner != authority.as_array())
    {
        return Err(fail(AnchorError::ConstraintTokenOwner));
    }
    Ok(view.amount)
}

/// The balance of a token account already checked by `token_account` (for re-reading it
/// after a CPI moved tokens).
pub fn token_amount(info: &AccountInfo) -> Result<u64> {
    bytes(&info.try_borrow_data()?, ACCOUNT_AMOUNT)
        .map(u64::from_le_bytes)
        .ok_or_else(|| error!(AnchorError::AccountDidNotDeserialize))
}

/// The supply of an initialised mint owned by `program`.
pub fn mint_supply(info: &AccountInfo, program: &Pubkey, name: &'static str) -> Result<u64> {
    let fail = |code: AnchorError| error!(code).with_account_name(name);
    if info.owner != program {
        return Err(fail(AnchorError::AccountOwnedByWrongProgram));
    }
    let data = info.try_borrow_data()?;
    let is_mint = data.len() == MINT_LEN || has_type(&data, ACCOUNT_TYPE_MINT);
    if !is_mint {
        return Err(fail(AnchorError::AccountDidNotDeserialize));
    }
    if data.get(MINT_INITIALIZED) != Some(&1) {
        return Err(fail(AnchorError::AccountNotInitialized));
    }
    bytes(&data, MINT_SUPPLY)
        .map(u64::from_le_bytes)
        .ok_or_else(|| fail(AnchorError::AccountDidNotDeserialize))
}

fn read_token_account(data: &[u8]) -> std::result::Result<TokenAccountView<'_>, AnchorError> {
    if data.len() != ACCOUNT_LEN && !has_type(data, ACCOUNT_TYPE_ACCOUNT) {
        return Err(AnchorError::AccountDidNotDeserialize);
    }
    if data.get(ACCOUNT_STATE) == Some(&STATE_UNINITIALIZED) {
        return Err(AnchorError::AccountNotInitialized);
    }
    let key = |offset: usize| {
        data.get(offset..offset + 32)
            .and_then(|slice| <&[u8; 32]>::try_from(slice).ok())
    };
    match (
        key(ACCOUNT_MINT),
        key(ACCOUNT_OWNER),
        bytes(data, ACCOUNT_AMOUNT),
    ) {
        (Some(mint), Some(owner), Some(amount)) => Ok(TokenAccountView {
            mint,
            owner,
            amount: u64::from_le_bytes(amount),
        }),
        _ => Err(AnchorError::AccountDidNotDeserialize),
    }
}

/// A Token-2022 account with extensions of the given type (mint or token account).
fn has_type(data: &[u8], account_type: u8) -> bool {
    data.len() > ACCOUNT_LEN
        && data.len() != MULTISIG_LEN
        && data.get(ACCOUNT_TYPE_OFFSET) == Some(&account_type)
}

/// `N` bytes at `offset`.
fn bytes<const N: usize>(data: &[u8], offset: usize) -> Option<[u8; N]> {
    data.get(offset..offset + N)
        .and_then(|slice| <[u8; N]>::try_from(slice).ok())
}
