//! The `twincity` binary: serves the portal, or runs a maintenance command.

use axum::serve::ListenerExt;
use std::path::Path;

use app::state::{AppState, SiteConfig};
use app::store::{backup, export, seed, Store};
use clap::Parser;
use leptos::config::get_configuration;
use server::config::{Cli, Command};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Said in words, not as a debug dump: people read this.
            eprintln!("twincity: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let command = cli.command.clone().unwrap_or(Command::Serve);
    // A restore or an import must not seed the database it is about to fill.
    match &command {
        Command::Restore { file } => {
            backup::restore(file, &cli.db)?;
            tracing::info!(from = %file.display(), db = %cli.db.display(), "restored the database");
            return Ok(());
        }
        Command::Import { file } => return import(file, &cli.db),
        _ => {}
    }
    let store = open_store(&cli.db)?;
    match command {
        Command::Generate { count } => {
            let added = store.call_blocking(move |c| seed::generate(c, count))?;
            tracing::info!(added, db = %cli.db.display(), "generated synthetic items");
            Ok(())
        }
        Command::User(command) => server::users::run(&store, command),
        Command::Backup { file } => {
            store.call_blocking(|c| backup::backup(c, &file))?;
            tracing::info!(to = %file.display(), "backed up the database");
            Ok(())
        }
        Command::Export { file } => {
            let json = store.call_blocking(|c| export::export(c))?;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&file)
                .and_then(|mut f| std::io::Write::write_all(&mut f, json.as_bytes()))
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            tracing::info!(to = %file.display(), "exported the content");
            Ok(())
        }
        // A restore and an import have returned above.
        Command::Serve | Command::Restore { .. } | Command::Import { .. } => serve(store, &cli),
    }
}

/// Loads the export `file` into the empty database at `db`, with no server on it.
fn import(file: &Path, db: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let _lock = backup::DbLock::acquire(db)?;
    let json = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let store = Store::open(db)?;
    store.call_blocking(|c| export::import(c, &json))?;
    for (table, rows) in store.call_blocking(|c| export::counts(c))? {
        tracing::info!(table, rows, "imported");
    }
    Ok(())
}

/// Opens, migrates and (when empty) seeds the database.
fn open_store(db: &Path) -> Result<Store, Box<dyn std::error::Error>> {
    let store = Store::open(db)?;
    if store.call_blocking(seed::seed_if_empty)? {
        tracing::info!(db = %db.display(), "seeded the database");
    }
    Ok(store)
}

#[tokio::main]
async fn serve(store: Store, cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    // One server per database, and no restore underneath it.
    let lock = backup::DbLock::acquire(&cli.db)?;
    let mut leptos_options = get_configuration(None)?.leptos_options;
    leptos_options.site_addr = cli.addr;
    // A binary built by plain cargo (as `cargo test` does) lacks cargo-leptos's compile-time name.
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "twincity".into();
    }
    // cargo-leptos writes hash.txt beside the binary when it hashes asset names; honour it
    // even when the binary is started without cargo-leptos's environment.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        leptos_options.hash_files = std::env::current_exe()?
            .with_file_name(leptos_options.hash_file.as_ref())
            .exists();
    }
    let state = AppState::new(
        leptos_options,
        store.clone(),
        SiteConfig {
            public_url: cli.public_url(),
            media_dir: cli.media_dir(),
            documents_dir: cli.documents_dir(),
            trusted_proxies: cli.trusted_proxy.clone(),
            page_cache_bytes: cli.page_cache_mb * 1024 * 1024,
            federation_loopback: cli.federation_allow_loopback,
        },
    );
    // Nagle's algorithm would hold a streamed page's later chunks until the client's delayed
    // ACK: pages are written in pieces, so every piece goes out at once.
    let listener = tokio::net::TcpListener::bind(cli.addr)
        .await?
        .tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "TCP_NODELAY not set");
            }
        });
    tracing::info!(addr = %cli.addr, db = %state.store.path().display(), "serving twincity");
    app::federation::start(&state);
    // Client addresses are needed to throttle failed logins per address.
    let app = server::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    // Fold the write-ahead log into the database file, so a copied file is complete.
    store.call_blocking(|c| Ok(c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?))?;
    drop(lock);
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, letting in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
