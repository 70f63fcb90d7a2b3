//! The test bank: program loading (native or SBF), clock control, transactions, errors.

use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::bpf_loader_upgradeable;
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::AccountDeserialize;
use solana_account::{Account, AccountSharedData};
use solana_banks_interface::TransactionSimulationDetails;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

pub use anchor_lang::prelude::Clock;

/// How the program runs in the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Compiled into the test binary, called through `processor!`.
    Native,
    /// The SBF `.so` from `SBF_OUT_DIR` (compute units are metered, events are logged).
    Sbf,
}

impl Mode {
    pub fn from_env() -> Self {
        match std::env::var("ASYMPTOTE_TEST_MODE").as_deref() {
            Ok("sbf") => Mode::Sbf,
            _ => Mode::Native,
        }
    }
}

/// The program at SPL Token's address (`Tokenkeg...`) in the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProgram {
    /// SPL Token 3.5.0, the build solana-program-test 3.1 bundles: what clusters ran until
    /// SIMD-0266 replaced it (mainnet epoch 971, May 2026).
    SplToken3_5,
    /// p-token 1.0.0 (SIMD-0266): what mainnet and devnet run at that address now, and what
    /// solana-program-test 4.4 bundles there. Same instructions, accounts and errors, about
    /// 1/60 of the compute units. `scripts/fetch-p-token` puts the `.so` in `SBF_OUT_DIR`.
    PToken,
}

impl TokenProgram {
    /// `ASYMPTOTE_TOKEN_PROGRAM=p-token|spl-token-3.5`; by default the SBF build meets the
    /// token program clusters run (p-token) and the native build the bundled SPL Token 3.5,
    /// so one test run covers the program against both.
    pub fn from_env(mode: Mode) -> Self {
        match std::env::var("ASYMPTOTE_TOKEN_PROGRAM").as_deref() {
            Ok("p-token") => TokenProgram::PToken,
            Ok("spl-token-3.5") => TokenProgram::SplToken3_5,
            Ok(other) => {
                panic!("ASYMPTOTE_TOKEN_PROGRAM={other}: expected p-token or spl-token-3.5")
            }
            Err(_) if mode == Mode::Sbf => TokenProgram::PToken,
            Err(_) => TokenProgram::SplToken3_5,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TokenProgram::SplToken3_5 => "SPL Token 3.5.0",
            TokenProgram::PToken => "p-token 1.0.0",
        }
    }
}

/// Where the SBF artefacts are: `SBF_OUT_DIR`, else the workspace's `target/deploy`.
fn sbf_out_dir() -> String {
    std::env::var("SBF_OUT_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/deploy").into())
}

/// The Program and ProgramData accounts of `elf` deployed at `program_id` under the
/// upgradeable loader, as `anchor deploy` leaves them (`authority` may upgrade).
fn upgradeable_program(
    program_id: &Pubkey,
    authority: &Pubkey,
    elf: &[u8],
) -> [(Pubkey, Account); 2] {
    let program_data = program_data_address(program_id);
    let mut header = program_data_bytes(authority);
    header.extend_from_slice(elf);
    let mut program = vec![2, 0, 0, 0];
    program.extend_from_slice(program_data.as_ref());
    [
        (*program_id, loader_account(program, true)),
        (program_data, loader_account(header, false)),
    ]
}

/// Replace the bundled SPL Token 3.5.0 with p-token as SIMD-0266 did: the same address,
/// now under the upgradeable loader. Added as plain accounts, which program-test stores
/// after its bundled programs (genesis accounts would be overwritten by them).
fn install_p_token(pt: &mut ProgramTest) {
    let path = format!("{}/spl_p_token.so", sbf_out_dir());
    let elf =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run scripts/fetch-p-token)"));
    for (address, account) in upgradeable_program(&anchor_spl::token::ID, &Pubkey::default(), &elf)
    {
        pt.add_account(address, account);
    }
}

/// Anchor's `entry` ties the program id, the accounts and the data to one lifetime, which
/// `processor!` cannot express. Re-home the id and the data to the accounts' lifetime by
/// leaking copies (test-only; the cloned `AccountInfo`s share the runtime's buffers, so
/// writes land).
fn native_entry<'a, 'b, 'c, 'd>(
    program_id: &'a Pubkey,
    accounts: &'b [AccountInfo<'c>],
    data: &'d [u8],
) -> ProgramResult {
    let program_id: &'c Pubkey = Box::leak(Box::new(*program_id));
    let data: &'c [u8] = Box::leak(data.to_vec().into_boxed_slice());
    let accounts: &'c [AccountInfo<'c>] = Box::leak(accounts.to_vec().into_boxed_slice());
    asymptote::entry(program_id, accounts, data)
}

