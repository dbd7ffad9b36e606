//! Lists the top-level items the scanner finds in a C file: `cargo run --example scan_items -- FILE`.
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: scan_items FILE.c");
        return ExitCode::FAILURE;
    };
    let src = match std::fs::read(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match swapdiff_extract::scan::scan(&src) {
        Ok(f) => {
            for it in &f.items {
                println!("{:>5}-{:<5} {:?} {:?}", it.line, it.end_line, it.kind, it.names);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}:{}: {}", e.line, e.message);
            ExitCode::FAILURE
        }
    }
}
