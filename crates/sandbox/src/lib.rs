//! The Asymptote sandbox: the real program in an in-process Solana bank
//! (solana-program-test, native or the SBF build), driven along a price path through real
//! Pyth price accounts, with LPs, traders and the funding crank acting through real
//! transactions. See `crates/sandbox/README.md` for the scenario format.

pub mod actors;
pub mod chart;
pub mod error;
pub mod oracle;
pub mod params;
pub mod path;
pub mod report;
pub mod run;
pub mod scenario;
pub mod value;

pub use error::SandboxError;
pub use run::{run, Options, RunResult};
pub use scenario::Scenario;

use std::path::Path;

/// Run a scenario file and write `steps.csv`, `ops.csv`, `summary.txt` and `chart.svg`
/// into `out_dir`. Returns the result and the summary text.
pub async fn run_to_dir(
    scenario: &Scenario,
    options: Options,
    out_dir: &Path,
) -> Result<(RunResult, String), SandboxError> {
    std::fs::create_dir_all(out_dir).map_err(|e| SandboxError::Write {
        path: out_dir.to_path_buf(),
        error: e.to_string(),
    })?;
    let result = run(scenario, options).await?;
    let summary = report::summary(&result);
    report::write(&out_dir.join("steps.csv"), &report::steps_csv(&result))?;
    report::write(&out_dir.join("ops.csv"), &report::ops_csv(&result))?;
    report::write(&out_dir.join("summary.txt"), &summary)?;
    chart::write_svg(&result, &out_dir.join("chart.svg"))?;
    Ok((result, summary))
}
