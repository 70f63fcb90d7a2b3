//! `cargo run -p asymptote-sandbox -- [SCENARIO] [--out DIR] [--sbf]`

use std::path::PathBuf;
use std::process::ExitCode;

use asymptote_sandbox::{run_to_dir, Options, Scenario};
use asymptote_tests::Mode;
use clap::Parser;

/// Run the Asymptote program in an in-process bank along a price path.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Scenario file (TOML). Default: the calm scenario shipped with the sandbox.
    scenario: Option<PathBuf>,
    /// Directory for steps.csv, ops.csv, summary.txt and chart.svg.
    #[arg(long, default_value = "target/sandbox")]
    out: PathBuf,
    /// Run the compiled SBF program (target/deploy/asymptote.so, or $SBF_OUT_DIR) instead
    /// of the natively compiled one.
    #[arg(long)]
    sbf: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// solana-program-test logs every instruction at debug level unless `RUST_LOG` says
/// otherwise; a run of thousands of transactions would spend its time printing.
fn quiet_runtime_logs() {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
}

fn default_scenario() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/calm.toml")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    quiet_runtime_logs();
    let path = cli.scenario.unwrap_or_else(default_scenario);
    let scenario = match Scenario::load(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let options = Options {
        mode: if cli.sbf { Mode::Sbf } else { Mode::Native },
        progress: !cli.quiet,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Natively compiled, the program's `msg!` lines (Anchor logs every instruction's name)
    // fall back to println! on stdout; keep them out of the report.
    let silenced = gag::Gag::stdout().ok();
    let outcome = runtime.block_on(run_to_dir(&scenario, options, &cli.out));
    drop(silenced);
    match outcome {
        Ok((result, summary)) => {
            println!("{summary}");
            println!(
                "wrote {0}/steps.csv, {0}/ops.csv, {0}/summary.txt, {0}/chart.svg",
                cli.out.display()
            );
            if result.mismatches.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
