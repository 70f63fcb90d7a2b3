//! Instruction data of every instruction of the program.
//!
//! * Each instruction's generated argument struct (`asymptote::instruction::*`, what the
//!   dispatcher deserializes after the 8-byte discriminator) decodes arbitrary bytes
//!   without panicking, and a successful decode re-encodes to exactly the bytes it consumed
//!   (Borsh is canonical: no two encodings of one value).
//! * The argument checks that are public run on every decoded value: `PoolParams::open_rate`
//!   and `math_config` (ok iff the opening fee is at most 100 %, then `OPEN_RATE` in
//!   `[0, Q128]`), `ProtocolConfig::validate_pause_bits` (ok iff no unknown bit).
//! * The program's own entry point (`asymptote::entry`), given the bytes as they are and
//!   behind each instruction's discriminator, with no accounts: always an error (unknown
//!   discriminator, undecodable data or missing accounts), never a panic.

#![no_main]

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, AnchorSerialize, Discriminator};
use asymptote::constants::pause;
use asymptote::instruction as ix;
use asymptote::state::ProtocolConfig;
use asymptote_math::{Q128, U256};
use libfuzzer_sys::fuzz_target;

/// Every instruction's discriminator, in the order of `#[program]`.
const DISCRIMINATORS: [&[u8]; 13] = [
    ix::InitializeConfig::DISCRIMINATOR,
    ix::CreatePool::DISCRIMINATOR,
    ix::Open::DISCRIMINATOR,
    ix::Close::DISCRIMINATOR,
    ix::Swap::DISCRIMINATOR,
    ix::Accrue::DISCRIMINATOR,
    ix::CollectProtocolFees::DISCRIMINATOR,
    ix::SetPause::DISCRIMINATOR,
    ix::ProposeAdmin::DISCRIMINATOR,
    ix::AcceptAdmin::DISCRIMINATOR,
    ix::SetRoles::DISCRIMINATOR,
    ix::QuoteTrade::DISCRIMINATOR,
    ix::QuotePool::DISCRIMINATOR,
];

/// Decode a prefix of `data` as `T`; on success the value re-encodes to that prefix.
fn decode<T: AnchorDeserialize + AnchorSerialize>(data: &[u8]) -> Option<T> {
    let mut rest = data;
    let value = T::deserialize(&mut rest).ok()?;
    let used = data.len() - rest.len();
    let mut encoded = Vec::with_capacity(used);
    value.serialize(&mut encoded).expect("encoding into a Vec");
    assert_eq!(
        encoded,
        &data[..used],
        "re-encoding differs from the bytes decoded"
    );
    Some(value)
}

fuzz_target!(|data: &[u8]| {
    // The argument structs, one by one.
    decode::<ix::InitializeConfig>(data);
    if let Some(create) = decode::<ix::CreatePool>(data) {
        let params = create.args.params;
        let open_rate = params.open_rate();
        assert_eq!(open_rate.is_ok(), params.opening_fee_bps <= 10_000);
        if let Ok(rate) = open_rate {
            assert!(rate <= Q128);
            assert_eq!(rate == Q128, params.opening_fee_bps == 0);
            let config = params.math_config().expect("open_rate was fine");
            assert_eq!(config.k, { params.k });
            assert_eq!(config.mark, U256::from(params.mark));
            assert_eq!(config.skew.psi, U256::from(params.skew_depth_cap) << 64);
        } else {
            assert!(params.math_config().is_err());
        }
    }
    decode::<ix::Open>(data);
    decode::<ix::Close>(data);
    decode::<ix::Swap>(data);
    decode::<ix::Accrue>(data);
    decode::<ix::CollectProtocolFees>(data);
    if let Some(set) = decode::<ix::SetPause>(data) {
        let known = set.paused & !pause::ALL == 0;
        assert_eq!(
            ProtocolConfig::validate_pause_bits(set.paused).is_ok(),
            known
        );
    }
    decode::<ix::ProposeAdmin>(data);
    decode::<ix::AcceptAdmin>(data);
    decode::<ix::SetRoles>(data);
    decode::<ix::QuoteTrade>(data);
    decode::<ix::QuotePool>(data);

    // The dispatcher: the raw bytes, then the bytes behind a discriminator picked by the
    // first byte (so every handler's decoding is reached without guessing 8 bytes).
    let program_id: Pubkey = asymptote::ID;
    assert!(asymptote::entry(&program_id, &[], data).is_err());
    if let Some((&pick, rest)) = data.split_first() {
        let mut framed = DISCRIMINATORS[usize::from(pick) % DISCRIMINATORS.len()].to_vec();
        framed.extend_from_slice(rest);
        assert!(asymptote::entry(&program_id, &[], &framed).is_err());
    }
});
