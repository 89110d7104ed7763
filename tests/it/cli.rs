//! The `ferrokey` binary itself: `app create` prints keys, `serve` serves them, data survives a
//! restart. Needs `cargo build` to have built the binary (the test command does).

use crate::authenticator::SoftPasskey;
use crate::harness::{ORIGIN, RP_ID};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("FERROKEY_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("debug/ferrokey")
}

/// Where a CLI test keeps its data: a SQLite data dir, or a DynamoDB table on moto.
enum Store<'a> {
    Sqlite(&'a Path),
    Dynamo(&'a str),
}

impl Store<'_> {
    fn apply(&self, command: &mut Command) {
        match self {
            Store::Sqlite(dir) => {
                command.arg("--data-dir").arg(dir);
            }
            Store::Dynamo(table) => {
                command.args(["--store", "dynamodb", "--table", table]);
                // Without a bucket, rollups go to the data dir: keep it out of the checkout.
                command.arg("--data-dir").arg(std::env::temp_dir().join(format!("fk-cli-{table}")));
                aws_env(command);
            }
        }
    }
}

/// The standard AWS variables, pointed at the shared moto server.
fn aws_env(command: &mut Command) {
    command
        .env("AWS_ENDPOINT_URL", crate::moto::shared())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("FERROKEY_PEPPER", "cli test pepper");
}

fn run(args: &[&str], store: &Store<'_>) -> std::process::Output {
    let mut command = Command::new(binary());
    command.args(args);
    store.apply(&mut command);
    command.output().expect("run ferrokey (build it with `cargo build` first)")
}

fn create_app(dir: &Path, app_id: &str) -> std::process::Output {
    run(&["app", "create", app_id], &Store::Sqlite(dir))
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn serve(store: &Store<'_>) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = Command::new(binary());
    command.args(["serve", "--addr", &format!("127.0.0.1:{port}")]);
    store.apply(&mut command);
    let child =
        command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn ferrokey serve");
    // Owned by `Server` at once, so a failed start still kills and reaps the child.
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("{}/health/http", server.base)).await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("ferrokey serve did not come up");
}

async fn post(base: &str, path: &str, header: (&str, &str), body: Value) -> Value {
    let reply = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header(header.0, header.1)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200, "{path}");
    reply.json().await.unwrap()
}

#[test]
fn app_create_prints_keys_and_refuses_duplicates_and_bad_ids() {
    let dir = tempfile::tempdir().unwrap();
    let out = create_app(dir.path(), "shop");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let keys: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(keys["appId"], "shop");
    let key = keys["apiKey"].as_str().unwrap();
    let secret = keys["apiSecret"].as_str().unwrap();
    assert!(key.starts_with("shop:public:") && key.len() == "shop:public:".len() + 32);
    assert!(secret.starts_with("shop:secret:") && secret.len() == "shop:secret:".len() + 32);
    // Secrets are stored hashed: the database file never contains them. (Public keys are not
    // secret; they are kept readable so the console can list them.)
    let db = std::fs::read(dir.path().join("ferrokey.db")).unwrap();
    let wal = std::fs::read(dir.path().join("ferrokey.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
    }

    let again = create_app(dir.path(), "shop");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let bad = create_app(dir.path(), "No_Good");
    assert!(!bad.status.success());
}

#[tokio::test]
async fn serve_keeps_passkeys_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let keys: Value = serde_json::from_slice(&create_app(dir.path(), "shop").stdout).unwrap();
    ceremony_across_restart(&Store::Sqlite(dir.path()), &keys).await;
}

#[tokio::test]
async fn the_cli_runs_on_dynamodb_too() {
    let table = crate::moto::unique_table();
    let mut command = Command::new(binary());
    command.args(["table", "create", "--table", &table]);
    aws_env(&mut command);
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = command.output().unwrap();
    assert!(!again.status.success(), "creating an existing table must fail");

    let store = Store::Dynamo(&table);
    let out = run(&["app", "create", "shop"], &store);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let keys: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!run(&["app", "create", "shop"], &store).status.success());
    ceremony_across_restart(&store, &keys).await;
}

/// Registers a passkey on one server process, signs in with it on a second one.
async fn ceremony_across_restart(store: &Store<'_>, keys: &Value) {
    let key = ("ApiKey", keys["apiKey"].as_str().unwrap());
    let secret = ("ApiSecret", keys["apiSecret"].as_str().unwrap());
    let mut passkey = SoftPasskey::new();
    {
        let server = serve(store).await;
        let token = post(
            &server.base,
            "/register/token",
            secret,
            json!({"userId": "u1", "username": "u1"}),
        )
        .await;
        let begin = post(
            &server.base,
            "/register/begin",
            key,
            json!({"token": token["token"], "RPID": RP_ID, "Origin": ORIGIN}),
        )
        .await;
        let response = passkey.create(&begin["data"], ORIGIN);
        post(&server.base, "/register/complete", key, json!({"session": begin["session"], "response": response, "RPID": RP_ID, "Origin": ORIGIN})).await;
    }
    let server = serve(store).await;
    let begin = post(
        &server.base,
        "/signin/begin",
        key,
        json!({"userId": "u1", "RPID": RP_ID, "Origin": ORIGIN}),
    )
    .await;
    let response = passkey.get(&begin["data"], ORIGIN);
    let done = post(
        &server.base,
        "/signin/complete",
        key,
        json!({"session": begin["session"], "response": response, "RPID": RP_ID, "Origin": ORIGIN}),
    )
    .await;
    let verified =
        post(&server.base, "/signin/verify", secret, json!({"token": done["token"]})).await;
    assert_eq!(verified["userId"], "u1");
}

