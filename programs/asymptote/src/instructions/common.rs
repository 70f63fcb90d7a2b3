//! Pieces every trading instruction shares: sides, the math-core call, token CPIs signed by
//! the pool authority, snapshots for events.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token};
use anchor_spl::token_interface::TokenInterface;
use asymptote_math::funding::FundingCharges;
use asymptote_math::{
    fund, trade_funded, Config as MathConfig, Funding, Powers, Reserves, Side, State as MathState,
    Trade, TradeOutcome, MINIMUM_RESERVE, U256,
};

use super::exact_input::exact_input;
use crate::constants::AUTHORITY_SEED;
use crate::error::{math_err, AsymptoteError};
use crate::events::{FundingPaid, PoolSnapshot, TradeSide, Traded};
use crate::oracle::{self, OraclePrice};
use crate::state::Pool;
use crate::token_view::{mint_supply, token_account, token_amount, Expect};
use crate::units::{atoms_down, atoms_up, narrow, sub_atoms};

impl From<TradeSide> for Side {
    fn from(s: TradeSide) -> Self {
        match s {
            TradeSide::Collateral => Side::Collateral,
            TradeSide::Long => Side::Long,
            TradeSide::Short => Side::Short,
            TradeSide::Lp => Side::Lp,
        }
    }
}

/// Refuse a transaction that lands after the caller's expiry slot (0 = no expiry).
pub fn check_expiry(expiry_slot: u64, clock: &Clock) -> Result<()> {
    require!(
        expiry_slot == 0 || clock.slot <= expiry_slot,
        AsymptoteError::Expired
    );
    Ok(())
}

/// The vault must always hold the books: `vault >= R + protocol fees owed`.
pub fn check_vault_covers_books(pool: &Pool, vault_amount: u64) -> Result<()> {
    let books = U256::from(pool.books.r) + U256::from(pool.books.protocol_fees_owed);
    require!(
        sub_atoms(vault_amount) >= books,
        AsymptoteError::VaultBelowBooks
    );
    Ok(())
}

/// A trade as the program settles it: the math outcome plus the whole amounts that move.
pub struct Executed {
    /// What the math core was asked (exact input may have retried with a smaller amount).
    pub request: Trade,
    pub outcome: TradeOutcome,
    /// Paid by the trader: collateral atoms (rounded up) or side tokens.
    pub amount_in: u64,
    /// Received by the trader: collateral atoms (rounded down) or side tokens.
    pub amount_out: u64,
}

/// The caller's bounds on a trade.
pub struct Bounds {
    /// The most the trader pays (collateral atoms or side tokens); must be positive.
    pub max_in: u64,
    /// The least the trader accepts.
    pub min_out: u64,
    /// Last slot the trade may land in (0 = no expiry).
    pub expiry_slot: u64,
}

/// The shared core of open, close and swap: the bounds, the oracle price (checked for the
/// operation's use), the exact-input trade, stored in the pool. Moving tokens and collateral
/// stays with each instruction.
#[allow(clippy::too_many_arguments)]
pub fn settle(
    pool: &mut Pool,
    oracle_account: &AccountInfo,
    legacy_pyth_program: &Pubkey,
    clock: &Clock,
    side_in: Side,
    side_out: Side,
    bounds: Bounds,
    supplies: [(Side, u64); 2],
) -> Result<Box<Executed>> {
    require!(bounds.max_in > 0, AsymptoteError::ZeroAmount);
    check_expiry(bounds.expiry_slot, clock)?;
    let use_ = oracle::PriceUse::of(side_out);
    crate::cu_trace!("settle: start");
    let price = oracle::fetch(pool, oracle_account, legacy_pyth_program, clock, use_)?;
    crate::cu_trace!("settle: oracle read");
    let executed = exact_input(
        pool,
        &price,
        clock.slot,
        side_in,
        side_out,
        bounds.max_in,
        supplies,
    )?;
    require!(
        executed.amount_in <= bounds.max_in,
        AsymptoteError::MaxInputExceeded
    );
    require!(executed.amount_out > 0, AsymptoteError::ZeroOutput);
    require!(
        executed.amount_out >= bounds.min_out,
        AsymptoteError::SlippageExceeded
    );
    crate::cu_trace!("settle: trade found");
    commit(pool, &executed)?;
    crate::cu_trace!("settle: committed");
    Ok(executed)
}

