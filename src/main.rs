// mimalloc: the scanner allocates many small, short-lived values on every
// thread (YAML nodes, finding strings); glibc malloc spent about a fifth of
// the scan's CPU time on them (bench/scan.sh, profiled with perf).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(shipshape::cli::main());
}
