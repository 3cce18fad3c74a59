//! Command-line flags and environment variables of the `twincity` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use app::auth::address::Cidr;
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

    /// Directory for uploaded images (default: `media` beside the database file).
    #[arg(long, env = "TWINCITY_MEDIA", global = true)]
    pub media: Option<PathBuf>,

    /// Public URL visitors reach the portal at, for canonical links (default: http://ADDR).
    /// With an https URL, the session cookie is marked `Secure`.
    #[arg(long, env = "TWINCITY_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// A reverse proxy (address or CIDR network, repeatable or comma-separated) whose
    /// `X-Forwarded-For` names the client for login throttling; requests from anywhere else are
    /// throttled by their own address. Without it, behind a proxy every visitor is the proxy.
    #[arg(
        long,
        env = "TWINCITY_TRUSTED_PROXY",
        value_name = "CIDR",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxy: Vec<Cidr>,

    /// Megabytes of rendered pages kept in memory for anonymous visitors; 0 renders every
    /// request (to measure rendering, or when a caching proxy in front does the keeping).
    #[arg(
        long,
        env = "TWINCITY_PAGE_CACHE_MB",
        value_name = "MB",
        default_value_t = 8,
        global = true
    )]
    pub page_cache_mb: usize,

    /// For tests on one machine only: let federation fetch from and deliver to http and
    /// loopback addresses, which it otherwise refuses (they would let anyone on the fediverse
    /// make the portal reach its own network).
    #[arg(long, env = "TWINCITY_FEDERATION_ALLOW_LOOPBACK", global = true)]
    pub federation_allow_loopback: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The directory for uploaded images.
    pub fn media_dir(&self) -> PathBuf {
        self.media.clone().unwrap_or_else(|| {
            self.db
                .parent()
                .unwrap_or_else(|| std::path::Path::new("."))
                .join("media")
        })
    }

    /// The directory for scanned agreements: beside the media directory.
    pub fn documents_dir(&self) -> PathBuf {
        self.media_dir().with_file_name("documents")
    }

    /// The public URL without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
            .trim_end_matches('/')
            .to_owned()
    }
}

#[derive(Clone, Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Add synthetic published items for tests and benchmarks (their texts say they are generated).
    Generate {
        /// How many items to add.
        count: u32,
    },
    /// Manage editors' accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Copy the database to a new file, safely, while the portal keeps serving.
    Backup {
        /// The file to create (it must not exist).
        file: PathBuf,
    },
    /// Write all content, and the accounts without their passwords, to a JSON file.
    Export {
        /// The file to create (it must not exist).
        file: PathBuf,
    },
    /// Load a JSON export into a new, empty database (imported accounts need a new password).
    Import {
        /// The export file.
        file: PathBuf,
    },
    /// Replace the database with a backup; refuses while a server is using the database.
    Restore {
        /// The backup file.
        file: PathBuf,
    },
}

/// Account management; passwords are read from the terminal (or one line of standard input),
/// never from the command line, where other users could see them.
#[derive(Clone, Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account.
    Add {
        /// Login name.
        username: String,
        /// `editor` keeps news and events current; `admin` also edits cities and reads the audit log.
        #[arg(long, default_value = "editor", value_parser = ["editor", "admin"])]
        role: String,
        /// Name shown on the site (default: the login name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a new password (ends the account's sessions).
    Passwd {
        /// Login name.
        username: String,
    },
    /// List the accounts.
    List,
    /// Disable an account (ends its sessions); its history stays.
    Disable {
        /// Login name.
        username: String,
    },
    /// Enable a disabled account again.
    Enable {
        /// Login name.
        username: String,
    },
}
