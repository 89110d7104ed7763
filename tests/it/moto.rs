//! moto, the offline AWS, as a real server on a free loopback port: one shared by all tests
//! (stopped by a watchdog when this test process exits), or a private one a test may kill.

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Intercept, Region};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn moto_binary() -> PathBuf {
    if let Ok(path) = std::env::var("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv-test/bin/moto_server");
    assert!(
        path.exists(),
        "moto_server not found at {} (./scripts/test installs it)",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_ready(endpoint: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr = endpoint.trim_start_matches("http://");
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(addr) {
            use std::io::{Read, Write};
            let _ = stream.write_all(b"GET /moto-api/ HTTP/1.0\r\n\r\n");
            let mut head = [0u8; 12];
            if stream.read_exact(&mut head).is_ok()
                && head.starts_with(b"HTTP/1.")
                && &head[9..12] == b"200"
            {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("moto did not start at {endpoint}");
}

/// A moto server that lives as long as this test process.
type Watched = (String, std::sync::Mutex<std::process::Child>);

/// The moto server shared by every test in this process.
pub fn shared() -> &'static str {
    // The watchdog shell is kept here for the life of the process; it ends on its own.
    static SERVER: OnceLock<Watched> = OnceLock::new();
    &SERVER.get_or_init(start_watched).0
}

/// A second long-lived moto for tests that send thousands of requests (the DynamoDB robustness
/// run), so their load does not slow every other test's requests past their timeouts.
pub fn heavy() -> &'static str {
    static SERVER: OnceLock<Watched> = OnceLock::new();
    &SERVER.get_or_init(start_watched).0
}

fn start_watched() -> Watched {
    {
        let port = free_port();
        // The shell watches this test process and stops moto when it is gone, so no server
        // outlives the test run.
        let script = format!(
            "'{}' -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; while kill -0 {} 2>/dev/null; do sleep 1; done; kill $m",
            moto_binary().display(),
            std::process::id()
        );
        let watchdog = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .spawn()
            .expect("start moto");
        let endpoint = format!("http://127.0.0.1:{port}");
        wait_ready(&endpoint);
        (endpoint, std::sync::Mutex::new(watchdog))
    }
}

/// What a [`Link`] does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkState {
    Up,
    /// Connections are dropped: the client sees them close, as if moto were stopped.
    Cut,
    /// Connections are accepted and never answered, as if the network hung.
    Stalled,
}

/// A TCP link to moto that a test can cut, stall and restore, while moto keeps its state, so the
/// test can check what was (not) written.
pub struct Link {
    pub endpoint: String,
    state: tokio::sync::watch::Sender<LinkState>,
}

impl Link {
    pub async fn to(target: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let (state, watch) = tokio::sync::watch::channel(LinkState::Up);
        let target = target.trim_start_matches("http://").to_string();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let (target, mut watch) = (target.clone(), watch.clone());
                let now = *watch.borrow();
                tokio::spawn(async move {
                    match now {
                        LinkState::Cut => {} // dropped at once
                        LinkState::Stalled => {
                            let _ = watch.wait_for(|s| *s != LinkState::Stalled).await;
                        }
                        LinkState::Up => {
                            let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await
                            else {
                                return;
                            };
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                                _ = watch.wait_for(|s| *s != LinkState::Up) => {}
                            }
                        }
                    }
                });
            }
        });
        Link { endpoint, state }
    }

    pub fn cut(&self) {
        let _ = self.state.send(LinkState::Cut);
    }

    pub fn stall(&self) {
        let _ = self.state.send(LinkState::Stalled);
    }

    pub fn restore(&self) {
        let _ = self.state.send(LinkState::Up);
    }
}

/// A DynamoDB client for `endpoint` with the production timeouts, optionally with an interceptor.
pub fn dynamodb(
    endpoint: &str,
    interceptor: Option<impl Intercept + 'static>,
) -> aws_sdk_dynamodb::Client {
    dynamodb_with(endpoint, interceptor, ferrokey_aws::timeouts())
}

pub fn dynamodb_with(
    endpoint: &str,
    interceptor: Option<impl Intercept + 'static>,
    timeouts: aws_sdk_dynamodb::config::timeout::TimeoutConfig,
) -> aws_sdk_dynamodb::Client {
    let mut config = aws_sdk_dynamodb::Config::builder()
        .timeout_config(timeouts)
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .endpoint_url(endpoint);
    if let Some(i) = interceptor {
        config = config.interceptor(i);
    }
    aws_sdk_dynamodb::Client::from_conf(config.build())
}

/// A table name no other test uses.
pub fn unique_table() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("ferrokey-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// An SES v2 client for `endpoint`.
pub fn sesv2(endpoint: &str) -> aws_sdk_sesv2::Client {
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(aws_sdk_sesv2::config::BehaviorVersion::latest())
        .region(aws_sdk_sesv2::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sesv2::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_sesv2::Client::from_conf(config)
}

/// An S3 client for `endpoint` (path-style, as moto needs).
pub fn s3(endpoint: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A private moto that answers one request at a time. The shared moto serves requests on
/// threads, and its TransactWriteItems is not isolated: it checks conditions without a lock
/// and rolls a cancelled transaction back by restoring a copy of the whole table, dropping
/// whatever concurrent requests wrote meanwhile. DynamoDB's transactions are serializable;
/// one request at a time is that (without the `TransactionConflict` cancellations, which
/// `faults` injects), while the requests of concurrent calls still interleave.
pub struct SerialMoto {
    pub endpoint: String,
    child: std::process::Child,
}

impl SerialMoto {
    pub fn start() -> Self {
        let moto =
            std::env::var("MOTO_SERVER").map(std::path::PathBuf::from).unwrap_or_else(|_| {
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../.venv-test/bin/moto_server")
            });
        // moto_server's own interpreter (its venv), with werkzeug's single-threaded server:
        // that one speaks HTTP/1.0, so every request is its own connection and none waits
        // behind an idle keep-alive.
        let python = moto.with_file_name("python");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new(python)
            .args([
                "-c",
                "import sys\n\
                 from werkzeug.serving import run_simple\n\
                 from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app\n\
                 run_simple('127.0.0.1', int(sys.argv[1]), DomainDispatcherApplication(create_backend_app), threaded=False, request_handler=MotoRequestHandler)",
                &port.to_string(),
            ])
            .env("MOTO_PORT", port.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start a serial moto");
        let moto = SerialMoto { endpoint: format!("http://127.0.0.1:{port}"), child };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "serial moto did not start");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        moto
    }
}

impl Drop for SerialMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto's dump of every backend (`/moto-api/data.json`). moto builds it without a lock, so
/// while other tests write it can fail ("dictionary changed size during iteration", a 500
/// page): retried.
pub async fn dump(endpoint: &str) -> serde_json::Value {
    let url = format!("{endpoint}/moto-api/data.json");
    for _ in 0..20 {
        let reply = reqwest::get(&url).await.expect("moto answers");
        if let Ok(data) = reply.json::<serde_json::Value>().await {
            return data;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("moto's data.json was never JSON");
}
