//! The hostile suite as one table: every row is a request a careless or malicious client can
//! send without a ceremony, and the specific problem+json 4xx it must get. It runs on both
//! stores and prints how many cases it tried. (Ceremony-level attacks — replayed assertions,
//! reused sessions, counter regression, tampered signatures, wrong origins at complete, UV —
//! are in `hostile.rs`, cross-app ones in `cross_app.rs`.)

use crate::admin_client::{Auth, call};
use crate::harness::{ORIGIN, RP_ID, TestApp, on_both_stores};
use serde_json::{Value, json};

/// What a case must get back.
#[derive(Clone, Copy)]
enum Expect {
    /// This status and `errorCode`.
    Code(u16, &'static str),
    /// A 400 validation problem naming this member.
    Field(&'static str),
    /// This status, problem+json, type ending in `#<fragment>` (the auth problems).
    Auth(u16, &'static str),
    /// This status with a problem whose errorCode is null (upstream's uncoded errors).
    Uncoded(u16),
}

enum Body {
    Json(Value),
    Raw(Vec<u8>),
    None,
}

struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Body,
    expect: Expect,
}

/// The keys the cases use.
struct Keys {
    public: String,
    secret: String,
    other_secret: String,
    locked_secret: String,
    verify_only: String,
}

fn case(
    name: &'static str,
    method: &'static str,
    path: &str,
    headers: Vec<(&'static str, String)>,
    body: Body,
    expect: Expect,
) -> Case {
    Case { name, method, path: path.to_string(), headers, body, expect }
}

fn cases(k: &Keys) -> Vec<Case> {
    use Body::{Json, None, Raw};
    use Expect::{Auth as A, Code, Field, Uncoded};
    let s = || vec![("ApiSecret", k.secret.clone())];
    let p = || vec![("ApiKey", k.public.clone())];
    let token_body = json!({"userId": "u1", "username": "u1"});
    let begin = |extra: Value| {
        let mut b = json!({"RPID": RP_ID, "Origin": ORIGIN});
        if let (Some(b), Some(e)) = (b.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        Json(b)
    };
    let t = |token: &str| Json(json!({"token": token, "RPID": RP_ID, "Origin": ORIGIN}));
    vec![
        // Key headers: every confusion gets the contract's 401 (or 403) problem.
        case(
            "no key at all",
            "POST",
            "/register/token",
            vec![],
            Json(token_body.clone()),
            A(401, "ApiSecret"),
        ),
        case(
            "public key as ApiSecret",
            "POST",
            "/register/token",
            vec![("ApiSecret", k.public.clone())],
            Json(token_body.clone()),
            A(401, "ApiSecret"),
        ),
        case(
            "ApiKey header where ApiSecret is due",
            "POST",
            "/register/token",
            p(),
            Json(token_body.clone()),
            A(401, "ApiSecret"),
        ),
        case(
            "secret as ApiKey",
            "POST",
            "/signin/begin",
            vec![("ApiKey", k.secret.clone())],
            begin(json!({})),
            A(401, "ApiKey"),
        ),
        case(
            "verify token as ApiSecret",
            "POST",
            "/register/token",
            vec![("ApiSecret", "verify_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into())],
            Json(token_body.clone()),
            A(401, "ApiSecret"),
        ),
        case(
            "register token as ApiKey",
            "POST",
            "/signin/begin",
            vec![("ApiKey", "register_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into())],
            begin(json!({})),
            A(401, "ApiKey"),
        ),
        case(
            "garbage secret",
            "POST",
            "/register/token",
            vec![("ApiSecret", "hello".into())],
            Json(token_body.clone()),
            A(401, "ApiSecret"),
        ),
        case(
            "well-formed unknown secret",
            "POST",
            "/register/token",
            vec![("ApiSecret", format!("testapp:secret:{}", "0".repeat(32)))],
            Json(token_body.clone()),
            A(401, "ApiSecret"),
        ),
        case(
            "another app's secret names this app",
            "POST",
            "/register/token",
            vec![("ApiSecret", k.other_secret.replacen("otherapp", "testapp", 1))],
            Json(token_body.clone()),
            A(401, "ApiSecret"),
        ),
        case(
            "locked secret",
            "POST",
            "/register/token",
            vec![("ApiSecret", k.locked_secret.clone())],
            Json(token_body.clone()),
            Code(403, "api_key_locked"),
        ),
        case(
            "secret without the scope",
            "POST",
            "/register/token",
            vec![("ApiSecret", k.verify_only.clone())],
            Json(token_body.clone()),
            A(403, "forbidden"),
        ),
        // Bodies.
        case(
            "body over 1 MiB",
            "POST",
            "/register/token",
            s(),
            Raw(vec![b' '; 1024 * 1024 + 10]),
            Code(413, "payload_too_large"),
        ),
        case(
            "empty body (read as {}: the required members are named)",
            "POST",
            "/register/token",
            s(),
            Raw(vec![]),
            Field("userId"),
        ),
        case(
            "truncated JSON",
            "POST",
            "/register/token",
            s(),
            Raw(b"{\"userId\": ".to_vec()),
            Code(400, "invalid_json"),
        ),
        case(
            "invalid UTF-8",
            "POST",
            "/register/token",
            s(),
            Raw(vec![b'{', b'"', 0xff, 0xfe, b'"', b'}']),
            Code(400, "invalid_json"),
        ),
        case(
            "nesting 100 deep",
            "POST",
            "/register/token",
            s(),
            Raw(format!("{{\"userId\": {}1{}}}", "[".repeat(100), "]".repeat(100)).into_bytes()),
            Code(400, "invalid_json"),
        ),
        case(
            "a JSON array",
            "POST",
            "/register/token",
            s(),
            Raw(b"[1,2]".to_vec()),
            Code(400, "invalid_json"),
        ),
        case(
            "a huge number as timeToLive",
            "POST",
            "/signin/generate-token",
            s(),
            Json(json!({"userId": "u", "timeToLive": 1e300})),
            Field("timeToLive"),
        ),
        case(
            "an object as userId",
            "POST",
            "/register/token",
            s(),
            Json(json!({"userId": {"a": 1}, "username": "x"})),
            Field("userId"),
        ),
        case(
            "missing userId",
            "POST",
            "/register/token",
            s(),
            Json(json!({"username": "x"})),
            Field("userId"),
        ),
        case(
            "missing username",
            "POST",
            "/register/token",
            s(),
            Json(json!({"userId": "u"})),
            Field("username"),
        ),
        case(
            "userId over 64 bytes",
            "POST",
            "/register/token",
            s(),
            Json(json!({"userId": "é".repeat(33), "username": "x"})),
            Field("userId"),
        ),
        case(
            "displayName over 256 characters",
            "POST",
            "/register/token",
            s(),
            Json(json!({"userId": "u", "username": "x", "displayName": "d".repeat(257)})),
            Field("displayName"),
        ),
        case(
            "four hints",
            "POST",
            "/register/token",
            s(),
            Json(
                json!({"userId": "u", "username": "x", "hints": ["hybrid", "hybrid", "hybrid", "hybrid"]}),
            ),
            Field("hints"),
        ),
        case(
            "an unknown hint",
            "POST",
            "/register/token",
            s(),
            Json(json!({"userId": "u", "username": "x", "hints": ["telepathy"]})),
            Field("hints"),
        ),
        case(
            "attestation not on the plan",
            "POST",
            "/register/token",
            s(),
            Json(json!({"userId": "u", "username": "x", "attestation": "direct"})),
            Code(400, "attestation_not_supported_on_plan"),
        ),
        case(
            "expiresAt not a date",
            "POST",
            "/register/token",
            s(),
            Json(json!({"userId": "u", "username": "x", "expiresAt": "tomorrow"})),
            Field("expiresAt"),
        ),
        // Tokens.
        case(
            "missing register token",
            "POST",
            "/register/begin",
            p(),
            t(""),
            Code(400, "missing_token"),
        ),
        case(
            "wrong token prefix",
            "POST",
            "/register/begin",
            p(),
            t("verify_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            Code(400, "invalid_token"),
        ),
        case(
            "token not base64url",
            "POST",
            "/register/begin",
            p(),
            t("register_!!!!"),
            Code(400, "invalid_token_format"),
        ),
        case(
            "truncated token",
            "POST",
            "/register/begin",
            p(),
            t("register_AAAAAAAAAA"),
            Code(400, "invalid_token_format"),
        ),
        case(
            "oversized token",
            "POST",
            "/register/begin",
            p(),
            t(&format!("register_{}", "A".repeat(5000))),
            Code(400, "invalid_token_format"),
        ),
        case(
            "unknown well-formed token",
            "POST",
            "/register/begin",
            p(),
            t("register_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            Code(400, "invalid_token"),
        ),
        case(
            "session token at verify",
            "POST",
            "/signin/verify",
            s(),
            Json(json!({"token": "session_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})),
            Code(400, "invalid_token"),
        ),
        case(
            "unknown verify token",
            "POST",
            "/signin/verify",
            s(),
            Json(json!({"token": "verify_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})),
            Code(400, "invalid_token"),
        ),
        case(
            "missing session at complete",
            "POST",
            "/signin/complete",
            p(),
            Json(
                json!({"session": "", "response": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"clientDataJson": "e30", "authenticatorData": "AAAA", "signature": "AAAA"}}, "RPID": RP_ID, "Origin": ORIGIN}),
            ),
            Code(400, "missing_token"),
        ),
        // Origins and RP IDs.
        case("no Origin", "POST", "/signin/begin", p(), Json(json!({"RPID": RP_ID})), Uncoded(400)),
        case(
            "origin not under the RP ID",
            "POST",
            "/signin/begin",
            p(),
            begin(json!({"Origin": "https://evil.example.org"})),
            Code(400, "invalid_origin"),
        ),
        case(
            "plain http origin off localhost",
            "POST",
            "/signin/begin",
            p(),
            begin(json!({"Origin": "http://app.example.com"})),
            Code(400, "invalid_origin"),
        ),
        case(
            "RPID over 512 bytes",
            "POST",
            "/signin/begin",
            p(),
            begin(json!({"RPID": format!("{}.com", "a".repeat(600))})),
            Code(400, "invalid_origin"),
        ),
        // Aliases.
        case(
            "eleven aliases",
            "POST",
            "/alias",
            s(),
            Json(
                json!({"userId": "bob", "aliases": (0..11).map(|i| format!("a{i}")).collect::<Vec<_>>()}),
            ),
            Field("aliases"),
        ),
        case(
            "an alias of 251 characters",
            "POST",
            "/alias",
            s(),
            Json(json!({"userId": "bob", "aliases": ["a".repeat(251)]})),
            Field("aliases"),
        ),
        case(
            "an empty alias",
            "POST",
            "/alias",
            s(),
            Json(json!({"userId": "bob", "aliases": [""]})),
            Field("aliases"),
        ),
        case(
            "an alias owned by another user",
            "POST",
            "/alias",
            s(),
            Json(json!({"userId": "bob", "aliases": ["taken@example.com"]})),
            Code(409, "alias_conflict"),
        ),
        // Other app endpoints.
        case(
            "sign-in token lifetime 0",
            "POST",
            "/signin/generate-token",
            s(),
            Json(json!({"userId": "u", "timeToLive": 0})),
            Field("timeToLive"),
        ),
        case(
            "sign-in token lifetime over a week",
            "POST",
            "/signin/generate-token",
            s(),
            Json(json!({"userId": "u", "timeToLive": 604_801})),
            Field("timeToLive"),
        ),
        case(
            "a purpose with spaces",
            "POST",
            "/signin/generate-token",
            s(),
            Json(json!({"userId": "u", "purpose": "a b"})),
            Field("purpose"),
        ),
        case(
            "magic link to no address",
            "POST",
            "/magic-links/send",
            s(),
            Json(
                json!({"emailAddress": "nope", "urlTemplate": "https://x/?t=$TOKEN", "userId": "u"}),
            ),
            Field("emailAddress"),
        ),
        case(
            "magic link template without $TOKEN",
            "POST",
            "/magic-links/send",
            s(),
            Json(
                json!({"emailAddress": "a@example.com", "urlTemplate": "https://x/", "userId": "u"}),
            ),
            Field("urlTemplate"),
        ),
        case(
            "delete an unknown credential",
            "POST",
            "/credentials/delete",
            s(),
            Json(json!({"credentialId": "AAAA"})),
            Code(404, "credential_not_found"),
        ),
        case(
            "delete a preset configuration",
            "POST",
            "/auth-configs/delete",
            s(),
            Json(json!({"purpose": "sign-in", "performedBy": "t"})),
            Uncoded(400),
        ),
        case(
            "update a configuration that does not exist",
            "POST",
            "/auth-configs",
            s(),
            Json(
                json!({"purpose": "nope", "userVerificationRequirement": "required", "timeToLive": "00:02:00", "performedBy": "t"}),
            ),
            Uncoded(404),
        ),
        case("events without pageNumber", "GET", "/events", s(), None, Uncoded(400)),
        case(
            "events with 1001 results a page",
            "GET",
            "/events?pageNumber=1&numberOfResults=1001",
            s(),
            None,
            Field("numberOfResults"),
        ),
        case(
            "retention over 90 days",
            "POST",
            "/apps/features",
            s(),
            Json(json!({"eventLoggingRetentionPeriod": 91})),
            Field("eventLoggingRetentionPeriod"),
        ),
        // Routing.
        case(
            "unknown route",
            "POST",
            "/no/such/route",
            s(),
            Json(json!({})),
            Code(404, "not_found"),
        ),
        case("wrong method", "GET", "/register/token", s(), None, Code(405, "method_not_allowed")),
        // Admin.
        case(
            "admin route without credentials",
            "GET",
            "/admin/apps",
            vec![],
            None,
            A(401, "ManagementKey"),
        ),
        case(
            "admin route with a wrong management key",
            "GET",
            "/admin/apps",
            vec![("ManagementKey", "guess".into())],
            None,
            A(401, "ManagementKey"),
        ),
        case(
            "admin route with a garbage session",
            "GET",
            "/admin/apps",
            vec![("Authorization", "Bearer admin_AAAA".into())],
            None,
            Code(401, "invalid_admin_session"),
        ),
        case(
            "an unknown invitation",
            "POST",
            "/admin/invites/accept",
            vec![],
            Json(json!({"code": "invite_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})),
            Code(400, "invalid_invite"),
        ),
        case(
            "a session from a register token",
            "POST",
            "/admin/session",
            vec![],
            Json(json!({"token": "register_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})),
            Code(400, "invalid_token"),
        ),
    ]
}

async fn send(app: &TestApp, c: &Case) -> crate::harness::Reply {
    let url = format!("{}{}", app.base, c.path);
    let method = reqwest::Method::from_bytes(c.method.as_bytes()).unwrap();
    let mut req = app.http.request(method, url);
    for (name, value) in &c.headers {
        req = req.header(*name, value);
    }
    req = match &c.body {
        Body::Json(v) => req.header("Content-Type", "application/json").body(v.to_string()),
        Body::Raw(bytes) => req.header("Content-Type", "application/json").body(bytes.clone()),
        Body::None => req,
    };
    crate::harness::read(req.send().await.unwrap()).await
}

#[tokio::test]
async fn every_hostile_request_gets_its_problem() {
    on_both_stores(table_on).await;
}

async fn table_on(app: TestApp) {
    let other = app.sibling("otherapp").await;
    let create = |scopes: Value| {
        let app = &app;
        async move {
            let reply = call(
                app,
                "POST",
                "/admin/apps/testapp/secret-keys",
                Auth::Management,
                Some(json!({"scopes": scopes})),
            )
            .await;
            reply.ok()["apiKey"].as_str().unwrap().to_string()
        }
    };
    let locked_secret = create(json!([0, 1])).await;
    let id = &locked_secret[locked_secret.len() - 4..];
    call(&app, "POST", &format!("/admin/apps/testapp/api-keys/{id}/lock"), Auth::Management, None)
        .await;
    let keys = Keys {
        public: app.key.clone(),
        secret: app.secret.clone(),
        other_secret: other.secret.clone(),
        locked_secret,
        verify_only: create(json!([1])).await,
    };
    let owner = app
        .secret_post("/alias", json!({"userId": "alice", "aliases": ["taken@example.com"]}))
        .await;
    assert_eq!(owner.status, 204, "{}", owner.text);

    let cases = cases(&keys);
    assert!(cases.len() >= 50, "the suite has {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let reply = send(&app, c).await;
        let label = format!("{} ({} {})", c.name, c.method, crate::robustness::short(&c.path));
        let ok = reply.content_type() == "application/problem+json"
            && reply.text.len() < 4096
            && match c.expect {
                Expect::Code(status, code) => {
                    (reply.status, reply.body["errorCode"].as_str()) == (status, Some(code))
                }
                Expect::Field(field) => {
                    reply.status == 400 && reply.body["errors"][field].is_array()
                }
                Expect::Auth(status, fragment) => {
                    reply.status == status
                        && reply.body["type"]
                            .as_str()
                            .unwrap_or_default()
                            .ends_with(&format!("#{fragment}"))
                }
                Expect::Uncoded(status) => {
                    reply.status == status && reply.body["errorCode"].is_null()
                }
            };
        if !ok {
            failures.push(format!(
                "{label}: {} {}",
                reply.status,
                crate::robustness::short(&reply.text)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases got the wrong answer:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    println!("hostile table: {} cases, each got its problem", cases.len());
}
