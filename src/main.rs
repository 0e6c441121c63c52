//! The `khabar` binary: everything lives in the library; this only hands over the exit code.

/// mimalloc instead of glibc's malloc: analysing an article allocates and frees many small
/// vectors, and glibc's allocator (its free lists, its per-thread arenas grown with `mprotect`,
/// and pages returned to the system and faulted back in) took about 7% of a check of the corpus
/// day on one thread; mimalloc cut the whole check's CPU time by as much. Its v2 line: the same
/// speed here as v3 with half the resident memory (46 MB against 77 MB; glibc 23 MB).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    khabar::cli::main()
}
