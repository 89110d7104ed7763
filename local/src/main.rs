//! `ferrokey`: serve the whole API on one machine, manage apps, admins and the DynamoDB table.

mod console;
mod jobs;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ferrokey_core::{DomainError, Service, StoreError};
use ferrokey_http::{AppState, router};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StoreKind {
    /// A SQLite file in --data-dir.
    Sqlite,
    /// A DynamoDB table (AWS_REGION, AWS_ENDPOINT_URL, credentials and FERROKEY_PEPPER from the
    /// environment).
    Dynamodb,
}

/// Where the data lives.
#[derive(Args)]
struct StoreArgs {
    #[arg(long, value_enum, default_value = "sqlite", env = "FERROKEY_STORE")]
    store: StoreKind,
    /// Directory holding ferrokey.db and the pepper file (sqlite store).
    #[arg(long, default_value = "./data", env = "FERROKEY_DATA_DIR")]
    data_dir: PathBuf,
    /// DynamoDB table (dynamodb store).
    #[arg(long, env = "FERROKEY_TABLE")]
    table: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API over HTTP.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787", env = "FERROKEY_ADDR")]
        addr: String,
        /// The built admin console served under /console/.
        #[arg(long, default_value = console::DEFAULT_DIR, env = "FERROKEY_CONSOLE_DIR")]
        console_dir: PathBuf,
        /// Who the first-admin invitation printed on an empty data dir is for.
        #[arg(long, default_value = "admin@localhost", env = "FERROKEY_ADMIN_EMAIL")]
        admin_email: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Manage apps.
    App {
        #[command(subcommand)]
        command: AppCommand,
    },
    /// Manage the DynamoDB table.
    Table {
        #[command(subcommand)]
        command: TableCommand,
    },
    /// Manage console admins.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Roll events up into daily and monthly rollups once (`serve` does it every 5 minutes);
    /// prints {"apps","days","months"}.
    Aggregate {
        /// Only this day (YYYY-MM-DD); default: today, yesterday and days without a rollup.
        #[arg(long)]
        day: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Write a month's bill (billing/<month>.csv and .json); prints it.
    Billing {
        /// YYYY-MM; a month not yet over gives a provisional bill.
        #[arg(long)]
        month: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Invite an admin; prints {"email","org","inviteUrl","expiresAt"} (the link is also
    /// mailed). The organization is created when its first admin accepts.
    Invite {
        email: String,
        /// The organization (default: "default").
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum AppCommand {
    /// Create an app; prints {"appId","apiKey","apiSecret"} (the keys are shown only once).
    Create {
        app_id: String,
        /// An admin's email address (repeatable): magic links may go to it from the start,
        /// while other addresses wait until the app is 24 hours old.
        #[arg(long = "admin-email")]
        admin_emails: Vec<String>,
        /// The organization whose admins see the app in the console.
        #[arg(long, default_value = "default")]
        org: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum TableCommand {
    /// Create the table (keys, GSI, TTL; on-demand billing).
    Create {
        #[arg(long, env = "FERROKEY_TABLE")]
        table: String,
    },
}

async fn open(args: &StoreArgs) -> Result<Service, String> {
    match args.store {
        StoreKind::Sqlite => ferrokey_embedded::open_service(&args.data_dir, None)
            .map(|(service, _)| service)
            .map_err(|e| e.to_string()),
        StoreKind::Dynamodb => {
            let service = ferrokey_aws::service_from_env(args.table.clone())
                .await
                .map_err(|e| e.to_string())?;
            // Without a bucket, rollups and bills go to the data dir, as on SQLite.
            if std::env::var(ferrokey_aws::BUCKET_ENV).is_ok_and(|b| !b.trim().is_empty()) {
                Ok(service)
            } else {
                let folder = ferrokey_embedded::FolderSink::new(args.data_dir.join("objects"));
                Ok(service.with_objects(std::sync::Arc::new(folder)))
            }
        }
    }
}

/// The public URL `ferrokey serve` on `local` is reached at: `http://localhost:<port>`. A
/// hostname, never `127.0.0.1`: an IP address cannot be a WebAuthn RP ID.
fn local_url(local: std::net::SocketAddr) -> String {
    format!("http://localhost:{}", local.port())
}

/// On a store without admins, prints (to stderr and the log) an invitation for the first one,
/// so a new user needs nothing but the run command.
async fn first_run(service: &Service, email: &str) -> Result<(), String> {
    use ferrokey_core::ops::admin::{console, org};
    console::ensure(service).await.map_err(|e| e.to_string())?;
    if service.store.has_admins().await.map_err(|e| e.to_string())? {
        return Ok(());
    }
    let invite = org::invite(service, None, Some(email), "ferrokey serve")
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(invite_url = %invite.invite_url, "no admin yet: open the invitation link");
    // Not eprintln!: it panics when stderr is a closed pipe, and a server must not die of
    // its log reader going away.
    let _ = writeln!(
        std::io::stderr(),
        "\n  No admin yet. Open this link to register the first admin's passkey ({}):\n\n    {}\n\n  It expires {}.\n",
        invite.email,
        invite.invite_url,
        invite.expires_at.format("%Y-%m-%d %H:%M UTC"),
    );
    Ok(())
}

async fn serve(
    addr: &str,
    admin_email: &str,
    console_dir: &Path,
    args: &StoreArgs,
) -> Result<(), String> {
    let mut service = open(args).await?;
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("bind {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    if std::env::var(ferrokey_core::service::PUBLIC_URL_ENV).is_err() {
        service.admin.public_url = local_url(local);
    }
    first_run(&service, admin_email).await?;
    jobs::spawn(&service, args.store == StoreKind::Sqlite);
    tracing::info!(%local, "ferrokey listening");
    if console::is_built(console_dir) {
        tracing::info!(console = %format!("{}/console/", service.admin.public_url), "admin console");
    } else {
        tracing::warn!(dir = %console_dir.display(), "{}", console::NOT_BUILT);
    }
    let app = console::mount(router(AppState::new(service)), console_dir);
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await.map_err(|e| e.to_string())
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

async fn create_app(
    app_id: &str,
    admins: Vec<String>,
    org: &str,
    args: &StoreArgs,
) -> Result<(), String> {
    let service = open(args).await?;
    let created = service.create_app_for(app_id, admins, org).await.map_err(|e| match e {
        DomainError::Validation(errors) => {
            errors.values().flatten().cloned().collect::<Vec<_>>().join(" ")
        }
        DomainError::AppExists { app_id } => format!("app '{app_id}' already exists"),
        other => other.to_string(),
    })?;
    let json = serde_json::to_string(&created).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

async fn invite_admin(email: &str, org: Option<&str>, args: &StoreArgs) -> Result<(), String> {
    let service = open(args).await?;
    let invite =
        ferrokey_core::ops::admin::org::invite(&service, org, Some(email), "ferrokey admin invite")
            .await
            .map_err(|e| match e {
                DomainError::Validation(errors) => {
                    errors.values().flatten().cloned().collect::<Vec<_>>().join(" ")
                }
                other => other.to_string(),
            })?;
    println!("{}", serde_json::to_string(&invite).map_err(|e| e.to_string())?);
    Ok(())
}

async fn create_table(table: &str) -> Result<(), String> {
    let client = aws_sdk_dynamodb::Client::new(&ferrokey_aws::load_config().await);
    match ferrokey_aws::create_table(&client, table).await {
        Ok(()) => {
            println!("created table {table}");
            Ok(())
        }
        Err(StoreError::Conflict(m)) => Err(m),
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // JSON lines (one object per event, request id in the span) for log shippers; text otherwise.
    if std::env::var("FERROKEY_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().init();
    } else {
        logs.init();
    }
    let result = match Cli::parse().command {
        Command::Serve { addr, admin_email, console_dir, store } => {
            serve(&addr, &admin_email, &console_dir, &store).await
        }
        Command::Admin { command: AdminCommand::Invite { email, org, store } } => {
            invite_admin(&email, org.as_deref(), &store).await
        }
        Command::App { command: AppCommand::Create { app_id, admin_emails, org, store } } => {
            create_app(&app_id, admin_emails, &org, &store).await
        }
        Command::Table { command: TableCommand::Create { table } } => create_table(&table).await,
        Command::Aggregate { day, store } => match open(&store).await {
            Ok(service) => jobs::aggregate(&service, day.as_deref()).await.map(|s| println!("{s}")),
            Err(e) => Err(e),
        },
        Command::Billing { month, store } => match open(&store).await {
            Ok(service) => jobs::billing(&service, &month).await.map(|s| println!("{s}")),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
