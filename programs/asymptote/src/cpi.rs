//! Cross-program invocations through the runtime's C interface (`sol_invoke_signed_c`),
//! described on the stack: no `Instruction` vectors, no `AccountInfo` clones.
//!
//! The account infos handed to the runtime carry the same pointers the entrypoint gave
//! the program (read through `try_borrow_*`, which also proves no borrow of an account is
//! outstanding, as `invoke_signed` checks). Natively (solana-program-test's `processor!`)
//! the same description goes through `invoke_signed`, the only interface the host offers.

use anchor_lang::prelude::*;

/// The most seeds a signer may have here (the pool authority has three, the event
/// authority two).
const MAX_SEEDS: usize = 4;

/// One account of an invocation: the account and how the callee uses it.
#[derive(Clone, Copy)]
pub struct CpiAccount<'a, 'info> {
    pub info: &'a AccountInfo<'info>,
    pub writable: bool,
    pub signer: bool,
}

impl<'a, 'info> CpiAccount<'a, 'info> {
    pub fn writable(info: &'a AccountInfo<'info>) -> Self {
        Self {
            info,
            writable: true,
            signer: false,
        }
    }

    pub fn readonly(info: &'a AccountInfo<'info>) -> Self {
        Self {
            info,
            writable: false,
            signer: false,
        }
    }

    /// A read-only account that signs (the user, or a PDA whose seeds the call carries).
    pub fn signer(info: &'a AccountInfo<'info>) -> Self {
        Self {
            info,
            writable: false,
            signer: true,
        }
    }
}

/// Invoke `program` with `accounts` (in the callee's order) and `data`, signing for at
/// most one PDA with `seeds` (empty: no PDA signs).
pub fn invoke<const N: usize>(
    program: &Pubkey,
    accounts: [CpiAccount; N],
    data: &[u8],
    seeds: &[&[u8]],
) -> Result<()> {
    if seeds.len() > MAX_SEEDS {
        return Err(ProgramError::MaxSeedLengthExceeded.into());
    }
    sys::invoke(program, &accounts, data, seeds)
}

/// The SPL Token instructions the pools use (Token-2022 shares the layout): a one-byte
/// tag, the amount little-endian, and for `TransferChecked` the mint's decimals.
pub mod token {
    use super::*;

    const TRANSFER: u8 = 3;
    const MINT_TO: u8 = 7;
    const BURN: u8 = 8;
    const TRANSFER_CHECKED: u8 = 12;

    fn amount_data(tag: u8, amount: u64) -> [u8; 9] {
        let mut data = [tag; 9];
        data[1..].copy_from_slice(&amount.to_le_bytes());
        data
    }

    fn transfer_checked_data(amount: u64, decimals: u8) -> [u8; 10] {
        let mut data = [decimals; 10];
        data[..9].copy_from_slice(&amount_data(TRANSFER_CHECKED, amount));
        data
    }

    /// The three-account shape `Transfer`, `MintTo` and `Burn` share: two accounts the
    /// callee writes, then the signing authority.
    fn amount_instruction<'a, 'info>(
        program: &Pubkey,
        tag: u8,
        written: [&'a AccountInfo<'info>; 2],
        authority: &'a AccountInfo<'info>,
        seeds: &[&[u8]],
        amount: u64,
    ) -> Result<()> {
        let accounts = [
            CpiAccount::writable(written[0]),
            CpiAccount::writable(written[1]),
            CpiAccount::signer(authority),
        ];
        invoke(program, accounts, &amount_data(tag, amount), seeds)
    }

    /// `Transfer` of `amount` from `from` to `to`, authorised by `authority`.
    pub fn transfer<'a, 'info>(
        program: &Pubkey,
        from: &'a AccountInfo<'info>,
        to: &'a AccountInfo<'info>,
        authority: &'a AccountInfo<'info>,
        seeds: &[&[u8]],
        amount: u64,
    ) -> Result<()> {
        amount_instruction(program, TRANSFER, [from, to], authority, seeds, amount)
    }

