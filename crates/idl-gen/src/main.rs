//! `asymptote-idl-gen [--check]`: build the program's IDL the way `anchor idl build` does
//! (the `idl-build` feature's print tests, assembled by anchor-lang-idl) and write it to
//! `idl/asymptote.json`, or with `--check` fail when the committed file differs.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    // anchor-lang-idl 0.1.4 turns a set RUSTUP_TOOLCHAIN into a literal `+{toolchain}`
    // argument; the nested cargo finds the toolchain through rust-toolchain.toml instead.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let idl = anchor_lang_idl::build::IdlBuilder::new()
        .program_path(root.join("programs/asymptote"))
        .cargo_args(vec!["--locked".into()])
        .build();
    let idl = match idl {
        Ok(idl) => idl,
        Err(e) => {
            eprintln!("IDL build failed: {e}");
            return ExitCode::from(2);
        }
    };
    let json = match serde_json::to_string_pretty(&idl) {
        Ok(json) => json + "\n",
        Err(e) => {
            eprintln!("IDL serialisation failed: {e}");
            return ExitCode::from(2);
        }
    };
    let path = root.join("idl/asymptote.json");
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != json {
            eprintln!("idl/asymptote.json is stale: run `scripts/idl` and commit the result");
            return ExitCode::FAILURE;
        }
        println!("idl/asymptote.json matches the program");
        return ExitCode::SUCCESS;
    }
    if let Err(e) = std::fs::write(&path, json) {
        eprintln!("cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    println!("wrote {}", path.display());
    ExitCode::SUCCESS
}
