//! SPL Token and Token-2022 helpers against the real programs program-test bundles.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::associated_token::{
    get_associated_token_address_with_program_id, spl_associated_token_account,
};
use anchor_spl::token::spl_token;
use anchor_spl::token_2022::spl_token_2022;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::TestEnv;

pub const TOKEN: Pubkey = spl_token::ID;
pub const TOKEN_2022: Pubkey = spl_token_2022::ID;

impl TestEnv {
    /// A classic SPL Token mint with `decimals`, mint authority = payer, no freeze authority.
    pub async fn create_mint(&mut self, decimals: u8) -> Pubkey {
        self.create_mint_with(TOKEN, decimals, &[]).await
    }

    /// A mint under `program`; for Token-2022, `extensions` are initialised first (only the
    /// ones that need no data: pass e.g. `ExtensionType::MintCloseAuthority` for a refusal test).
    pub async fn create_mint_with(
        &mut self,
        program: Pubkey,
        decimals: u8,
        extensions: &[spl_token_2022::extension::ExtensionType],
    ) -> Pubkey {
        let payer = self.payer();
        let mint = Keypair::new();
        let space = if program == TOKEN {
            spl_token::state::Mint::LEN
        } else {
            spl_token_2022::extension::ExtensionType::try_calculate_account_len::<
                spl_token_2022::state::Mint,
            >(extensions)
            .expect("mint length")
        };
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let mut ixs = vec![system_instruction::create_account(
            &payer.pubkey(),
            &mint.pubkey(),
            rent.minimum_balance(space),
            space as u64,
            &program,
        )];
        for extension in extensions {
            use spl_token_2022::extension::ExtensionType as E;
            let ix = match extension {
                E::MintCloseAuthority => {
                    spl_token_2022::instruction::initialize_mint_close_authority(
                        &program,
                        &mint.pubkey(),
                        Some(&payer.pubkey()),
                    )
                }
                E::PermanentDelegate => spl_token_2022::instruction::initialize_permanent_delegate(
                    &program,
                    &mint.pubkey(),
                    &payer.pubkey(),
                ),
                E::MetadataPointer => {
                    spl_token_2022::extension::metadata_pointer::instruction::initialize(
                        &program,
                        &mint.pubkey(),
                        Some(payer.pubkey()),
                        Some(mint.pubkey()),
                    )
                }
                other => panic!("test helper does not initialise {other:?}"),
            }
            .expect("extension ix");
            ixs.push(ix);
        }
        let init = if program == TOKEN {
            spl_token::instruction::initialize_mint2(
                &program,
                &mint.pubkey(),
                &payer.pubkey(),
                None,
                decimals,
            )
        } else {
            spl_token_2022::instruction::initialize_mint2(
                &program,
                &mint.pubkey(),
                &payer.pubkey(),
                None,
                decimals,
            )
        }
        .expect("init mint");
        ixs.push(init);
        self.send(&ixs, &[&mint]).await.expect("create mint");
        mint.pubkey()
    }

    /// The associated token account of `owner` for `mint` under `program`, created if needed.
    pub async fn ata(&mut self, owner: &Pubkey, mint: &Pubkey, program: &Pubkey) -> Pubkey {
        let payer = self.payer();
        let ix =
            spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                &payer.pubkey(),
                owner,
                mint,
                program,
            );
        self.send(&[ix], &[]).await.expect("create ata");
        get_associated_token_address_with_program_id(owner, mint, program)
    }

    /// Mint `amount` of a payer-controlled mint to `to`.
    pub async fn mint_to(&mut self, mint: &Pubkey, program: &Pubkey, to: &Pubkey, amount: u64) {
        let payer = self.payer();
        let ix = if *program == TOKEN {
            spl_token::instruction::mint_to(program, mint, to, &payer.pubkey(), &[], amount)
        } else {
            spl_token_2022::instruction::mint_to(program, mint, to, &payer.pubkey(), &[], amount)
        }
        .expect("mint_to ix");
        self.send(&[ix], &[]).await.expect("mint_to");
    }

    /// Token balance of a token account (either program; the base layout is shared).
    pub async fn balance(&mut self, account: &Pubkey) -> u64 {
        let data = self.account(account).await.expect("token account").data;
        spl_token::state::Account::unpack_from_slice(&data[..spl_token::state::Account::LEN])
            .expect("token account")
            .amount
    }

    /// Supply of a mint (either program).
    pub async fn supply(&mut self, mint: &Pubkey) -> u64 {
        let data = self.account(mint).await.expect("mint").data;
        spl_token::state::Mint::unpack_from_slice(&data[..spl_token::state::Mint::LEN])
            .expect("mint")
            .supply
    }

    /// A funded user with a collateral account holding `amount`.
    pub async fn user_with(
        &mut self,
        mint: &Pubkey,
        program: &Pubkey,
        amount: u64,
    ) -> (Keypair, Pubkey) {
        let user = Keypair::new();
        self.airdrop(&user.pubkey(), 1_000_000_000).await;
        let account = self.ata(&user.pubkey(), mint, program).await;
        if amount > 0 {
            self.mint_to(mint, program, &account, amount).await;
        }
        (user, account)
    }
}
