//! The intrinsics' symbols (SBF only).

use solana_define_syscall::definitions::{sol_memcmp_, sol_memcpy_, sol_memmove_, sol_memset_};

use crate::{memcmp_inline, INLINE_CMP_MAX};

/// # Safety
/// The C contract: `n` bytes readable at `src`, writable at `dst`, not overlapping.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // The syscall refuses overlapping ranges, and LLVM may copy a value onto itself.
    if n != 0 && !core::ptr::eq(dst, src) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { sol_memcpy_(dst, src, n as u64) };
    }
    dst
}

/// # Safety
/// The C contract: `n` bytes readable at `src` and writable at `dst` (they may overlap).
#[no_mangle]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if n != 0 {
        // SAFETY: the caller's contract, forwarded.
        unsafe { sol_memmove_(dst, src, n as u64) };
    }
    dst
}

/// # Safety
/// The C contract: `n` bytes writable at `s`.
#[no_mangle]
pub unsafe extern "C" fn memset(s: *mut u8, c: i32, n: usize) -> *mut u8 {
    if n != 0 {
        // SAFETY: the caller's contract, forwarded; C passes the byte as an int.
        unsafe { sol_memset_(s, c as u8, n as u64) };
    }
    s
}

/// # Safety
/// The C contract: `n` bytes readable at `a` and at `b`.
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    if n <= INLINE_CMP_MAX {
        // SAFETY: the caller's contract, forwarded.
        return unsafe { memcmp_inline(a, b, n) };
    }
    let mut result = 0i32;
    if n != 0 {
        // SAFETY: the caller's contract, forwarded; `result` is a local.
        unsafe { sol_memcmp_(a, b, n as u64, &mut result) };
    }
    result
}

/// # Safety
/// As `memcmp`; only zero / non-zero matters.
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the same contract.
    unsafe { memcmp(a, b, n) }
}
