//! Names for the program's refusals, from the committed IDL (one source of truth).

use std::collections::BTreeMap;

use asymptote_tests::BanksClientError;

const IDL: &str = include_str!("../../../idl/asymptote.json");

/// Program error code -> name, as listed in `idl/asymptote.json`.
pub fn program_error_names() -> BTreeMap<u32, String> {
    let Ok(idl) = serde_json::from_str::<serde_json::Value>(IDL) else {
        return BTreeMap::new();
    };
    idl["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["code"].as_u64()? as u32, e["name"].as_str()?.to_string())))
        .collect()
}

/// A refusal as a short name: the program's error name, or the runtime's error.
pub fn describe(e: &BanksClientError, names: &BTreeMap<u32, String>) -> String {
    match asymptote_tests::custom_code(e) {
        Some(code) => names
            .get(&code)
            .cloned()
            .unwrap_or_else(|| format!("Custom({code})")),
        None => format!("{e}"),
    }
}
