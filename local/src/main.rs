//! `ferrokey`: serve the whole API on one machine, and manage apps.

use clap::{Parser, Subcommand};
use ferrokey_http::{AppState, router};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "ferrokey",
    version,
    about = "Passkey authentication service (Passwordless.dev v4 protocol)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API over HTTP on the SQLite store.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787", env = "FERROKEY_ADDR")]
        addr: String,
        /// Directory holding ferrokey.db and the pepper file.
        #[arg(long, default_value = "./data", env = "FERROKEY_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Manage apps.
    App {
        #[command(subcommand)]
        command: AppCommand,
    },
}

#[derive(Subcommand)]
enum AppCommand {
    /// Create an app; prints {"appId","apiKey","apiSecret"} (the keys are shown only once).
    Create {
        app_id: String,
        #[arg(long, default_value = "./data", env = "FERROKEY_DATA_DIR")]
        data_dir: PathBuf,
    },
}

/// How long expired tokens are kept so a late caller still hears "expired", not "invalid".
const EXPIRED_TOKEN_GRACE: chrono::Duration = chrono::Duration::days(1);

async fn serve(addr: &str, data_dir: &std::path::Path) -> Result<(), String> {
    let (service, _) =
        ferrokey_embedded::open_service(data_dir, None).map_err(|e| e.to_string())?;
    let purge_service = service.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let before = purge_service.clock.now() - EXPIRED_TOKEN_GRACE;
            match purge_service.store.purge_tokens(before).await {
                Ok(n) => tracing::debug!(purged = n, "expired tokens purged"),
                Err(e) => tracing::warn!(error = %e, "token purge failed"),
            }
        }
    });
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("bind {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%local, data_dir = %data_dir.display(), "ferrokey listening");
    axum::serve(listener, router(AppState::new(service)))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn create_app(app_id: &str, data_dir: &std::path::Path) -> Result<(), String> {
    let (service, _) =
        ferrokey_embedded::open_service(data_dir, None).map_err(|e| e.to_string())?;
    let created = service.create_app(app_id).await.map_err(|e| match e {
        ferrokey_core::DomainError::Validation(errors) => {
            errors.values().flatten().cloned().collect::<Vec<_>>().join(" ")
        }
        ferrokey_core::DomainError::AppExists { app_id } => {
            format!("app '{app_id}' already exists")
        }
        other => other.to_string(),
    })?;
    let json = serde_json::to_string(&created).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { addr, data_dir } => serve(&addr, &data_dir).await,
        Command::App { command: AppCommand::Create { app_id, data_dir } } => {
            create_app(&app_id, &data_dir).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