    /// `TransferChecked`: `transfer` that also names the mint and its decimals.
    pub fn transfer_checked<'a, 'info>(
        program: &Pubkey,
        from: &'a AccountInfo<'info>,
        mint: &'a AccountInfo<'info>,
        to: &'a AccountInfo<'info>,
        authority: &'a AccountInfo<'info>,
        seeds: &[&[u8]],
        (amount, decimals): (u64, u8),
    ) -> Result<()> {
        let accounts = [
            CpiAccount::writable(from),
            CpiAccount::readonly(mint),
            CpiAccount::writable(to),
            CpiAccount::signer(authority),
        ];
        let data = transfer_checked_data(amount, decimals);
        invoke(program, accounts, &data, seeds)
    }

    /// `MintTo`: `amount` new tokens of `mint` into `to`, signed by the mint authority.
    pub fn mint_to<'a, 'info>(
        program: &Pubkey,
        mint: &'a AccountInfo<'info>,
        to: &'a AccountInfo<'info>,
        authority: &'a AccountInfo<'info>,
        seeds: &[&[u8]],
        amount: u64,
    ) -> Result<()> {
        amount_instruction(program, MINT_TO, [mint, to], authority, seeds, amount)
    }

    /// `Burn`: `amount` tokens of `mint` out of `from`, signed by its owner.
    pub fn burn<'a, 'info>(
        program: &Pubkey,
        from: &'a AccountInfo<'info>,
        mint: &'a AccountInfo<'info>,
        owner: &'a AccountInfo<'info>,
        amount: u64,
    ) -> Result<()> {
        amount_instruction(program, BURN, [from, mint], owner, &[], amount)
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use anchor_spl::token::spl_token::instruction as spl;

        /// The bytes match SPL Token's own instruction builders (Token-2022 shares the
        /// layout of these four).
        #[test]
        fn data_matches_the_token_programs_builders() {
            let program = anchor_spl::token::ID;
            let [a, b, c] = [
                Pubkey::new_unique(),
                Pubkey::new_unique(),
                Pubkey::new_unique(),
            ];
            for amount in [0, 1, 1_000_000, u64::MAX - 1, u64::MAX] {
                let transfer = spl::transfer(&program, &a, &b, &c, &[], amount);
                let mint = spl::mint_to(&program, &a, &b, &c, &[], amount);
                let burn = spl::burn(&program, &a, &b, &c, &[], amount);
                assert_eq!(
                    transfer.ok().map(|i| i.data),
                    Some(amount_data(TRANSFER, amount).to_vec())
                );
                assert_eq!(
                    mint.ok().map(|i| i.data),
                    Some(amount_data(MINT_TO, amount).to_vec())
                );
                assert_eq!(
                    burn.ok().map(|i| i.data),
                    Some(amount_data(BURN, amount).to_vec())
                );
                for decimals in [0, 6, 9, u8::MAX] {
                    let checked =
                        spl::transfer_checked(&program, &a, &b, &c, &a, &[], amount, decimals);
                    assert_eq!(
                        checked.ok().map(|i| i.data),
                        Some(transfer_checked_data(amount, decimals).to_vec())
                    );
                }
            }
        }
    }
}

#[cfg(target_os = "solana")]
#[allow(unsafe_code)]
mod sys {
    use super::*;
    use core::mem::{size_of, MaybeUninit};

    // The runtime's `SolAccountMeta`, `SolAccountInfo`, `SolInstruction` and
    // `SolSignerSeed(s)C` (agave's `syscalls/cpi.rs`), field for field.
    #[repr(C)]
    struct Meta {
        pubkey: *const Pubkey,
        is_writable: bool,
        is_signer: bool,
    }

    #[repr(C)]
    struct Info {
        key: *const Pubkey,
        lamports: *const u64,
        data_len: u64,
        data: *const u8,
        owner: *const Pubkey,
        rent_epoch: u64,
        is_signer: bool,
        is_writable: bool,
        executable: bool,
    }

    #[repr(C)]
    struct Ix {
        program_id: *const Pubkey,
        accounts: *const Meta,
        accounts_len: u64,
        data: *const u8,
        data_len: u64,
    }

    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Bytes {
        addr: *const u8,
        len: u64,
    }

    #[repr(C)]
    struct Signer {
        addr: *const Bytes,
        len: u64,
    }

    const _: () = assert!(size_of::<Meta>() == 16 && size_of::<Info>() == 56);
    const _: () = assert!(size_of::<Ix>() == 40 && size_of::<Signer>() == 16);

