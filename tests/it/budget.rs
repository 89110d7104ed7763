//! DynamoDB request budgets per ceremony, counted with an SDK interceptor, and behaviour when
//! DynamoDB is unreachable.

use crate::authenticator::SoftPasskey;
use crate::capacity::Units;
use crate::harness::{Backend, ORIGIN, TestApp, dynamo_service, dynamo_service_with, serve};
use crate::moto::{Link, shared};
use ferrokey_core::clock::OffsetClock;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Requests and capacity units of a step or a ceremony.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    requests: usize,
    units: Units,
}

impl std::ops::AddAssign for Cost {
    fn add_assign(&mut self, other: Cost) {
        self.requests += other.requests;
        self.units += other.units;
    }
}

/// On-demand prices in us-east-1 (USD per million request units), for the printed cost.
const USD_PER_MILLION_WRU: f64 = 0.625;
const USD_PER_MILLION_RRU: f64 = 0.125;

impl Cost {
    fn line(&self, label: &str, ops: &str) {
        let usd = self.units.write * USD_PER_MILLION_WRU + self.units.read * USD_PER_MILLION_RRU;
        println!(
            "{label:<34} {:>2}  {:>4.1} WRU {:>4.1} RRU  ${usd:.2} per million  {ops}",
            self.requests, self.units.write, self.units.read
        );
    }
}

/// Takes the requests sent since the last call and prints them under `label`.
fn count(app: &TestApp, label: &str) -> Cost {
    let sent = app.requests.take_requests();
    let mut cost = Cost { requests: sent.len(), ..Default::default() };
    for request in &sent {
        cost.units += request.units;
    }
    let ops: Vec<&str> = sent.iter().map(|r| r.operation.as_str()).collect();
    cost.line(label, &ops.join(", "));
    cost
}

/// Budgets: a sign-in ceremony (begin + complete + verify) ≤ 6 requests by user id and
/// discoverable, ≤ 7 by alias (one extra read: alias → user). Events ride along with the
/// begin's and the completion's writes; only `/signin/verify` pays one more request for its
/// event (the token's contents are known only once it is consumed). A registration (token + begin +
/// complete) ≤ 7 without aliases, ≤ 9 when it claims aliases: one of them counts the user's
/// monthly activity (MAU), which a sign-in pays only when its passkey was not used earlier in
/// the month. On top, a sign-in records its
/// purpose's `lastUsedOn` with one UpdateItem at most once a minute per purpose, and the
/// purpose's configuration is read once per key-cache window.
#[tokio::test]
async fn dynamodb_request_budget() {
    let clock = Arc::new(OffsetClock::default());
    let dynamo = dynamo_service(shared(), clock.clone()).await;
    let (service, requests) = (dynamo.service, dynamo.requests);
    // Warm hosts keep valid API keys for a while, so auth costs no request (see KeyCache).
    let service = service.with_key_cache(Duration::from_secs(60));
    let dir = tempfile::tempdir().unwrap();
    let app = serve(service, requests, Backend::Dynamo, "budget", clock, dir).await;
    let mut warm = SoftPasskey::new();
    let token = app.register(&mut warm, "warm-up", json!({})).await;
    app.verify(&token).await.ok();
    // A sign-in records its purpose's lastUsedOn (one UpdateItem) at most once a minute; warm
    // that up too, so the counts below are the steady state of every other sign-in.
    let done = app.signin(&mut warm, json!({"userId": "warm-up"})).await;
    app.verify(done.ok()["token"].as_str().unwrap()).await.ok();
    app.requests.take();

    println!("\nDynamoDB requests per operation (warm key cache):");
    let mut passkey = SoftPasskey::new();
    let token = app.register_token("alice", json!({})).await;
    let mut registration = count(&app, "POST /register/token");
    let begin = app.register_begin(&token).await;
    registration += count(&app, "POST /register/begin");
    let response = passkey.create(&begin.ok()["data"], ORIGIN);
    let done = app.register_complete(begin.body["session"].as_str().unwrap(), response).await;
    registration += count(&app, "POST /register/complete");
    app.verify(done.ok()["token"].as_str().unwrap()).await.ok();
    count(&app, "POST /signin/verify");
    registration.line("registration total", "");
    assert!(registration.requests <= 7, "registration took {registration:?}");

    let mut aliased = SoftPasskey::new();
    app.register(&mut aliased, "bob", json!({"aliases": ["bob@example.com"]})).await;
    let with_aliases = count(&app, "registration with aliases");
    assert!(with_aliases.requests <= 9, "registration with aliases took {with_aliases:?}");

    for (label, body, budget) in [
        ("sign-in by userId", json!({"userId": "alice"}), 6),
        ("sign-in discoverable", json!({}), 6),
        ("sign-in by alias", json!({"alias": "bob@example.com"}), 7),
    ] {
        let key = if label.ends_with("alias") { &mut aliased } else { &mut passkey };
        let begin = app.signin_begin(body).await;
        let mut total = count(&app, "POST /signin/begin");
        let response = key.get(&begin.ok()["data"], ORIGIN);
        let done = app.signin_complete(begin.body["session"].as_str().unwrap(), response).await;
        total += count(&app, "POST /signin/complete");
        app.verify(done.ok()["token"].as_str().unwrap()).await.ok();
        total += count(&app, "POST /signin/verify");
        total.line(&format!("{label} total"), "");
        assert!(total.requests <= budget, "{label} took {total:?}, budget {budget}");
    }

    // A user's later passkey: without aliases the completion assumed a first one (the common
    // case, counted in users-with-passkeys in the same transaction) and pays one more
    // TransactWriteItems; with aliases its Query reads the user's count, so nothing more.
    let mut second = SoftPasskey::new();
    app.register(&mut second, "alice", json!({})).await;
    let later = count(&app, "a user's second passkey");
    assert!(later.requests <= registration.requests + 1, "a second passkey took {later:?}");
    let mut second_aliased = SoftPasskey::new();
    app.register(&mut second_aliased, "bob", json!({"aliases": ["bob@example.com"]})).await;
    let later = count(&app, "second passkey with aliases");
    assert!(later.requests <= with_aliases.requests, "a second passkey with aliases: {later:?}");
}

