//! `docs/security.md` cannot drift: every class C1..C31 of the security checklist has a
//! row; every test a row names exists as a test function in the named file and is not
//! ignored; every result is `closed`, `n/a: <reason>` or `FINDING: <what>`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const CLASSES: u32 = 31;

/// One row of the table: class, name, test references, result.
struct Row {
    line: usize,
    class: u32,
    tests: Vec<String>,
    result: String,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .to_path_buf()
}

/// The table's data rows (lines starting with `| C`).
fn rows(doc: &str) -> Vec<Row> {
    doc.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("| C"))
        .map(|(i, l)| {
            let cells: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            assert_eq!(cells.len(), 4, "line {}: expected 4 cells: {l}", i + 1);
            let class = cells[0]
                .strip_prefix('C')
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("line {}: bad class {:?}", i + 1, cells[0]));
            let tests = cells[2]
                .split("<br>")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect();
            Row {
                line: i + 1,
                class,
                tests,
                result: cells[3].to_string(),
            }
        })
        .collect()
}

/// Where a test may live: the program-test suite, a crate's integration tests, or a
/// crate's / the program's sources (unit tests).
fn allowed_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let rust = path.ends_with(".rs") && !path.contains("..");
    rust && matches!(
        parts.as_slice(),
        ["tests", "tests", ..] | ["crates", _, "tests" | "src", ..] | ["programs", _, "src", ..]
    )
}

/// Why `name` in `source` is not a runnable test, or `None` when it is: it must be a
/// function preceded by `#[test]` or `#[tokio::test]` (among its attributes and doc
/// comments), and none of those attributes may be `#[ignore]`.
fn test_problem(source: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let signature = |l: &str| {
        let l = l.trim_start();
        let l = l.strip_prefix("async ").unwrap_or(l);
        l.strip_prefix("fn ")
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.starts_with('('))
    };
    let Some(at) = lines.iter().position(|l| signature(l)) else {
        return Some(format!("no `fn {name}(`"));
    };
    let mut is_test = false;
    for l in lines[..at].iter().rev().map(|l| l.trim()) {
        if l.starts_with("///") || l.is_empty() {
            continue;
        }
        if !l.starts_with("#[") {
            break;
        }
        if l.starts_with("#[ignore") {
            return Some(format!("`{name}` is #[ignore]d"));
        }
        if l == "#[test]" || l.starts_with("#[tokio::test") {
            is_test = true;
        }
    }
    (!is_test).then(|| format!("`{name}` is not a #[test] / #[tokio::test] function"))
}

#[test]
fn every_class_has_a_row_and_every_row_names_a_real_test() {
    let root = root();
    let doc = std::fs::read_to_string(root.join("docs/security.md")).expect("docs/security.md");
    let rows = rows(&doc);
    let mut problems = Vec::new();

    let classes: BTreeSet<u32> = rows.iter().map(|r| r.class).collect();
    for class in 1..=CLASSES {
        if !classes.contains(&class) {
            problems.push(format!("class C{class} has no row"));
        }
    }
    for row in &rows {
        let at = format!("docs/security.md:{} (C{})", row.line, row.class);
        if !(1..=CLASSES).contains(&row.class) {
            problems.push(format!("{at}: no such class"));
        }
        let result = row.result.as_str();
        let reason = |prefix: &str| {
            result
                .strip_prefix(prefix)
                .map(|r| r.trim().len() >= 10)
                .unwrap_or(false)
        };
        let applicable = match result {
            "closed" => true,
            _ if reason("n/a:") => false,
            _ if reason("FINDING:") => true,
            _ => {
                problems.push(format!(
                    "{at}: result must be `closed`, `n/a: <reason>` or `FINDING: <what>`, got {result:?}"
                ));
                true
            }
        };
        if applicable && row.tests.is_empty() {
            problems.push(format!("{at}: names no test"));
        }
        for reference in &row.tests {
            let Some((path, name)) = reference.split_once("::") else {
                problems.push(format!("{at}: {reference:?} is not `path::test_name`"));
                continue;
            };
            if !allowed_path(path) {
                problems.push(format!("{at}: {path} is not a test location"));
                continue;
            }
            match std::fs::read_to_string(root.join(path)) {
                Err(e) => problems.push(format!("{at}: {path}: {e}")),
                Ok(source) => {
                    if let Some(problem) = test_problem(&source, name) {
                        problems.push(format!("{at}: {path}: {problem}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checker itself: it accepts a real test and refuses the ways a row can go wrong.
#[test]
fn the_table_checker_refuses_missing_ignored_and_non_test_functions() {
    let source = "\
/// doc
#[tokio::test]
async fn real() {}

#[test]
#[ignore]
fn skipped() {}

fn helper() {}

#[test]
fn real_prefix_longer() {}
";
    assert_eq!(test_problem(source, "real"), None);
    assert!(test_problem(source, "skipped").is_some());
    assert!(test_problem(source, "helper").is_some());
    assert!(test_problem(source, "absent").is_some());
    assert!(test_problem(source, "real_prefix").is_some());
    assert!(allowed_path("tests/tests/security.rs"));
    assert!(allowed_path("crates/asymptote-math/src/wide.rs"));
    assert!(!allowed_path("docs/security.md"));
    assert!(!allowed_path("tests/tests/../../etc/x.rs"));

    let doc = "| class | name | tests | result |\n\
               | C1 | A | tests/tests/a.rs::x<br>tests/tests/b.rs::y | closed |\n\
               | C2 | B |  | n/a: the program has no such thing |\n";
    let parsed = rows(doc);
    assert_eq!(parsed.len(), 2);
    assert_eq!(parsed[0].class, 1);
    assert_eq!(parsed[0].tests.len(), 2);
    assert!(parsed[1].tests.is_empty());
    assert!(parsed[1].result.starts_with("n/a:"));
}