/// Store a simulated trade in the pool: its new books and the protocol fee it charged.
pub fn commit(pool: &mut Pool, executed: &Executed) -> Result<()> {
    pool.books.protocol_fees_owed = pool
        .books
        .protocol_fees_owed
        .checked_add(narrow(executed.outcome.funding.protocol_fee)?)
        .ok_or(AsymptoteError::MathOverflow)?;
    pool.record_circulation(&executed.outcome.state)?;
    pool.keep_powers(&Powers::from(&executed.outcome.price));
    pool.store(&executed.outcome.state)
}

/// What every trade of one request shares, whatever its amount: the math config, the
/// pool's state, and the funding step at the price its sides use. Exact input tries up to
/// five amounts; the funding step (price selection, `x^K`, two decays) runs once.
pub struct TradeSetup {
    pub config: MathConfig,
    pub state: MathState,
    pub funding: Funding,
}

impl TradeSetup {
    /// Boxed: the setup is large, and SBF stack frames are 4 KiB.
    #[inline(never)]
    pub fn new(
        pool: &Pool,
        price: &OraclePrice,
        slot: u64,
        sides: (Side, Side),
        supplies: [(Side, u64); 2],
    ) -> Result<Box<Self>> {
        let config = pool.params.math_config()?;
        let prices = oracle::candidates(price, pool.oracle.conf_widening_bps, sides.0, sides.1)?
            .with_known(pool.known_powers());
        let state = pool.math_state(supplies);
        let funding = fund(&config, &state, prices, sides, slot).map_err(math_err)?;
        Ok(Box::new(Self {
            config,
            state,
            funding,
        }))
    }
}

/// One trade of `amount` through the math core, without touching the pool. Rounds the
/// collateral that moves to whole atoms in the pool's favour and keeps the difference in R.
///
/// Out of line and boxed: the outcome is large, and SBF stack frames are 4 KiB.
#[inline(never)]
pub fn simulate(setup: &TradeSetup, amount: U256) -> Result<Box<Executed>> {
    let (side_in, side_out) = setup.funding.sides();
    let request = Trade {
        side_in,
        side_out,
        amount,
    };
    crate::cu_trace!("simulate: start");
    let mut outcome =
        trade_funded(&setup.config, &setup.state, &setup.funding, amount).map_err(math_err)?;
    crate::cu_trace!("simulate: math trade");
    let (amount_in, amount_out, kept) = match (request.side_in, request.side_out) {
        (Side::Collateral, _) => {
            let (paid, surplus) = atoms_up(outcome.amount_in)?;
            (paid, narrow(outcome.amount_out)?, surplus)
        }
        (_, Side::Collateral) => {
            let (paid_out, rest) = atoms_down(outcome.amount_out)?;
            (narrow(outcome.amount_in)?, paid_out, rest)
        }
        _ => (
            narrow(outcome.amount_in)?,
            narrow(outcome.amount_out)?,
            U256::ZERO,
        ),
    };
    if !kept.is_zero() {
        outcome.state.r = outcome
            .state
            .r
            .checked_add(kept)
            .ok_or(AsymptoteError::MathOverflow)?;
        outcome.after.lp = outcome
            .after
            .lp
            .checked_add(kept)
            .ok_or(AsymptoteError::MathOverflow)?;
    }
    // The math core's MINIMUM_RESERVE is 1000 sub-atoms; on chain a receiving side keeps
    // 1000 whole atoms.
    if request.side_out.is_token() {
        require!(
            outcome.after.get(request.side_out) >= sub_atoms(MINIMUM_RESERVE),
            AsymptoteError::MinimumReserve
        );
    }
    Ok(Box::new(Executed {
        request,
        outcome,
        amount_in,
        amount_out,
    }))
}