#[tokio::test]
async fn dynamodb_outage_gives_503_and_writes_nothing() {
    let link = Link::to(shared()).await;
    let clock = Arc::new(OffsetClock::default());
    let dynamo = dynamo_service(&link.endpoint, clock.clone()).await;
    let (service, requests) = (dynamo.service, dynamo.requests);
    let dir = tempfile::tempdir().unwrap();
    let app = serve(service, requests, Backend::Dynamo, "outage", clock, dir).await;

    let token = app.register_token("carol", json!({})).await;
    let begin = app.register_begin(&token).await;
    let mut passkey = SoftPasskey::new();
    let response = passkey.create(&begin.ok()["data"], ORIGIN);
    let session = begin.body["session"].as_str().unwrap().to_string();

    link.cut();
    let reply = app.register_complete(&session, response.clone()).await;
    reply.problem(503, Some("service_unavailable"));
    assert_eq!(reply.headers["retry-after"], "5");
    app.signin_begin(json!({})).await.problem(503, Some("service_unavailable"));
    link.restore();

    // Nothing was half-written: no credential, and the session is still there to complete.
    let stored = app.service.store.list_credentials(&app.app_id, "carol").await.unwrap();
    assert!(stored.is_empty());
    let done = app.register_complete(&session, response).await;
    let verified = app.verify(done.ok()["token"].as_str().unwrap()).await;
    assert_eq!(verified.ok()["userId"], "carol");
}

#[tokio::test]
async fn a_hung_dynamodb_gives_503_in_bounded_time() {
    let link = Link::to(shared()).await;
    let clock = Arc::new(OffsetClock::default());
    // The production bounds (ferrokey_aws::timeouts) scaled down, so the test stays short.
    let timeouts = aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(300))
        .operation_attempt_timeout(Duration::from_millis(300))
        .operation_timeout(Duration::from_millis(1500))
        .build();
    let dynamo = dynamo_service_with(&link.endpoint, clock.clone(), timeouts).await;
    let dir = tempfile::tempdir().unwrap();
    let app = serve(dynamo.service, dynamo.requests, Backend::Dynamo, "stall", clock, dir).await;
    app.signin_begin(json!({})).await.ok();

    link.stall();
    let started = std::time::Instant::now();
    let reply = app.signin_begin(json!({})).await;
    reply.problem(503, Some("service_unavailable"));
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    link.restore();
    app.signin_begin(json!({})).await.ok();
}
