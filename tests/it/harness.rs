//! Spawns the real Router on 127.0.0.1:0 over a fresh SQLite file, with a clock tests can move,
//! and speaks to it like the SDKs do.

use crate::authenticator::SoftPasskey;
use ferrokey_core::Service;
use ferrokey_core::clock::OffsetClock;
use ferrokey_core::service::CreatedApp;
use ferrokey_http::{AppState, router};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::sync::Arc;

pub const RP_ID: &str = "example.com";
pub const ORIGIN: &str = "https://app.example.com";
/// The pepper DynamoDB test services hash keys with (Lambda processes get it by env).
pub const TEST_PEPPER: &str = "test pepper";
/// The public URL test servers claim: console passkeys are bound to `localhost`.
pub const CONSOLE_URL: &str = "http://localhost:8787";
/// The `ManagementKey` test servers accept.
pub const MANAGEMENT_KEY: &str = "test management key";
/// The User-Agent every test request sends: desktop Chrome on a Mac.
pub const BROWSER_UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

pub struct TestApp {
    pub base: String,
    pub key: String,
    pub secret: String,
    pub app_id: String,
    pub clock: Arc<OffsetClock>,
    pub service: Service,
    pub http: reqwest::Client,
    /// DynamoDB requests sent so far (empty on SQLite).
    pub requests: RequestCounter,
    pub backend: Backend,
    /// The SQLite data dir (its `outbox/` holds sent mail); unused on DynamoDB.
    pub dir: tempfile::TempDir,
}

/// A response, read whatever its status.
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// Asserts a problem+json response with this status and errorCode, returns the body.
    #[track_caller]
    pub fn problem(&self, status: u16, code: Option<&str>) -> &Value {
        assert_eq!(self.status, status, "status of {}", self.text);
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "content type of {}",
            self.text
        );
        assert_eq!(self.body["status"], json!(status), "{}", self.text);
        // Every problem names its request, as the x-request-id header does.
        let request_id =
            self.headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(!request_id.is_empty(), "no x-request-id on {}", self.text);
        assert_eq!(self.body["traceId"], json!(request_id), "{}", self.text);
        if let Some(code) = code {
            assert_eq!(self.body["errorCode"], json!(code), "{}", self.text);
            assert!(
                self.body["type"].as_str().unwrap_or_default().ends_with(&format!("#{code}")),
                "{}",
                self.text
            );
        }
        &self.body
    }

    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "{}", self.text);
        &self.body
    }
}

/// Which store adapter a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Dynamo,
}

/// Runs a test body once on each store, so the adapters cannot drift apart.
pub async fn on_both_stores<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in [Backend::Sqlite, Backend::Dynamo] {
        println!("--- on {backend:?}");
        test(spawn(backend, "testapp").await).await;
    }
}

/// Counts the DynamoDB requests a client sends, by operation (`GetItem`, `Query`, …), with the
/// capacity units each consumed (see [`crate::capacity`]).
#[derive(Debug, Clone, Default)]
pub struct RequestCounter(Arc<std::sync::Mutex<Vec<SentRequest>>>);

/// One request as the counter saw it.
#[derive(Debug, Clone)]
pub struct SentRequest {
    pub operation: String,
    pub units: crate::capacity::Units,
}

/// The request an attempt sent, kept for its response: its index and body.
#[derive(Debug)]
struct Sent(usize, String, serde_json::Value);

impl aws_smithy_types::config_bag::Storable for Sent {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

impl RequestCounter {
    /// The operations sent since the last take.
    pub fn take(&self) -> Vec<String> {
        self.take_requests().into_iter().map(|r| r.operation).collect()
    }