/// The `Traded` event of a settled trade; `supplies` are the touched mints' supplies after it.
pub fn traded_event(
    pool_key: Pubkey,
    pool: &Pool,
    trader: Pubkey,
    sides: (TradeSide, TradeSide),
    executed: &Executed,
    slot: u64,
    supplies: [(Side, u64); 2],
) -> Result<Traded> {
    let outcome = &executed.outcome;
    Ok(Traded {
        pool: pool_key,
        trader,
        side_in: sides.0,
        side_out: sides.1,
        amount_in: executed.amount_in,
        amount_out: executed.amount_out,
        value: narrow(outcome.value)?,
        opening_fee: narrow(outcome.opening_fee)?,
        skew_charge: narrow(outcome.skew_charge)?,
        funding: funding_paid(&outcome.funding)?,
        price: narrow(outcome.price.price)?,
        slot,
        books: snapshot(pool, &outcome.after, supplies)?,
    })
}

pub fn funding_paid(charges: &FundingCharges) -> Result<FundingPaid> {
    Ok(FundingPaid {
        interest: narrow(charges.interest)?,
        premium: narrow(charges.premium)?,
        premium_paid_by_long: charges.premium_paid_by_long,
        protocol_fee: narrow(charges.protocol_fee)?,
    })
}

/// The pool's books for an event; `supplies` are mint supplies of the touched sides.
pub fn snapshot(
    pool: &Pool,
    reserves: &Reserves,
    supplies: [(Side, u64); 2],
) -> Result<PoolSnapshot> {
    let mut snap = PoolSnapshot {
        r: pool.books.r,
        a: pool.books.a,
        b: pool.books.b,
        r_long: narrow(reserves.long)?,
        r_short: narrow(reserves.short)?,
        r_lp: narrow(reserves.lp)?,
        supply_long: 0,
        supply_short: 0,
        supply_lp: 0,
        last_interest_slot: pool.books.last_interest_slot,
        last_premium_slot: pool.books.last_premium_slot,
        protocol_fees_owed: pool.books.protocol_fees_owed,
    };
    for (side, supply) in supplies {
        match side {
            Side::Long => snap.supply_long = supply,
            Side::Short => snap.supply_short = supply,
            Side::Lp => snap.supply_lp = supply,
            Side::Collateral => {}
        }
    }
    Ok(snap)
}

/// Check the collateral accounts of a transfer: the pool's vault and a user's account
/// (`name`) of the collateral mint, owned by `owner` when given. Returns the vault's balance.
pub fn check_collateral_accounts(
    pool: &Pool,
    vault: &AccountInfo,
    user_account: (&AccountInfo, &'static str),
    owner: Option<&Pubkey>,
) -> Result<u64> {
    let program = &pool.collateral_token_program;
    let mint = &pool.collateral_mint;
    let vault_amount = token_account(
        vault,
        Expect {
            name: "vault",
            program,
            mint,
            authority: Some(&pool.authority),
        },
    )?;
    token_account(
        user_account.0,
        Expect {
            name: user_account.1,
            program,
            mint,
            authority: owner,
        },
    )?;
    check_vault_covers_books(pool, vault_amount)?;
    Ok(vault_amount)
}

/// Check one side's accounts: the pool's mint (its key already matched) and the trader's
/// SPL Token account of it (owned by `trader` when the trader pays from it). Returns the
/// mint's supply.
pub fn check_side_accounts(
    mint: &AccountInfo,
    trader_account: &AccountInfo,
    names: (&'static str, &'static str),
    trader: Option<&Pubkey>,
) -> Result<u64> {
    let supply = mint_supply(mint, &token::ID, names.0)?;
    token_account(
        trader_account,
        Expect {
            name: names.1,
            program: &token::ID,
            mint: mint.key,
            authority: trader,
        },
    )?;
    Ok(supply)
}

/// The vault's balance after a transfer that should leave it at `expected`. Classic SPL
/// Token moves exact amounts, so only a Token-2022 vault is re-read (its mint's allowed
/// extensions cannot tax or re-scale a transfer, but the program does not rely on that).
pub fn vault_balance_after(vault: &AccountInfo, expected: u64) -> Result<u64> {
    if *vault.owner == token::ID {
        return Ok(expected);
    }
    token_amount(vault)
}

/// Pay `amount` collateral atoms out of the vault (holding `vault_amount`), signed by the
/// pool authority, and check that the vault still covers the books.
#[allow(clippy::too_many_arguments)]
pub fn pay_from_vault<'info>(
    pool: &Pool,
    pool_key: &Pubkey,
    token_program: &Interface<'info, TokenInterface>,
    mint: &AccountInfo<'info>,
    vault: &AccountInfo<'info>,
    vault_amount: u64,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    let bump = [pool.authority_bump];
    let seeds = authority_seeds(pool_key, &bump);
    let collateral = Collateral::of(pool, token_program, mint);
    transfer_collateral(&collateral, vault, to, authority, &seeds, amount)?;
    let expected = vault_amount
        .checked_sub(amount)
        .ok_or(AsymptoteError::VaultBelowBooks)?;
    let vault_after = vault_balance_after(vault, expected)?;
    check_vault_covers_books(pool, vault_after)
}

