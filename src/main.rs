//! The `khabar` binary: everything lives in the library; this only hands over the exit code.

fn main() -> std::process::ExitCode {
    khabar::cli::main()
}
