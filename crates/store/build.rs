//! Rebuilds the crate when a migration file is added: `refinery::embed_migrations!` embeds the files
//! it finds at compile time, and cargo only watches files it was told about.

fn main() {
    println!("cargo:rerun-if-changed=../../migrations/store");
}