/// Seconds per slot the tests' clock advances by (Solana's target is 400 ms).
pub const SECONDS_PER_SLOT_NUM: i64 = 2;
pub const SECONDS_PER_SLOT_DEN: i64 = 5;

pub struct TestEnv {
    pub ctx: ProgramTestContext,
    pub mode: Mode,
    /// Upgrade authority of the program (becomes the admin).
    pub upgrade_authority: Keypair,
    /// Owner program of legacy Pyth price accounts in this bank.
    pub legacy_pyth_program: Pubkey,
    tx_counter: u32,
}

/// The ProgramData address of a program under the upgradeable loader.
pub fn program_data_address(program_id: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[program_id.as_ref()], &bpf_loader_upgradeable::ID).0
}

/// `UpgradeableLoaderState::ProgramData { slot, upgrade_authority_address }` in bincode.
fn program_data_bytes(authority: &Pubkey) -> Vec<u8> {
    let mut data = vec![3, 0, 0, 0];
    data.extend_from_slice(&0u64.to_le_bytes());
    data.push(1);
    data.extend_from_slice(authority.as_ref());
    data
}

fn loader_account(data: Vec<u8>, executable: bool) -> Account {
    Account {
        lamports: 1_000_000_000_000,
        data,
        owner: bpf_loader_upgradeable::ID,
        executable,
        rent_epoch: u64::MAX,
    }
}

impl TestEnv {
    pub async fn start() -> Self {
        Self::start_in(Mode::from_env()).await
    }

    pub async fn start_in(mode: Mode) -> Self {
        Self::start_with(mode, TokenProgram::from_env(mode)).await
    }

    pub async fn start_with(mode: Mode, token_program: TokenProgram) -> Self {
        let upgrade_authority = Keypair::new();
        let mut pt = match mode {
            Mode::Native => {
                let mut pt = ProgramTest::new("asymptote", asymptote::ID, processor!(native_entry));
                pt.prefer_bpf(false);
                // A builtin has no ProgramData: write the one the config initialisation
                // checks (same address and layout as on chain).
                pt.add_account(
                    program_data_address(&asymptote::ID),
                    loader_account(program_data_bytes(&upgrade_authority.pubkey()), false),
                );
                pt
            }
            Mode::Sbf => {
                // Deploy the .so as `anchor deploy` does, our key as upgrade authority.
                let mut pt = ProgramTest::default();
                let elf = std::fs::read(format!("{}/asymptote.so", sbf_out_dir()))
                    .expect("SBF_OUT_DIR/asymptote.so (run scripts/build-sbf)");
                let accounts =
                    upgradeable_program(&asymptote::ID, &upgrade_authority.pubkey(), &elf);
                for (address, account) in accounts {
                    pt.add_genesis_account(address, account);
                }
                pt
            }
        };
        if token_program == TokenProgram::PToken {
            install_p_token(&mut pt);
        }
        pt.set_compute_max_units(1_400_000);
        let ctx = pt.start_with_context().await;
        let mut env = TestEnv {
            ctx,
            mode,
            upgrade_authority,
            legacy_pyth_program: Pubkey::new_unique(),
            tx_counter: 0,
        };
        let authority = env.upgrade_authority.pubkey();
        env.airdrop(&authority, 10_000_000_000).await;
        env.set_clock(1_000, 1_700_000_000).await;
        env
    }

    pub fn payer(&self) -> Keypair {
        self.ctx.payer.insecure_clone()
    }

    pub async fn clock(&mut self) -> Clock {
        self.ctx
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .expect("clock sysvar")
    }

    /// Move the bank to `slot` with the given unix time.
    pub async fn set_clock(&mut self, slot: u64, unix_timestamp: i64) {
        let current = self.clock().await.slot;
        if slot > current {
            self.ctx.warp_to_slot(slot).expect("warp");
        }
        let mut clock = self.clock().await;
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
    }

