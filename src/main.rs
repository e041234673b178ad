fn main() {
    std::process::exit(shipshape::cli::main());
}