/// Signer seeds of a pool's authority PDA.
pub fn authority_seeds<'a>(pool: &'a Pubkey, bump: &'a [u8; 1]) -> [&'a [u8]; 3] {
    [AUTHORITY_SEED, pool.as_ref(), bump]
}

/// Mint side tokens to a user, signed by the pool authority.
pub fn mint_side<'info>(
    token_program: &Program<'info, Token>,
    mint: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    seeds: &[&[u8]],
    amount: u64,
) -> Result<()> {
    crate::cpi::token::mint_to(token_program.key, mint, to, authority, seeds, amount)
}

/// Burn side tokens from a user's account, signed by the user.
pub fn burn_side<'info>(
    token_program: &Program<'info, Token>,
    mint: &AccountInfo<'info>,
    from: &AccountInfo<'info>,
    owner: &Signer<'info>,
    amount: u64,
) -> Result<()> {
    crate::cpi::token::burn(token_program.key, from, mint, owner, amount)
}

/// The pool's collateral as a transfer needs it.
pub struct Collateral<'a, 'info> {
    pub token_program: &'a Interface<'info, TokenInterface>,
    pub mint: &'a AccountInfo<'info>,
    pub decimals: u8,
}

impl<'a, 'info> Collateral<'a, 'info> {
    /// The pool's token program and mint (accounts already matched to the pool), with the
    /// decimals the pool recorded from the mint at creation.
    pub fn of(
        pool: &Pool,
        token_program: &'a Interface<'info, TokenInterface>,
        mint: &'a AccountInfo<'info>,
    ) -> Self {
        Self {
            token_program,
            mint,
            decimals: pool.collateral_decimals,
        }
    }
}

/// Move collateral: `transfer_checked` on Token-2022, plain `transfer` on SPL Token.
///
/// The pool has already matched the mint and both accounts' mints, so the checked variant
/// adds nothing on SPL Token but its cost: it unpacks the mint again and takes one more
/// account into the CPI (about 1,800 CU on SBF). Token-2022 requires it for some extensions.
pub fn transfer_collateral<'info>(
    collateral: &Collateral<'_, 'info>,
    from: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    seeds: &[&[u8]],
    amount: u64,
) -> Result<()> {
    let program = collateral.token_program.key;
    if *program == token::ID {
        return crate::cpi::token::transfer(program, from, to, authority, seeds, amount);
    }
    crate::cpi::token::transfer_checked(
        program,
        from,
        collateral.mint,
        to,
        authority,
        seeds,
        (amount, collateral.decimals),
    )
}