    /// Move the Clock sysvar (slot and unix time) forward by `slots` without forking a new
    /// bank: what the program sees is the same as after a warp, at a fraction of the cost
    /// (a warp freezes and hashes the bank). The sandbox and the fuzzer step time this way.
    pub async fn advance_clock(&mut self, slots: u64) {
        let mut clock = self.clock().await;
        clock.slot += slots;
        clock.unix_timestamp += slots as i64 * SECONDS_PER_SLOT_NUM / SECONDS_PER_SLOT_DEN;
        self.ctx.set_sysvar(&clock);
    }

    /// Advance by `slots`, moving time 0.4 s per slot.
    pub async fn advance_slots(&mut self, slots: u64) {
        let clock = self.clock().await;
        let seconds = slots as i64 * SECONDS_PER_SLOT_NUM / SECONDS_PER_SLOT_DEN;
        self.set_clock(clock.slot + slots, clock.unix_timestamp + seconds)
            .await;
    }

    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) {
        let payer = self.payer();
        let ix = anchor_lang::solana_program::system_instruction::transfer(
            &payer.pubkey(),
            to,
            lamports,
        );
        self.send(&[ix], &[]).await.expect("airdrop");
    }

    pub async fn account(&mut self, key: &Pubkey) -> Option<Account> {
        self.ctx
            .banks_client
            .get_account(*key)
            .await
            .expect("banks")
    }

    pub async fn anchor_account<T: AccountDeserialize>(&mut self, key: &Pubkey) -> T {
        let account = self.account(key).await.expect("account exists");
        T::try_deserialize(&mut account.data.as_slice()).expect("decode")
    }

    pub fn set_account(&mut self, key: &Pubkey, account: Account) {
        self.ctx.set_account(key, &AccountSharedData::from(account));
    }

    /// Sign with the payer plus `signers` and process.
    pub async fn send(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), BanksClientError> {
        self.send_with_logs(ixs, signers).await.map(drop)
    }

    /// Process on the working bank and return the log. This path executes and commits
    /// synchronously; `process_transaction` would hand the transaction to a thread and poll
    /// for its status with a sleep, about 1 ms per transaction.
    pub async fn send_with_logs(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Vec<String>, BanksClientError> {
        let tx = self.transaction(ixs, signers).await;
        let out = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx)
            .await?;
        out.result.map_err(BanksClientError::TransactionError)?;
        Ok(out.metadata.map(|m| m.log_messages).unwrap_or_default())
    }

    /// Process and return the compute units the Asymptote program itself consumed (its
    /// top-level invocation, CPIs included), read from the runtime's log. SBF mode only:
    /// native builtins are not metered.
    pub async fn send_measured(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<u64, BanksClientError> {
        let logs = self.send_with_logs(ixs, signers).await?;
        if std::env::var_os("ASYMPTOTE_CU_PROFILE").is_some() {
            eprintln!("{}", logs.join("\n"));
        }
        Ok(program_units(&logs))
    }

    /// Simulate; a failed simulation is an error. Returns the transaction's account keys
    /// and what the runtime recorded.
    async fn simulate(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(Vec<Pubkey>, Option<TransactionSimulationDetails>), BanksClientError> {
        let tx = self.transaction(ixs, signers).await;
        let keys = tx.message.account_keys.clone();
        let sim = self.ctx.banks_client.simulate_transaction(tx).await?;
        if let Some(Err(e)) = sim.result {
            return Err(BanksClientError::TransactionError(e));
        }
        Ok((keys, sim.simulation_details))
    }

    /// Simulate and return the compute units the program consumed (read-only instructions).
    pub async fn simulate_measured(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<u64, BanksClientError> {
        let (_, details) = self.simulate(ixs, signers).await?;
        Ok(details.map(|d| program_units(&d.logs)).unwrap_or(0))
    }

    /// Simulate and return the events the program emitted through `emit_cpi!` (the data of
    /// its self-invocations, event tag stripped), in order. SBF mode only: native CPIs are
    /// not recorded as inner instructions.
    pub async fn simulate_events(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Vec<Vec<u8>>, BanksClientError> {
        let (keys, details) = self.simulate(ixs, signers).await?;
        let inner = details
            .and_then(|d| d.inner_instructions)
            .unwrap_or_default();
        let tag = anchor_lang::event::EVENT_IX_TAG_LE;
        Ok(inner
            .iter()
            .flatten()
            .filter(|i| {
                keys.get(usize::from(i.instruction.program_id_index)) == Some(&asymptote::ID)
            })
            .filter_map(|i| i.instruction.data.strip_prefix(tag).map(<[u8]>::to_vec))
            .collect())
    }

    /// Simulate and return the program's return data (quotes).
    pub async fn simulate_return(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Vec<u8>, BanksClientError> {
        let (_, details) = self.simulate(ixs, signers).await?;
        let mut data = details
            .and_then(|d| d.return_data)
            .map(|r| r.data)
            .unwrap_or_default();
        // The runtime strips trailing zero bytes from return data (a quote at slot 0 with no
        // fees owed arrives short): pad back to the largest size a program can return.
        data.resize(MAX_RETURN_DATA, 0);
        Ok(data)
    }

    /// Every transaction starts with a compute-unit limit that differs from the previous
    /// one, so resending the same instruction (a refusal under a new oracle state, a second
    /// crank) is a new transaction rather than a duplicate signature.
    async fn transaction(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Transaction {
        let payer = self.payer();
        let blockhash = self
            .ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .expect("blockhash");
        // 1,000,000 distinct limits, all at least 400k CU (create_pool needs ~230k).
        self.tx_counter = (self.tx_counter + 1) % 1_000_000;
        let limit = ComputeBudgetInstruction::set_compute_unit_limit(1_400_000 - self.tx_counter);
        let mut all_ixs = vec![limit];
        all_ixs.extend_from_slice(ixs);
        let mut all: Vec<&Keypair> = vec![&payer];
        all.extend_from_slice(signers);
        Transaction::new_signed_with_payer(&all_ixs, Some(&payer.pubkey()), &all, blockhash)
    }
}

/// Largest return data a program can set (`solana_program::program::MAX_RETURN_DATA`).
pub const MAX_RETURN_DATA: usize = 1024;

/// Sum of `Program <asymptote> consumed N of M compute units` lines (top-level invocations).
pub fn program_units(logs: &[String]) -> u64 {
    let prefix = format!("Program {} consumed ", asymptote::ID);
    logs.iter()
        .filter_map(|line| line.strip_prefix(&prefix))
        .filter_map(|rest| rest.split(' ').next())
        .filter_map(|n| n.parse::<u64>().ok())
        .sum()
}

/// The custom error code of a failed single-instruction transaction.
pub fn error_code(result: Result<(), BanksClientError>) -> Option<u32> {
    result.err().as_ref().and_then(custom_code)
}

/// The custom error code carried by a transaction or simulation error.
pub fn custom_code(e: &BanksClientError) -> Option<u32> {
    use solana_instruction::error::InstructionError::Custom;
    match e {
        BanksClientError::TransactionError(TransactionError::InstructionError(_, Custom(code)))
        | BanksClientError::SimulationError {
            err: TransactionError::InstructionError(_, Custom(code)),
            ..
        } => Some(*code),
        _ => None,
    }
}

/// A custom error code as a name: the program's (from the committed IDL), else Anchor's
/// framework range, else a token program's code.
pub fn error_name(code: u32) -> String {
    static NAMES: std::sync::OnceLock<std::collections::HashMap<u64, String>> =
        std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let idl: serde_json::Value =
            serde_json::from_str(include_str!("../../idl/asymptote.json")).expect("the IDL parses");
        idl["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| Some((e["code"].as_u64()?, e["name"].as_str()?.to_string())))
            .collect()
    });
    match names.get(&u64::from(code)) {
        Some(name) => name.clone(),
        None if code >= 100 => format!("anchor {code}"),
        None => format!("token program {code}"),
    }
}

/// A refusal's name (see `error_name`); `None` when the error carries no custom code.
pub fn refusal_name(e: &BanksClientError) -> Option<String> {
    custom_code(e).map(error_name)
}

/// Assert that a transaction failed with the given Anchor error (program or framework).
#[track_caller]
pub fn assert_error<E: Into<u32>>(result: Result<(), BanksClientError>, expected: E) {
    let expected = expected.into();
    let debug = format!("{result:?}");
    assert_eq!(
        error_code(result),
        Some(expected),
        "expected error {expected}, got {debug}"
    );
}

/// Program error code of an `AsymptoteError`.
pub fn code(e: asymptote::error::AsymptoteError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + e as u32
}

/// Code of an Anchor framework error.
pub fn anchor_code(e: anchor_lang::error::ErrorCode) -> u32 {
    e as u32
}
