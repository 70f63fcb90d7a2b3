//! Account checks the trading instructions run as constraints, cheaper than Anchor's own
//! and failing with the same errors: no account in two writable roles, and the accounts a
//! pool fixes (vault, collateral mint and token program, authority, side mints).

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::*;
use asymptote_math::Side;

use crate::error::AsymptoteError;
use crate::state::Pool;

/// Equal keys. The first byte settles almost every pair of distinct keys; the whole
/// comparison is a `sol_memcmp` syscall on SBF.
fn same_key(a: &Pubkey, b: &Pubkey) -> bool {
    a.as_array()[0] == b.as_array()[0] && a == b
}

/// Anchor's duplicate-mutable-account check (no account in two writable roles), without
/// its hash set: SipHash costs about 860 CU a key on SBF, a pairwise comparison of the few
/// keys a few dozen. The writable pool carries `dup`, and the struct's first field checks
/// every writable account here (the unchecked token accounts too, which Anchor's check
/// skips), before any other constraint, with Anchor's own error. The keys come by
/// reference: copying five keys cost about 300 CU on SBF.
pub fn distinct(keys: &[&Pubkey]) -> bool {
    keys.iter()
        .enumerate()
        .all(|(i, a)| keys[i + 1..].iter().all(|b| !same_key(a, b)))
}

/// The key of an account, by reference.
pub fn key_of<'a, 'info: 'a>(account: &'a impl AsRef<AccountInfo<'info>>) -> &'a Pubkey {
    account.as_ref().key
}

/// An account a pool fixes, with the key the transaction gave for it.
pub enum Fixed<'a> {
    /// The pool's vault (Anchor's `has_one = vault`).
    Vault(&'a Pubkey),
    /// The collateral mint (`has_one = collateral_mint`).
    CollateralMint(&'a Pubkey),
    /// The pool's signer PDA (`address = pool.authority`, field `pool_authority`).
    Authority(&'a Pubkey),
    /// The collateral's token program (field `collateral_token_program`).
    CollateralTokenProgram(&'a Pubkey),
    /// The mint of a token side, under the field name the instruction gives it.
    Mint(Side, &'static str, &'a Pubkey),
}

impl Fixed<'_> {
    fn given(&self) -> &Pubkey {
        match *self {
            Fixed::Vault(key)
            | Fixed::CollateralMint(key)
            | Fixed::Authority(key)
            | Fixed::CollateralTokenProgram(key)
            | Fixed::Mint(_, _, key) => key,
        }
    }

    /// The key the pool stores for this account (`None`: the side has no mint).
    fn stored<'p>(&self, pool: &'p Pool) -> Option<&'p Pubkey> {
        Some(match *self {
            Fixed::Vault(_) => &pool.vault,
            Fixed::CollateralMint(_) => &pool.collateral_mint,
            Fixed::Authority(_) => &pool.authority,
            Fixed::CollateralTokenProgram(_) => &pool.collateral_token_program,
            Fixed::Mint(side, ..) => return pool.mint_of(side),
        })
    }

    /// The error the Anchor constraint this replaces reported. Out of line: the error
    /// path stays out of the loop.
    #[cold]
    #[inline(never)]
    fn mismatch(&self, stored: Option<&Pubkey>) -> Error {
        let Some(&stored) = stored else {
            return error!(AsymptoteError::InvalidSide);
        };
        let given = *self.given();
        match *self {
            Fixed::Vault(_) | Fixed::CollateralMint(_) => error!(AnchorError::ConstraintHasOne)
                .with_account_name("pool")
                .with_pubkeys((stored, given)),
            Fixed::Authority(_) => error!(AnchorError::ConstraintAddress)
                .with_account_name("pool_authority")
                .with_pubkeys((given, stored)),
            Fixed::CollateralTokenProgram(_) => error!(AnchorError::ConstraintAddress)
                .with_account_name("collateral_token_program")
                .with_pubkeys((given, stored)),
            Fixed::Mint(_, field, _) => error!(AsymptoteError::WrongMint)
                .with_account_name(field)
                .with_pubkeys((given, stored)),
        }
    }
}

/// Check the accounts a pool fixes on one load of it. Anchor's `has_one` and `address =
/// pool.load()?...` constraints load the pool and copy both keys for every account (about
/// 1,400 CU for the five of a trade on SBF). Fails as those constraints did: `has_one` as
/// `ConstraintHasOne` on `pool`, addresses as `ConstraintAddress` on their field, a side's
/// mint as `WrongMint`. `Ok(true)` otherwise, so that it reads as a constraint.
pub fn pool_fixes(pool: &AccountLoader<Pool>, accounts: &[Fixed]) -> Result<bool> {
    let pool = pool.load()?;
    for account in accounts {
        let stored = account.stored(&pool);
        if !stored.is_some_and(|stored| same_key(account.given(), stored)) {
            return Err(account.mismatch(stored));
        }
    }
    Ok(true)
}
