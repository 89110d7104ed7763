//! In-process ceremony cost (criterion), run on demand: `bench/ceremony.sh`.
//!
//! A full sign-in (`/signin/begin` → `/signin/complete` → `/signin/verify`) and a full
//! registration (`/register/token` → `/register/begin` → `/register/complete`) through the
//! real Router on a real SQLite file, beside the P-256 verify that a sign-in contains, in the
//! same run, so their ratio is read off one process. Only the server's work is timed: the
//! software passkey signs between the timed calls (`iter_custom`).
//!
//! The verify is measured with both backends the WebAuthn wrapper can use: OpenSSL (the
//! `openssl` line, webauthn-rs-core 0.5) and RustCrypto `p256` (the `rustcrypto` line, 0.6).

#[path = "../it/authenticator.rs"]
#[allow(dead_code)]
mod authenticator;

use authenticator::SoftPasskey;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tower::ServiceExt;

const RP_ID: &str = "localhost";
const ORIGIN: &str = "http://localhost:3000";
const UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15";

struct Server {
    router: Router,
    key: String,
    secret: String,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (service, _) = ferrokey_embedded::open_service(dir.path(), None).expect("store");
        let app = service.create_app("bench").await.expect("app");
        let router = ferrokey_http::routes::router(ferrokey_http::AppState::new(service));
        Server { router, key: app.api_key, secret: app.api_secret, _dir: dir }
    }

    async fn post(&self, path: &str, secret: bool, body: Value) -> Value {
        let (name, value) =
            if secret { ("ApiSecret", &self.secret) } else { ("ApiKey", &self.key) };
        let request = Request::post(path)
            .header(name, value)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::USER_AGENT, UA)
            .body(Body::from(body.to_string()))
            .expect("request");
        let reply = self.router.clone().oneshot(request).await.expect("infallible");
        let status = reply.status();
        let bytes = axum::body::to_bytes(reply.into_body(), usize::MAX).await.expect("body");
        assert!(status.is_success(), "{path}: {status} {}", String::from_utf8_lossy(&bytes));
        serde_json::from_slice(&bytes).expect("json")
    }

    /// Registers `user`; returns its passkey and the server time it took.
    async fn register(&self, user: &str) -> (SoftPasskey, Duration) {
        let start = Instant::now();
        let token =
            self.post("/register/token", true, json!({"userId": user, "username": user})).await;
        let begin = self
            .post(
                "/register/begin",
                false,
                json!({"token": token["token"], "RPID": RP_ID, "Origin": ORIGIN}),
            )
            .await;
        let mut server = start.elapsed();
        let mut passkey = SoftPasskey::new();
        let response = passkey.create(&begin["data"], ORIGIN);
        let start = Instant::now();
        let body = json!({"session": begin["session"], "response": response, "RPID": RP_ID, "Origin": ORIGIN});
        self.post("/register/complete", false, body).await;
        server += start.elapsed();
        (passkey, server)
    }

    /// One sign-in of `user`; returns the server time each of its three calls took.
    async fn sign_in(&self, user: &str, passkey: &mut SoftPasskey) -> [Duration; 3] {
        let start = Instant::now();
        let begin = self
            .post("/signin/begin", false, json!({"userId": user, "RPID": RP_ID, "Origin": ORIGIN}))
            .await;
        let begun = start.elapsed();
        let assertion = passkey.get(&begin["data"], ORIGIN);
        let start = Instant::now();
        let body = json!({"session": begin["session"], "response": assertion, "RPID": RP_ID, "Origin": ORIGIN});
        let done = self.post("/signin/complete", false, body).await;
        let completed = start.elapsed();
        let start = Instant::now();
        let verified = self.post("/signin/verify", true, json!({"token": done["token"]})).await;
        let checked = start.elapsed();
        assert_eq!(verified["userId"], user);
        [begun, completed, checked]
    }
}

