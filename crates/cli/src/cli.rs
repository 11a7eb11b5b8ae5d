//! The command-line grammar (clap derive).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Shumari: offline-first household enumeration.
#[derive(Debug, Parser)]
#[command(name = "shumari", version, about, propagate_version = true)]
pub struct Cli {
    /// Data directory of the local store (default: the platform's data directory).
    #[arg(long, global = true, env = "SHUMARI_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print one JSON document on stdout instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the encrypted local store (asks for a new PIN, or reads SHUMARI_PIN).
    Init,
    /// List administrative areas.
    Areas(AreasArgs),
    /// Add, import, list, show and edit households in the local store.
    #[command(subcommand)]
    Household(HouseholdCmd),
    /// Enroll this device with a registry using a one-time code.
    Enroll(crate::sync_cmd::EnrollArgs),
    /// Push this device's changes to the registry and pull colleagues' households.
    Sync(crate::sync_cmd::SyncArgs),
    /// Questionnaires.
    #[command(subcommand)]
    Form(FormCmd),
    /// Run and administer the central registry.
    #[command(subcommand)]
    Registry(crate::registry_cmd::RegistryCmd),
    /// Sync by USB stick: export and import encrypted, signed bundles (on a device, or with --db at
    /// the registry).
    #[command(subcommand)]
    Bundle(crate::bundle_cmd::BundleCmd),
    /// Run a district hub: a registry for the office's tablets that syncs with the registry above.
    #[command(subcommand)]
    Hub(crate::hub_cmd::HubCmd),
}

/// `shumari areas`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AreasArgs {
    /// Show the children of this area (default: the provinces).
    #[arg(long, value_name = "CODE")]
    pub parent: Option<String>,
    #[command(subcommand)]
    pub add: Option<AreasCmd>,
}

/// `shumari areas add`
#[derive(Debug, Subcommand)]
pub enum AreasCmd {
    /// Add a union council under a tehsil, or a village/block under a union council, to the local store.
    Add {
        /// New code: the parent's code, a dash and a suffix, e.g. PK60301-UC012.
        code: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// The enclosing tehsil or union council.
        #[arg(long, value_name = "CODE")]
        parent: String,
    },
}

/// `shumari household ...`
#[derive(Debug, Subcommand)]
pub enum HouseholdCmd {
    /// Add one household from a JSON file (`-` for standard input).
    Add {
        /// Area code (overrides the file's `area`).
        #[arg(long, value_name = "CODE")]
        area: Option<String>,
        /// JSON file, or `-`.
        #[arg(long, short = 'f', value_name = "FILE")]
        file: String,
    },
    /// Import households from JSON Lines (one household per line).
    Import {
        /// JSON Lines file, or `-`.
        #[arg(long, short = 'f', value_name = "FILE")]
        file: String,
    },
    /// List households, newest change first.
    List {
        /// Only this area and the areas under it.
        #[arg(long, value_name = "CODE")]
        area: Option<String>,
        /// Name (English or Urdu), CNIC prefix or reference number.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Only this status (draft, complete, submitted, approved, returned, rejected).
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// Rows per page.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Rows to skip.
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Only households that left this device's area with changes the registry has not received.
        #[arg(long)]
        left_area: bool,
    },
    /// Export the households that left this device's area with unsent changes, as JSON Lines (one
    /// household a line, as `show --json` prints it), for the supervisor.
    ExportLeftArea {
        /// File to write (readable by its owner only); standard output when absent or `-`.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<String>,
    },
    /// Export every household holding changes the registry has not received, as JSON Lines: the
    /// work of a tablet that can no longer sync (revoked, expired, out of reach), for the supervisor.
    ExportUnsent {
        /// File to write (readable by its owner only); standard output when absent or `-`.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<String>,
    },
    /// This device's assignments (areas, households to revisit) with progress.
    Assignments,
    /// Show one household with its members and conflicts.
    Show {
        /// Household id or reference number.
        id: String,
    },
    /// Validate a household against its questionnaire: what is missing or invalid, and its PMT score.
    Validate {
        /// Household id or reference number.
        id: String,
        /// Language of the messages (en or ur).
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Set fields: `answers.rooms=3`, `members.<id>.name=Ayesha`, `status=complete`.
    Set {
        /// Household id or reference number.
        id: String,
        /// PATH=VALUE pairs; a VALUE that parses as JSON is taken as such, otherwise as text.
        #[arg(required = true, value_name = "PATH=VALUE")]
        assignments: Vec<String>,
    },
}

/// `shumari form ...`
#[derive(Debug, Subcommand)]
pub enum FormCmd {
    /// Check a questionnaire (.toml text form, or an .xlsx, .xls or .ods XLSForm): its id, version,
    /// languages and question counts, its warnings, and its errors (exit 2).
    Check {
        /// The form file.
        file: PathBuf,
    },
}
