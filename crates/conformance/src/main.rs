//! `asymptote-conformance FILE...`: replay conformance vector files, one line per case,
//! then `N passed, M failed`. Files may also be named in `ASYMPTOTE_VECTORS`
//! (separated by `:`). Exits 1 on any failure, 2 on a usage or file error.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    if let Ok(list) = std::env::var("ASYMPTOTE_VECTORS") {
        files.extend(list.split(':').filter(|s| !s.is_empty()).map(str::to_owned));
    }
    if files.is_empty() || files.iter().any(|f| f == "-h" || f == "--help") {
        eprintln!("usage: conformance FILE... (or ASYMPTOTE_VECTORS=FILE:FILE)");
        return ExitCode::from(2);
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut broken_file = false;
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{file}: cannot read: {e}");
                broken_file = true;
                continue;
            }
        };
        match asymptote_conformance::run_file(&text) {
            Err(e) => {
                eprintln!("{file}: {e}");
                broken_file = true;
            }
            Ok(results) => {
                for (name, result) in results {
                    match result {
                        Ok(()) => {
                            passed += 1;
                            println!("pass  {file} :: {name}");
                        }
                        Err(why) => {
                            failed += 1;
                            println!("FAIL  {file} :: {name}: {why}");
                        }
                    }
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if broken_file {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