/// `serve` with its stderr read line by line; returns the server and the lines up to the
/// "listening" one (everything said at start).
async fn serve_reading_start(dir: &Path) -> (Server, Vec<String>) {
    use std::io::BufRead;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = Command::new(binary());
    command.args([
        "serve",
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--admin-email",
        "me@example.com",
    ]);
    command.env_remove("FERROKEY_PUBLIC_URL").env("NO_COLOR", "1");
    Store::Sqlite(dir).apply(&mut command);
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    // The reader keeps draining stderr after the start, so the server never blocks on a full
    // pipe; the start's lines come back through the channel.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut tx = Some(tx);
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(sender) = &tx {
                let done = line.contains("ferrokey listening");
                seen.push(line);
                if done {
                    let _ = sender.send(std::mem::take(&mut seen));
                    tx = None;
                }
            }
        }
        if let Some(sender) = tx {
            let _ = sender.send(seen);
        }
    });
    let lines = tokio::task::spawn_blocking(move || rx.recv().unwrap_or_default()).await.unwrap();
    (server, lines)
}

#[tokio::test]
async fn first_run_prints_an_invitation_that_signs_the_first_admin_up() {
    use crate::admin_client::CONSOLE_RP;
    let dir = tempfile::tempdir().unwrap();
    let (server, lines) = serve_reading_start(dir.path()).await;
    let link = lines
        .iter()
        .find_map(|l| {
            l.split_whitespace().find(|w| {
                w.starts_with("http://localhost:") && w.contains("/console/#/invite/invite_")
            })
        })
        .unwrap_or_else(|| panic!("no invitation link in {lines:#?}"))
        .to_string();
    let port = server.base.rsplit(':').next().unwrap();
    let origin = format!("http://localhost:{port}");
    assert!(link.starts_with(&format!("{origin}/console/#/invite/")), "{link}");
    let code = link.rsplit('/').next().unwrap();

    // What the invitation page does: accept, register through the console app, exchange.
    let http = reqwest::Client::new();
    let config: Value = http
        .get(format!("{}/console/config.json", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["apiUrl"], origin.as_str());
    let key = ("ApiKey", config["apiKey"].as_str().unwrap());
    let accepted: Value = http
        .post(format!("{}/admin/invites/accept", server.base))
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let begin = post(
        &server.base,
        "/register/begin",
        key,
        json!({"token": accepted["token"], "RPID": CONSOLE_RP, "Origin": origin}),
    )
    .await;
    let mut passkey = SoftPasskey::new();
    let response = passkey.create(&begin["data"], &origin);
    let done = post(&server.base, "/register/complete", key, json!({"session": begin["session"], "response": response, "RPID": CONSOLE_RP, "Origin": origin})).await;
    let session: Value = http
        .post(format!("{}/admin/session", server.base))
        .json(&json!({"token": done["token"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["admin"]["email"], "me@example.com");
    assert_eq!(session["admin"]["org"], "default");
    let bearer = format!("Bearer {}", session["session"].as_str().unwrap());
    let created = http
        .post(format!("{}/admin/apps/shop/create", server.base))
        .header("Authorization", &bearer)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    drop(server);

    // With an admin, a restart prints no invitation; `admin invite` makes one on demand.
    let (_server, lines) = serve_reading_start(dir.path()).await;
    assert!(!lines.iter().any(|l| l.contains("/invite/")), "{lines:#?}");
    let out =
        run(&["admin", "invite", "Bob@Example.com", "--org", "acme"], &Store::Sqlite(dir.path()));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let invite: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(invite["email"], "bob@example.com");
    assert_eq!(invite["org"], "acme");
    assert!(invite["inviteUrl"].as_str().unwrap().contains("/console/#/invite/invite_"));
    assert!(invite["expiresAt"].is_string());
    let bad = run(&["admin", "invite", "not-an-address"], &Store::Sqlite(dir.path()));
    assert!(!bad.status.success());
    let again = run(&["admin", "invite", "me@example.com"], &Store::Sqlite(dir.path()));
    assert!(!again.status.success(), "an existing admin cannot be invited again");
}

/// `ferrokey aggregate` and `ferrokey billing` run the jobs once into `<data-dir>/objects/`.
#[test]
fn aggregate_and_billing_write_objects_into_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    assert!(create_app(dir.path(), "shop").status.success());
    let store = Store::Sqlite(dir.path());
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let out = run(&["aggregate", "--day", &today], &store);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary, json!({"apps": 1, "days": 1, "months": 1}));
    assert!(dir.path().join(format!("objects/rollups/shop/daily/{today}.json")).is_file());

    let month = &today[..7];
    let out = run(&["billing", "--month", month], &store);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bill: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        bill["apps"],
        json!([{"appId": "shop", "monthlyActiveUsers": 0, "usersWithPasskeys": 0}])
    );
    let csv = std::fs::read_to_string(dir.path().join(format!("objects/billing/{month}.csv")));
    assert_eq!(csv.unwrap(), "app_id,monthly_active_users,users_with_passkeys\nshop,0,0\n");

    for bad in [&["billing", "--month", "2026-13"][..], &["aggregate", "--day", "31-12-2026"]] {
        let out = run(bad, &store);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("YYYY-MM"), "{stderr}");
    }
}
