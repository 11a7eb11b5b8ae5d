//! `shumari`: the command-line face of Shumari — the surveyor's encrypted store, the registry server and
//! its administration.
//!
//! Every subcommand takes `--data-dir DIR` (or `SHUMARI_DATA_DIR`) and `--json`; the PIN comes from
//! `SHUMARI_PIN` or a prompt. Exit status: 0 success, 2 bad input (the message says what was wrong),
//! 1 anything else.

mod areas_cmd;
mod assign_cmd;
mod audit_cmd;
mod backup_cmd;
mod bundle_cmd;
mod cli;
mod client_cmd;
mod console_user_cmd;
mod device_cmd;
mod duplicates_cmd;
mod exit;
mod export_cmd;
mod flags_cmd;
mod form_cmd;
mod grievance_cmd;
mod household_cmd;
mod hub_cmd;
mod identity_cmd;
mod output;
mod payments_cmd;
mod pin;
mod pmt_cmd;
mod programme_cmd;
mod progress;
mod registry_cmd;
mod registry_form_cmd;
mod review_cmd;
mod serve_cmd;
mod sync_cmd;
mod target_cmd;

use clap::Parser;
use cli::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Init => household_cmd::init(&cli),
        Command::Areas(args) => areas_cmd::run(&cli, args),
        Command::Household(cmd) => household_cmd::run(&cli, cmd),
        Command::Enroll(args) => sync_cmd::enroll(&cli, args),
        Command::Sync(args) => sync_cmd::run(&cli, args),
        Command::Registry(cmd) => registry_cmd::run(&cli, cmd),
        Command::Bundle(cmd) => bundle_cmd::run(&cli, cmd),
        Command::Hub(cmd) => hub_cmd::run(cmd, cli.json),
        Command::Form(cli::FormCmd::Check { file }) => form_cmd::check(file, cli.json),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            let code = exit::code_for(&err);
            if cli.json {
                let body = serde_json::json!({"code": exit::kind_for(&err), "message": format!("{err:#}")});
                eprintln!("{body}");
            } else {
                eprintln!("error: {err:#}");
            }
            std::process::exit(code);
        }
    }
}
