//! `memcpy`, `memmove`, `memset`, `memcmp` and `bcmp` for the SBF build, on the runtime's
//! `sol_mem*` syscalls.
//!
//! Why: Solana's platform-tools route these intrinsics to the syscalls (10 CU plus one per
//! 250 bytes). The offline builder (`../shared/tools/sbf`) links compiler-builtins' portable
//! versions instead, whose byte-by-byte path for unaligned data measured about 3 CU a byte
//! here: boxing one 1 KiB value cost 3,100 CU. Every boxed account, every moved trade
//! outcome paid that, so the compute-unit table measured the builder, not the program.
//! compiler-builtins marks its versions weak; these take precedence at link time.
//!
//! Comparisons of up to 32 bytes (keys, discriminators) stay in the program, a word at a
//! time: the syscall costs 10 CU before its first byte, and every instruction makes dozens
//! (Anchor's dispatch and constraints, the account checks: 0.9-1.1k CU a trade measured).
//!
//! The symbols are compiled only for `target_os = "solana"`; elsewhere only the in-program
//! comparison, for its tests.
#![cfg_attr(not(test), no_std)]
#![allow(unsafe_code)]

#[cfg(target_os = "solana")]
mod symbols;

/// Longest comparison done in the program rather than by the syscall.
#[cfg_attr(not(target_os = "solana"), allow(dead_code))]
const INLINE_CMP_MAX: usize = 32;

/// `memcmp` in the program: equal 8-byte words skipped (SBF loads any alignment), then the
/// first differing byte decides, `a[i] - b[i]`, as the syscall's result does.
///
/// # Safety
/// `n` bytes readable at `a` and at `b`.
#[cfg_attr(not(target_os = "solana"), allow(dead_code))]
#[inline(always)]
unsafe fn memcmp_inline(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut offset = 0;
    while offset + 8 <= n {
        // SAFETY: `offset + 8 <= n` bytes are readable at both.
        let (x, y) = unsafe {
            (
                a.add(offset).cast::<u64>().read_unaligned(),
                b.add(offset).cast::<u64>().read_unaligned(),
            )
        };
        if x != y {
            break;
        }
        offset += 8;
    }
    while offset < n {
        // SAFETY: `offset < n`.
        let (x, y) = unsafe { (*a.add(offset), *b.add(offset)) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        offset += 1;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inline(a: &[u8], b: &[u8]) -> i32 {
        assert_eq!(a.len(), b.len());
        // SAFETY: both slices hold `a.len()` bytes.
        unsafe { memcmp_inline(a.as_ptr(), b.as_ptr(), a.len()) }
    }

    /// The syscall's answer: the first differing byte's difference, or 0.
    fn reference(a: &[u8], b: &[u8]) -> i32 {
        a.iter()
            .zip(b)
            .find(|(x, y)| x != y)
            .map_or(0, |(&x, &y)| i32::from(x) - i32::from(y))
    }

    #[test]
    fn agrees_with_the_syscall_at_every_length_offset_and_difference() {
        // Unaligned views too: start one to seven bytes into the buffers.
        let base: [u8; 48] = core::array::from_fn(|i| (i as u8).wrapping_mul(37));
        for start in 0..8 {
            for n in 0..=INLINE_CMP_MAX {
                let a = &base[start..start + n];
                assert_eq!(inline(a, a), 0, "equal, n = {n}");
                for at in 0..n {
                    for (x, y) in [(0u8, 255u8), (255, 0), (7, 8), (200, 100)] {
                        let (mut p, mut q) = (a.to_vec(), a.to_vec());
                        p[at] = x;
                        q[at] = y;
                        // A later difference must not change the answer.
                        if at + 1 < n {
                            q[n - 1] ^= 0xff;
                        }
                        assert_eq!(inline(&p, &q), reference(&p, &q), "n = {n}, at = {at}");
                        assert_eq!(inline(&p, &q).signum(), i32::from(x > y) - i32::from(x < y));
                    }
                }
            }
        }
    }
}
