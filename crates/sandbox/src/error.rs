//! What can go wrong before or outside the program: bad files and a broken bank.
//! A transaction the program refuses is not an error here: it is an outcome, counted.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot read {path}: {error}")]
    Io { path: PathBuf, error: String },
    #[error("{path}: {error}")]
    Parse { path: PathBuf, error: String },
    #[error("scenario field `{field}`: {problem}")]
    Invalid { field: String, problem: String },
    #[error("price file {path}, line {line}: {problem}")]
    PriceFile {
        path: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("cannot write {path}: {error}")]
    Write { path: PathBuf, error: String },
    /// The in-process bank or the program did something the sandbox cannot explain (an
    /// outcome different from the program's own settlement code run off chain, a setup
    /// transaction refused).
    #[error("{0}")]
    Bank(String),
}
