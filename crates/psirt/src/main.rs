//! The `psirt` binary: see `psirt --help`.

fn main() -> std::process::ExitCode {
    psirt::cli::main()
}