    extern "C" {
        fn sol_invoke_signed_c(
            instruction: *const u8,
            account_infos: *const u8,
            account_infos_len: u64,
            signers: *const u8,
            signers_len: u64,
        ) -> u64;
    }

    /// The account as the callee's instruction and the runtime's account list name it.
    /// Borrowing its lamports and data (mutably when the callee may write them) fails if
    /// the program still holds a borrow; the borrows end here, the pointers stay valid.
    fn describe(account: &CpiAccount) -> Result<(Meta, Info)> {
        let info = account.info;
        let lamports: *const u64 = if account.writable {
            &**info.try_borrow_mut_lamports()?
        } else {
            &**info.try_borrow_lamports()?
        };
        let (data, data_len) = if account.writable {
            let data = info.try_borrow_mut_data()?;
            (data.as_ptr(), data.len() as u64)
        } else {
            let data = info.try_borrow_data()?;
            (data.as_ptr(), data.len() as u64)
        };
        let meta = Meta {
            pubkey: info.key,
            is_writable: account.writable,
            is_signer: account.signer,
        };
        let info = Info {
            key: info.key,
            lamports,
            data_len,
            data,
            owner: info.owner,
            // Not read by the runtime (AccountInfo no longer carries it).
            rent_epoch: u64::MAX,
            is_signer: info.is_signer,
            is_writable: info.is_writable,
            executable: info.executable,
        };
        Ok((meta, info))
    }

    pub fn invoke<const N: usize>(
        program: &Pubkey,
        accounts: &[CpiAccount; N],
        data: &[u8],
        seeds: &[&[u8]],
    ) -> Result<()> {
        let mut metas: [MaybeUninit<Meta>; N] = [const { MaybeUninit::uninit() }; N];
        let mut infos: [MaybeUninit<Info>; N] = [const { MaybeUninit::uninit() }; N];
        for (i, account) in accounts.iter().enumerate() {
            let (meta, info) = describe(account)?;
            metas[i].write(meta);
            infos[i].write(info);
        }
        let mut seed_bytes = [Bytes {
            addr: core::ptr::null(),
            len: 0,
        }; MAX_SEEDS];
        for (slot, seed) in seed_bytes.iter_mut().zip(seeds) {
            *slot = Bytes {
                addr: seed.as_ptr(),
                len: seed.len() as u64,
            };
        }
        let signer = Signer {
            addr: seed_bytes.as_ptr(),
            len: seeds.len() as u64,
        };
        let ix = Ix {
            program_id: program,
            accounts: metas.as_ptr().cast(),
            accounts_len: N as u64,
            data: data.as_ptr(),
            data_len: data.len() as u64,
        };
        let signers_len = u64::from(!seeds.is_empty());
        // SAFETY: every pointer refers to memory that outlives the call: the metas, infos,
        // seeds and instruction on this frame, the keys, owners, lamports and data in the
        // runtime's input region (from the entrypoint's `AccountInfo`s), `data` and
        // `program` borrowed by the caller. The structs have the C layout the syscall
        // reads. No `Ref` of an account is held across the call.
        let result = unsafe {
            sol_invoke_signed_c(
                (&ix as *const Ix).cast(),
                infos.as_ptr().cast(),
                N as u64,
                (&signer as *const Signer).cast(),
                signers_len,
            )
        };
        if result == 0 {
            Ok(())
        } else {
            Err(ProgramError::from(result).into())
        }
    }
}

#[cfg(not(target_os = "solana"))]
mod sys {
    use super::*;
    use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};

    pub fn invoke<const N: usize>(
        program: &Pubkey,
        accounts: &[CpiAccount; N],
        data: &[u8],
        seeds: &[&[u8]],
    ) -> Result<()> {
        let ix = Instruction {
            program_id: *program,
            accounts: accounts
                .iter()
                .map(|a| AccountMeta {
                    pubkey: *a.info.key,
                    is_signer: a.signer,
                    is_writable: a.writable,
                })
                .collect(),
            data: data.to_vec(),
        };
        let infos: Vec<AccountInfo> = accounts.iter().map(|a| a.info.clone()).collect();
        let signers: &[&[&[u8]]] = if seeds.is_empty() { &[] } else { &[seeds] };
        anchor_lang::solana_program::program::invoke_signed(&ix, &infos, signers)
            .map_err(Into::into)
    }
}
