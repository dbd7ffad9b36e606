//! Prints manifest fingerprint lines (`name = "hex"`) for functions of a kernel file:
//! `cargo run -p swapdiff-extract --example hashes -- TREE/mm/swapfile.c [NAME...]`
//! (no names: every function definition of the file).

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: hashes FILE.c [FUNCTION...]");
        return ExitCode::FAILURE;
    };
    let names: Vec<String> = args.collect();
    let src = match std::fs::read(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let file = match swapdiff_extract::scan::scan(&src) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}:{}: {}", e.line, e.message);
            return ExitCode::FAILURE;
        }
    };
    let all = swapdiff_extract::fnhash::function_hashes(&src, &file);
    let wanted: Vec<&String> = if names.is_empty() { all.keys().collect() } else { names.iter().collect() };
    let mut status = ExitCode::SUCCESS;
    for name in wanted {
        match all.get(name) {
            Some(h) => println!("{name} = \"{h}\""),
            None => {
                eprintln!("{path}: no definition of {name}");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
