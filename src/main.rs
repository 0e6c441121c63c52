//! The `khabar` binary: everything lives in the library; this only hands over the exit code
//! and picks the allocator.

mod allocator;

#[global_allocator]
static GLOBAL: allocator::PerCommand = allocator::PerCommand;

fn main() -> std::process::ExitCode {
    khabar::cli::main()
}
