//! The allocator, chosen per command: mimalloc for the batch commands, the system's for the
//! language server.
//!
//! `khabar check` and `khabar mentions` allocate and free many small vectors per article on
//! every thread; glibc's malloc (its free lists, its per-thread arenas grown with `mprotect`,
//! pages returned to the system and faulted back in) cost about 9% of a check of the corpus
//! day, and a SARIF report a quarter of its time, which mimalloc saves. In the server, which
//! keeps a corpus index for hours, mimalloc bought nothing measurable (cold index, hover and
//! edit latencies alike) and cost memory and tail latency: peak RSS on 30,000 articles 128–135 MB
//! against 64 MB, references p99 7.2 ms against 3.3 ms (`cargo bench --bench lsp_latency`).
//!
//! The choice is made once, at the first allocation (before `main`, on the only thread), from
//! the command line read straight from `/proc/self/cmdline` without allocating; every later
//! allocation and free goes to the same allocator, so a pointer is always freed by the one that
//! made it. Where the command line cannot be read that way (other systems, no `/proc`), the
//! batch allocator is used for every command.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering};

use mimalloc::MiMalloc;

/// The process's allocator, see the module's documentation.
pub struct PerCommand;

const UNDECIDED: u8 = 0;
const SYSTEM: u8 = 1;
const MIMALLOC: u8 = 2;

static CHOICE: AtomicU8 = AtomicU8::new(UNDECIDED);

/// Whether this process allocates with mimalloc. Deciding twice (two threads racing on the
/// first allocation, which cannot happen before `main`) gives the same answer both times.
#[inline(always)]
fn batch() -> bool {
    match CHOICE.load(Ordering::Relaxed) {
        MIMALLOC => true,
        SYSTEM => false,
        _ => decide(),
    }
}

#[cold]
fn decide() -> bool {
    let mut buf = [0u8; 1024];
    let choice = match command_line(&mut buf) {
        Some(line) if is_server(line) => SYSTEM,
        _ => MIMALLOC,
    };
    CHOICE.store(choice, Ordering::Relaxed);
    choice == MIMALLOC
}

/// Whether the NUL-separated command line `line` runs the language server: its first
/// argument after the program is `lsp`.
fn is_server(line: &[u8]) -> bool {
    line.split(|&b| b == 0).nth(1) == Some(b"lsp")
}

/// The start of the process's command line (NUL-separated), read into `buf` with plain system
/// calls: std's file API may allocate, and this runs inside the allocator.
#[cfg(target_os = "linux")]
fn command_line(buf: &mut [u8]) -> Option<&[u8]> {
    const PATH: &[u8] = b"/proc/self/cmdline\0";
    // SAFETY: `PATH` is a NUL-terminated string; `read` writes at most `buf.len()` bytes into
    // `buf`, which is valid for writes of that many; the descriptor is closed once, by us.
    let n = unsafe {
        let fd = libc::open(PATH.as_ptr().cast(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return None;
        }
        let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
        libc::close(fd);
        n
    };
    buf.get(..usize::try_from(n).ok()?)
}

#[cfg(not(target_os = "linux"))]
fn command_line(_: &mut [u8]) -> Option<&[u8]> {
    None
}

// SAFETY: every call goes to one of two allocators that uphold `GlobalAlloc`'s contract, and
// always to the same one in a process (`CHOICE` is set once, before the first allocation
// returns, and never changes), so memory is freed and resized by the allocator that made it.
unsafe impl GlobalAlloc for PerCommand {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees are passed on unchanged.
        unsafe {
            if batch() {
                MiMalloc.alloc(layout)
            } else {
                System.alloc(layout)
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe {
            if batch() {
                MiMalloc.alloc_zeroed(layout)
            } else {
                System.alloc_zeroed(layout)
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from the one `batch` names.
        unsafe {
            if batch() {
                MiMalloc.dealloc(ptr, layout)
            } else {
                System.dealloc(ptr, layout)
            }
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`.
        unsafe {
            if batch() {
                MiMalloc.realloc(ptr, layout, new_size)
            } else {
                System.realloc(ptr, layout, new_size)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_server_command_is_the_server() {
        assert!(super::is_server(b"khabar\0lsp\0"));
        assert!(super::is_server(b"/usr/bin/khabar\0lsp\0--stdio\0"));
        assert!(!super::is_server(b"khabar\0check\0lsp\0"));
        assert!(!super::is_server(b"khabar\0lsp-x\0"));
        assert!(!super::is_server(b"khabar\0"));
        assert!(!super::is_server(b""));
    }

    /// What is read is what the process was started with.
    #[cfg(target_os = "linux")]
    #[test]
    fn reads_the_command_line_without_allocating_through_std() {
        let mut buf = [0u8; 256];
        let line = super::command_line(&mut buf).expect("/proc/self/cmdline");
        let program = std::env::args_os().next().expect("argv[0]");
        let first = line.split(|&b| b == 0).next().expect("a first argument");
        assert_eq!(first, program.as_encoded_bytes());
    }
}
