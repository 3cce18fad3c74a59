//! Command-line flags and environment variables of the `twincity` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// twincity: the web portal of a city's international partnerships.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// SQLite database file; created, migrated and seeded when missing.
    #[arg(
        long,
        env = "TWINCITY_DB",
        default_value = "data/twincity.db",
        global = true
    )]
    pub db: PathBuf,

    /// Address to listen on.
    #[arg(
        long,
        env = "TWINCITY_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,

    /// Public URL visitors reach the portal at, for canonical links (default: http://ADDR).
    #[arg(long, env = "TWINCITY_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The public URL without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
            .trim_end_matches('/')
            .to_owned()
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Add synthetic published items for tests and benchmarks (their texts say they are generated).
    Generate {
        /// How many items to add.
        count: u32,
    },
}