    /// The requests sent since the last take, with their capacity units.
    pub fn take_requests(&self) -> Vec<SentRequest> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl aws_sdk_dynamodb::config::Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        config: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let target = context.request().headers().get("x-amz-target").unwrap_or_default();
        let operation = target.rsplit('.').next().unwrap_or_default().to_string();
        let body = context.request().body().bytes().and_then(|b| serde_json::from_slice(b).ok());
        let mut sent = self.0.lock().unwrap();
        sent.push(SentRequest { operation: operation.clone(), units: Default::default() });
        let index = sent.len() - 1;
        config.interceptor_state().store_put(Sent(index, operation, body.unwrap_or_default()));
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::AfterDeserializationInterceptorContextRef<
            '_,
        >,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        config: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let Some(Sent(index, operation, request)) = config.load::<Sent>() else {
            return Ok(());
        };
        let response: serde_json::Value = context
            .response()
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or_default();
        if let Some(entry) = self.0.lock().unwrap().get_mut(*index) {
            entry.units = crate::capacity::units(operation, request, &response);
        }
        Ok(())
    }
}

/// A service on a fresh DynamoDB table in the moto server at `endpoint`.
pub struct Dynamo {
    pub service: Service,
    /// Counts the requests the service's client sends.
    pub requests: RequestCounter,
    pub table: String,
}

pub async fn dynamo_service(endpoint: &str, clock: Arc<OffsetClock>) -> Dynamo {
    dynamo_service_with(endpoint, clock, ferrokey_aws::timeouts()).await
}

/// Like [`dynamo_service`], with the client's timeouts given.
pub async fn dynamo_service_with(
    endpoint: &str,
    clock: Arc<OffsetClock>,
    timeouts: aws_sdk_dynamodb::config::timeout::TimeoutConfig,
) -> Dynamo {
    let requests = RequestCounter::default();
    let client = crate::moto::dynamodb_with(endpoint, Some(requests.clone()), timeouts);
    let table = crate::moto::unique_table();
    // Created with the production bounds: a test's tighter ones could time out a slow
    // CreateTable whose retry then finds the table made.
    let setup =
        crate::moto::dynamodb_with(endpoint, None::<RequestCounter>, ferrokey_aws::timeouts());
    ferrokey_aws::create_table(&setup, &table).await.expect("create table");
    let store = ferrokey_aws::DynamoStore::new(client, table.clone());
    let hasher = ferrokey_core::keys::KeyHasher::new(TEST_PEPPER.as_bytes().to_vec());
    Dynamo { service: Service::new(Arc::new(store), clock, hasher), requests, table }
}

/// The real Router on 127.0.0.1:0 over a fresh store with one app.
pub async fn spawn(backend: Backend, app_id: &str) -> TestApp {
    spawn_on(backend, app_id, crate::moto::shared()).await
}

/// Like [`spawn`], with DynamoDB in the moto server at `endpoint`.
pub async fn spawn_on(backend: Backend, app_id: &str, endpoint: &str) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(OffsetClock::default());
    let (service, requests) = match backend {
        Backend::Sqlite => {
            let (service, _) = ferrokey_embedded::open_service(dir.path(), Some(clock.clone()))
                .expect("open store");
            (service, RequestCounter::default())
        }
        Backend::Dynamo => {
            let d = dynamo_service(endpoint, clock.clone()).await;
            (d.service.with_mailer(Arc::new(ses_mailer().await), MAIL_FROM), d.requests)
        }
    };
    serve(service, requests, backend, app_id, clock, dir).await
}

/// The sender of test mail on SES (moto), a verified identity there.
pub const MAIL_FROM: &str = "noreply@ferrokey.example";

/// An SES mailer on the shared moto, with [`MAIL_FROM`] verified (as AWS requires).
pub async fn ses_mailer() -> ferrokey_aws::SesMailer {
    let client = crate::moto::sesv2(crate::moto::shared());
    // Verifying twice is refused as AlreadyExists; either way the identity exists.
    let _ = client.create_email_identity().email_identity(MAIL_FROM).send().await;
    ferrokey_aws::SesMailer::new(client)
}

