//! The instruction bytes the TypeScript client must produce, from the program's own
//! encoding. `app/test/fixtures/rust-instruction-encoding.json` is committed; this test
//! fails when it differs from what the program encodes (regenerate with
//! `ASYMPTOTE_BLESS=1 cargo test -p asymptote-tests --test ts_fixtures`), and the TS suite
//! compares its own encoder against the same file.

use anchor_lang::prelude::Pubkey;
use anchor_lang::InstructionData;
use asymptote::events::TradeSide;
use asymptote::instruction as ix;
use asymptote::instructions::{
    CloseArgs, CreatePoolArgs, InitializeConfigArgs, OpenArgs, SwapArgs,
};
use asymptote::state::{OracleConfig, OracleSource, PoolParams};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../app/test/fixtures/rust-instruction-encoding.json"
);

fn key(n: u8) -> Pubkey {
    Pubkey::new_from_array([n; 32])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn encodings() -> Vec<(&'static str, Vec<u8>)> {
    let create_pool = CreatePoolArgs {
        nonce: 3,
        params: PoolParams {
            k: 4,
            mark: 150 * 10u128.pow(18),
            interest_half_life: 249_532_987,
            premium_half_life: 2_495_330,
            opening_fee_bps: 30,
            fee_divisor: 5,
            skew_lambda: 1 << 63,
            skew_cap: 3 << 64,
            skew_depth_cap: 1_000_000,
        },
        oracle: OracleConfig {
            source: OracleSource::PythPull,
            key: [0xab; 32],
            max_age: 60,
            max_conf_bps_open: 100,
            max_conf_bps_close: 500,
            max_ema_divergence_bps: 500,
            conf_widening_bps: 25,
        },
        deposit: 1_000_000_000,
        long_bps: 2500,
        short_bps: 2000,
    };
    vec![
        ("accept_admin", ix::AcceptAdmin {}.data()),
        ("accrue", ix::Accrue {}.data()),
        (
            "close",
            ix::Close {
                args: CloseArgs {
                    side: TradeSide::Lp,
                    amount: u64::MAX,
                    min_out: 0,
                    expiry_slot: 0,
                },
            }
            .data(),
        ),
        ("collect_protocol_fees", ix::CollectProtocolFees {}.data()),
        ("create_pool", ix::CreatePool { args: create_pool }.data()),
        (
            "initialize_config",
            ix::InitializeConfig {
                args: InitializeConfigArgs {
                    guardian: key(2),
                    fee_recipient: key(3),
                    legacy_pyth_program: key(4),
                },
            }
            .data(),
        ),
        (
            "open",
            ix::Open {
                args: OpenArgs {
                    side: TradeSide::Short,
                    amount_in: 1_500_000,
                    min_out: 7,
                    expiry_slot: 99,
                },
            }
            .data(),
        ),
        (
            "propose_admin",
            ix::ProposeAdmin { proposed: key(6) }.data(),
        ),
        ("quote_pool", ix::QuotePool {}.data()),
        (
            "quote_trade",
            ix::QuoteTrade {
                side_in: TradeSide::Collateral,
                side_out: TradeSide::Long,
                amount: 123,
            }
            .data(),
        ),
        ("set_pause", ix::SetPause { paused: 0x2a }.data()),
        (
            "set_roles",
            ix::SetRoles {
                guardian: key(7),
                fee_recipient: key(8),
            }
            .data(),
        ),
        (
            "swap",
            ix::Swap {
                args: SwapArgs {
                    side_in: TradeSide::Long,
                    side_out: TradeSide::Lp,
                    amount: 5,
                    min_out: 4,
                    expiry_slot: 3,
                },
            }
            .data(),
        ),
    ]
}

fn fixture_json() -> String {
    let entries: Vec<String> = encodings()
        .into_iter()
        .map(|(name, data)| {
            format!(
                "  {{\"name\": \"{name}\", \"data_hex\": \"{}\"}}",
                hex(&data)
            )
        })
        .collect();
    format!("[\n{}\n]\n", entries.join(",\n"))
}

#[test]
fn typescript_encoding_fixture_matches_the_program() {
    let want = fixture_json();
    if std::env::var_os("ASYMPTOTE_BLESS").is_some() {
        std::fs::write(FIXTURE, &want).expect("write fixture");
    }
    let committed = std::fs::read_to_string(FIXTURE).unwrap_or_default();
    assert_eq!(
        committed, want,
        "{FIXTURE} is stale: rerun with ASYMPTOTE_BLESS=1"
    );
}
