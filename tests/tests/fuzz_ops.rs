//! Randomized operation fuzzer: random actors doing random opens, closes, swaps, LP moves,
//! cranks, fee collections, price moves (stale, low-confidence, out-of-order, zero,
//! diverged), slot warps and pauses against several pool configurations. After every step
//! the invariants of SPEC section 9 are checked; at the end every holder must be able to
//! exit, in a random order.
//!
//! `ASYMPTOTE_FUZZ_OPS` sets the total number of operations (default 10,000, split over
//! the configurations); `ASYMPTOTE_FUZZ_SEED` the seed (printed on every run; the same
//! seed replays the same operations and numbers); `ASYMPTOTE_FUZZ_POOL=i` runs only the
//! i-th configuration (with the same per-pool seed as in a full run).

mod fuzz;

use fuzz::{configurations, World};

const DEFAULT_OPS: usize = 10_000;
const DEFAULT_SEED: u64 = 0x5eed_a5e7_0de5_0001;

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => {
            let v = v.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={v} is not a number"))
        }
        Err(_) => default,
    }
}

#[tokio::test]
async fn random_operations_keep_every_invariant_and_everyone_can_exit() {
    let total = env_number("ASYMPTOTE_FUZZ_OPS", DEFAULT_OPS as u64) as usize;
    let seed = env_number("ASYMPTOTE_FUZZ_SEED", DEFAULT_SEED);
    let configs = configurations();
    let per_config = total.div_ceil(configs.len());
    eprintln!(
        "fuzz: seed {seed:#x}, {per_config} operations on each of {} pools \
         (replay: ASYMPTOTE_FUZZ_SEED={seed:#x} ASYMPTOTE_FUZZ_OPS={total})",
        configs.len()
    );
    let started = std::time::Instant::now();
    let only = std::env::var("ASYMPTOTE_FUZZ_POOL").ok();
    for (index, config) in configs.into_iter().enumerate() {
        if only.as_ref().is_some_and(|i| *i != index.to_string()) {
            continue;
        }
        let config_seed = seed.wrapping_add(index as u64);
        let mut world = World::new(config, config_seed).await;
        world.run(per_config).await;
        world.everyone_exits().await;
        eprintln!("fuzz: {}", world.report());
    }
    eprintln!(
        "fuzz: {total} operations in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