fn ceremonies(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let server = rt.block_on(Server::start());
    let mut users: Vec<(String, SoftPasskey)> = (0..64)
        .map(|i| {
            let user = format!("user-{i}");
            let (passkey, _) = rt.block_on(server.register(&user));
            (user, passkey)
        })
        .collect();
    // Where a sign-in's time goes, call by call (means of 1,000), before criterion's figure.
    let mut parts = [Duration::ZERO; 3];
    for i in 0..1000 {
        let (user, passkey) = &mut users[i % 64];
        let took = rt.block_on(server.sign_in(user, passkey));
        parts.iter_mut().zip(took).for_each(|(sum, t)| *sum += t);
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6 / 1000.0;
    println!(
        "sign-in by call: begin {:.1} µs, complete {:.1} µs, verify {:.1} µs",
        us(parts[0]),
        us(parts[1]),
        us(parts[2])
    );
    let mut group = c.benchmark_group("ceremony");
    group.bench_function("sign-in (begin + complete + verify)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters as usize {
                let (user, passkey) = &mut users[i % 64];
                total += rt.block_on(server.sign_in(user, passkey)).iter().sum::<Duration>();
            }
            total
        })
    });
    let mut n = 0u64;
    group.bench_function("registration (token + begin + complete)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                total += rt.block_on(server.register(&format!("new-{n}"))).1;
            }
            total
        })
    });
    group.finish();
}

/// One ES256 assertion's signature check, as each backend does it: SHA-256 over the signed
/// bytes and an ECDSA P-256 verify of the DER signature.
fn verify(c: &mut Criterion) {
    use p256::ecdsa::signature::{Signer, Verifier};
    let message = vec![7u8; 37 + 32];
    let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let signature: p256::ecdsa::Signature = key.sign(&message);
    let der = signature.to_der().as_bytes().to_vec();
    let point = key.verifying_key().to_encoded_point(false);

    let mut group = c.benchmark_group("p256-verify");
    let rust = *key.verifying_key();
    group.bench_function(BenchmarkId::new("rustcrypto", "p256 0.13"), |b| {
        b.iter(|| {
            let sig = p256::ecdsa::Signature::from_der(&der).expect("der");
            assert!(rust.verify(&message, &sig).is_ok());
        })
    });
    let group_p256 =
        openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).expect("curve");
    let mut ctx = openssl::bn::BigNumContext::new().expect("bn");
    let ec_point =
        openssl::ec::EcPoint::from_bytes(&group_p256, point.as_bytes(), &mut ctx).expect("point");
    let ec_key = openssl::ec::EcKey::from_public_key(&group_p256, &ec_point).expect("key");
    let pkey = openssl::pkey::PKey::from_ec_key(ec_key).expect("pkey");
    group.bench_function(BenchmarkId::new("openssl", openssl::version::version()), |b| {
        b.iter(|| {
            let mut verifier =
                openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &pkey)
                    .expect("verifier");
            assert!(verifier.verify_oneshot(&der, &message).expect("verify"));
        })
    });
    // What webauthn-rs-core 0.5 does per signature check: the key rebuilt from its COSE
    // coordinates (curve group, affine point, `check_key`) before the same verify.
    let (x, y) = (point.x().expect("x").to_vec(), point.y().expect("y").to_vec());
    group.bench_function(BenchmarkId::new("openssl", "key from coordinates + verify"), |b| {
        b.iter(|| {
            let curve = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1)
                .expect("curve");
            let (x, y) = (
                openssl::bn::BigNum::from_slice(&x).expect("x"),
                openssl::bn::BigNum::from_slice(&y).expect("y"),
            );
            let key = openssl::ec::EcKey::from_public_key_affine_coordinates(&curve, &x, &y)
                .expect("key");
            key.check_key().expect("valid");
            let pkey = openssl::pkey::PKey::from_ec_key(key).expect("pkey");
            let mut verifier =
                openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &pkey)
                    .expect("verifier");
            assert!(verifier.verify_oneshot(&der, &message).expect("verify"));
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(5));
    targets = verify, ceremonies
}
criterion_main!(benches);