/// A sent message as a test reads it back.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub from: String,
    pub to: String,
    pub subject: String,
    /// The HTML part on SES (moto keeps only that), the whole message in the outbox.
    pub body: String,
}

impl SentMail {
    /// The first link in the body.
    pub fn link(&self) -> String {
        let start = self.body.find("http").expect("a link in the mail");
        self.body[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !"\"<>".contains(*c))
            .collect::<String>()
            .trim_end_matches('.')
            .to_string()
    }
}

impl TestApp {
    /// Every message sent to `to`, oldest first: from the outbox folder on SQLite, from
    /// moto's SES store on DynamoDB.
    pub async fn mail_to(&self, to: &str) -> Vec<SentMail> {
        match self.backend {
            Backend::Sqlite => {
                let mut files: Vec<_> = match std::fs::read_dir(self.dir.path().join("outbox")) {
                    Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
                    Err(_) => vec![],
                };
                files.sort();
                files
                    .iter()
                    .map(|p| std::fs::read_to_string(p).unwrap())
                    .map(|eml| {
                        let header = |name: &str| {
                            eml.lines()
                                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                                .unwrap_or_default()
                                .to_string()
                        };
                        SentMail {
                            from: header("From"),
                            to: header("To"),
                            subject: header("Subject"),
                            body: eml.clone(),
                        }
                    })
                    .filter(|m| m.to == to)
                    .collect()
            }
            Backend::Dynamo => {
                let data = crate::moto::dump(crate::moto::shared()).await;
                data["ses"]["Message"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .filter(|m| m["destinations"]["ToAddresses"][0] == to)
                    .map(|m| SentMail {
                        from: m["source"].as_str().unwrap_or_default().to_string(),
                        to: to.to_string(),
                        subject: m["subject"].as_str().unwrap_or_default().to_string(),
                        body: m["body"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            }
        }
    }
}

/// Serves `service` (already holding its store) with a new app.
pub async fn serve(
    service: Service,
    requests: RequestCounter,
    backend: Backend,
    app_id: &str,
    clock: Arc<OffsetClock>,
    dir: tempfile::TempDir,
) -> TestApp {
    let service = service.with_admin(ferrokey_core::service::AdminSettings {
        public_url: CONSOLE_URL.into(),
        management_key: Some(MANAGEMENT_KEY.into()),
        ..Default::default()
    });
    let CreatedApp { api_key, api_secret, .. } = service.create_app(app_id).await.expect("app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = router(AppState::new(service.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    TestApp {
        base: format!("http://{addr}"),
        key: api_key,
        secret: api_secret,
        app_id: app_id.to_string(),
        clock,
        service,
        http: reqwest::Client::builder().user_agent(BROWSER_UA).build().expect("http client"),
        requests,
        backend,
        dir,
    }
}

impl TestApp {
    /// The server's (injected) clock's time.
    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use ferrokey_core::clock::Clock;
        self.clock.now()
    }

    /// A client of another app of the same server, with that app's keys.
    pub fn with_keys(&self, app_id: &str, key: &str, secret: &str) -> TestApp {
        TestApp {
            base: self.base.clone(),
            key: key.to_string(),
            secret: secret.to_string(),
            app_id: app_id.to_string(),
            clock: self.clock.clone(),
            service: self.service.clone(),
            http: self.http.clone(),
            requests: self.requests.clone(),
            backend: self.backend,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A second app on the same store and Router (its own keys), for cross-tenant checks.
    pub async fn sibling(&self, app_id: &str) -> TestApp {
        let CreatedApp { api_key, api_secret, .. } =
            self.service.create_app(app_id).await.expect("sibling app");
        TestApp {
            base: self.base.clone(),
            key: api_key,
            secret: api_secret,
            app_id: app_id.to_string(),
            clock: self.clock.clone(),
            service: self.service.clone(),
            http: self.http.clone(),
            requests: self.requests.clone(),
            backend: self.backend,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// POST with arbitrary headers and a raw body.
    pub async fn post_raw(&self, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
        let mut req = self.http.post(format!("{}{path}", self.base)).body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        read(req.send().await.expect("request")).await
    }

    /// POST as a backend (ApiSecret), like the server SDKs.
    pub async fn secret_post(&self, path: &str, body: Value) -> Reply {
        let headers = [
            ("ApiSecret", self.secret.as_str()),
            ("Content-Type", "application/json; charset=UTF-8"),
        ];
        self.post_raw(path, &headers, body.to_string().into_bytes()).await
    }

    /// GET with arbitrary headers.
    pub async fn get_raw(&self, path_and_query: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = self.http.get(format!("{}{path_and_query}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        read(req.send().await.expect("request")).await
    }

    /// GET as a backend (ApiSecret), like the server SDKs.
    pub async fn secret_get(&self, path_and_query: &str) -> Reply {
        self.get_raw(path_and_query, &[("ApiSecret", self.secret.as_str())]).await
    }

    /// POST as the browser client (ApiKey, Client-Version).
    pub async fn public_post(&self, path: &str, body: Value) -> Reply {
        let headers = [
            ("ApiKey", self.key.as_str()),
            ("Content-Type", "application/json"),
            ("Client-Version", "js-1.1.0"),
        ];
        self.post_raw(path, &headers, body.to_string().into_bytes()).await
    }

    pub async fn register_token(&self, user_id: &str, extra: Value) -> String {
        let mut body = json!({"userId": user_id, "username": format!("{user_id}@example.com")});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let reply = self.secret_post("/register/token", body).await;
        reply.ok()["token"].as_str().expect("token").to_string()
    }

    pub async fn register_begin(&self, token: &str) -> Reply {
        self.public_post(
            "/register/begin",
            json!({"token": token, "RPID": RP_ID, "Origin": ORIGIN}),
        )
        .await
    }

    pub async fn register_complete(&self, session: &str, response: Value) -> Reply {
        self.public_post(
            "/register/complete",
            json!({"session": session, "response": response, "nickname": "My key", "RPID": RP_ID, "Origin": ORIGIN}),
        )
        .await
    }

    /// A whole registration; returns the verify token.
    pub async fn register(&self, passkey: &mut SoftPasskey, user_id: &str, extra: Value) -> String {
        let token = self.register_token(user_id, extra).await;
        let begin = self.register_begin(&token).await;
        let begin = begin.ok();
        let response = passkey.create(&begin["data"], ORIGIN);
        let done =
            self.register_complete(begin["session"].as_str().expect("session"), response).await;
        done.ok()["token"].as_str().expect("verify token").to_string()
    }

    pub async fn signin_begin(&self, body: Value) -> Reply {
        let mut full = json!({"RPID": RP_ID, "Origin": ORIGIN});
        if let (Some(f), Some(b)) = (full.as_object_mut(), body.as_object()) {
            f.extend(b.clone());
        }
        self.public_post("/signin/begin", full).await
    }

    pub async fn signin_complete(&self, session: &str, response: Value) -> Reply {
        self.public_post(
            "/signin/complete",
            json!({"session": session, "response": response, "RPID": RP_ID, "Origin": ORIGIN}),
        )
        .await
    }

    /// A whole sign-in; returns the `/signin/complete` reply.
    pub async fn signin(&self, passkey: &mut SoftPasskey, begin_body: Value) -> Reply {
        let begin = self.signin_begin(begin_body).await;
        let begin = begin.ok();
        let response = passkey.get(&begin["data"], ORIGIN);
        self.signin_complete(begin["session"].as_str().expect("session"), response).await
    }

    pub async fn verify(&self, token: &str) -> Reply {
        self.secret_post("/signin/verify", json!({"token": token})).await
    }
}

pub async fn read(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, headers, body, text }
}
