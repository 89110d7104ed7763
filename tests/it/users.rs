//! The backend's user management over HTTP, on both stores: aliases, credentials, users, and
//! the routing answers (unknown path, wrong method) every client can read.

use crate::authenticator::{SoftPasskey, b64, unb64};
use crate::harness::{ORIGIN, RP_ID, TestApp, on_both_stores};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

fn values(reply: &crate::harness::Reply) -> Vec<Value> {
    reply.ok()["values"].as_array().expect("values").clone()
}

#[tokio::test]
async fn aliases_replace_the_whole_set() {
    on_both_stores(aliases_replace_the_whole_set_on).await;
}

async fn aliases_replace_the_whole_set_on(app: TestApp) {
    let set = |aliases: Value, hashing: bool| {
        app.secret_post("/alias", json!({"userId": "u1", "aliases": aliases, "hashing": hashing}))
    };
    let reply = set(json!(["a@example.com", "b@example.com", "a@example.com"]), false).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(reply.text.is_empty());
    let list = values(&app.secret_get("/alias/list?userId=u1").await);
    let mut plain: Vec<&str> = list.iter().map(|a| a["plaintext"].as_str().unwrap()).collect();
    plain.sort();
    assert_eq!(plain, ["a@example.com", "b@example.com"], "duplicates collapse to one");
    for alias in &list {
        assert_eq!(alias["userId"], "u1");
        assert_eq!(alias["tenant"], app.app_id);
        // The stored hash: standard base64 of SHA-256(appId + alias).
        let expected = {
            use sha2::Digest;
            let text = format!("{}{}", app.app_id, alias["plaintext"].as_str().unwrap());
            STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
        };
        assert_eq!(alias["alias"], json!(expected));
    }

    // Replace-all, hashed: the old ones go, the new one has no plaintext.
    assert_eq!(set(json!(["c@example.com"]), true).await.status, 204);
    let list = values(&app.secret_get("/alias/list?userid=u1").await);
    assert_eq!(list.len(), 1, "the Node SDK's lowercase ?userid= works too");
    assert_eq!(list[0]["plaintext"], Value::Null);
    // The freed aliases can be claimed by someone else; the held one cannot.
    let other = app
        .secret_post(
            "/alias",
            json!({"userId": "u2", "aliases": ["a@example.com"], "hashing": false}),
        )
        .await;
    assert_eq!(other.status, 204, "{}", other.text);
    let taken = app
        .secret_post("/alias", json!({"userId": "u2", "aliases": ["c@example.com", "d@x"]}))
        .await;
    taken.problem(409, Some("alias_conflict"));
    // Nothing of the refused request was written.
    let u2 = values(&app.secret_get("/alias/list?userId=u2").await);
    assert_eq!(u2.len(), 1);
    assert_eq!(u2[0]["plaintext"], "a@example.com");

    // An empty list removes every alias.
    assert_eq!(set(json!([]), true).await.status, 204);
    assert!(values(&app.secret_get("/alias/list?userId=u1").await).is_empty());
}

#[tokio::test]
async fn alias_validation() {
    on_both_stores(alias_validation_on).await;
}

async fn alias_validation_on(app: TestApp) {
    let eleven: Vec<String> = (0..11).map(|i| format!("a{i}")).collect();
    let cases = [
        (json!({"aliases": ["x"]}), "userId"),
        (json!({"userId": "", "aliases": ["x"]}), "userId"),
        (json!({"userId": "u", "aliases": eleven}), "aliases"),
        (json!({"userId": "u", "aliases": ["x".repeat(251)]}), "aliases"),
        (json!({"userId": "u", "aliases": [""]}), "aliases"),
        (json!({"userId": "u".repeat(65), "aliases": ["x"]}), "userId"),
        (json!({"userId": "u", "aliases": "x"}), "aliases"),
    ];
    for (body, field) in cases {
        let reply = app.secret_post("/alias", body.clone()).await;
        let problem = reply.problem(400, None);
        assert!(problem["errors"][field].is_array(), "{body} → {}", reply.text);
    }
    let empty = app.secret_get("/alias/list").await;
    assert_eq!(empty.problem(400, None)["title"], "UserId is empty");
    assert_eq!(empty.body["errorCode"], Value::Null);
    // 250 characters is the limit, not over it.
    let ok = app.secret_post("/alias", json!({"userId": "u", "aliases": ["é".repeat(250)]})).await;
    assert_eq!(ok.status, 204, "{}", ok.text);
}

#[tokio::test]
async fn credentials_are_listed_with_every_field_and_deleted() {
    on_both_stores(credentials_are_listed_with_every_field_and_deleted_on).await;
}

async fn credentials_are_listed_with_every_field_and_deleted_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "user-1", json!({})).await;
    // Listed at once after registering (a consistent read on DynamoDB too).
    let list = values(&app.secret_get("/credentials/list?userId=user-1").await);
    assert_eq!(list.len(), 1);
    let c = &list[0];
    assert_eq!(c["descriptor"]["type"], "public-key");
    assert_eq!(unb64(c["descriptor"]["id"].as_str().unwrap()), passkey.credential_id);
    assert!(c["descriptor"].get("transports").is_none(), "absent transports are omitted");
    assert_eq!(STANDARD.decode(c["userHandle"].as_str().unwrap()).unwrap(), b"user-1");
    let cose = STANDARD.decode(c["publicKey"].as_str().unwrap()).unwrap();
    assert!(cose.len() > 60, "the COSE key, standard base64");
    assert_eq!(c["signatureCounter"], 0);
    assert_eq!(c["attestationFmt"], "none");
    assert_eq!(c["aaGuid"], "00000000-0000-0000-0000-000000000000");
    assert_eq!(c["rpid"], RP_ID);
    assert_eq!(c["origin"], ORIGIN);
    assert_eq!(c["country"], "");
    assert!(c["device"].is_string());
    assert_eq!(c["nickname"], "My key");
    assert_eq!(c["userId"], "user-1");
    assert_eq!(c["backupState"], false);
    assert_eq!(c["isBackupEligible"], false);
    for field in ["createdAt", "lastUsedAt"] {
        let date = c[field].as_str().unwrap();
        assert!(chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M:%S%.f").is_ok());
        assert!(!date.ends_with('Z'), "stored dates carry no Z, as upstream: {date}");
    }

    // POST with a body lists the same; GET without a user id names the parameter.
    let posted = values(&app.secret_post("/credentials/list", json!({"userId": "user-1"})).await);
    assert_eq!(posted, list);
    let missing = app.secret_get("/credentials/list").await;
    assert_eq!(
        missing.problem(400, None)["title"],
        "Required parameter \"string UserId\" was not provided from query string."
    );
    let null = app.secret_post("/credentials/list", json!({"userId": null})).await;
    assert_eq!(null.problem(400, None)["title"], "One or more validation errors occurred.");
    assert!(values(&app.secret_get("/credentials/list?userId=nobody").await).is_empty());

    // A sign-in moves the counter and the last use.
    let reply = app.signin(&mut passkey, json!({"userId": "user-1"})).await;
    reply.ok();
    let after = values(&app.secret_get("/credentials/list?userId=user-1").await);
    assert_eq!(after[0]["signatureCounter"], json!(passkey.counter));

    // Delete: bad input, unknown id, then the real one (base64url as listed).
    let delete = |id: Value| app.secret_post("/credentials/delete", json!({"credentialId": id}));
    let empty = delete(json!("")).await;
    assert_eq!(empty.problem(400, None)["title"], "credentialId must not be null or empty");
    delete(json!("*not base64*")).await.problem(400, None);
    delete(json!(b64(b"never registered"))).await.problem(404, Some("credential_not_found"));
    let gone = delete(c["descriptor"]["id"].clone()).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert!(values(&app.secret_get("/credentials/list?userId=user-1").await).is_empty());
    delete(c["descriptor"]["id"].clone()).await.problem(404, Some("credential_not_found"));
    // The deleted passkey can no longer sign in.
    let begin = app.signin_begin(json!({})).await;
    let assertion = passkey.get(&begin.ok()["data"], ORIGIN);
    let refused = app.signin_complete(begin.body["session"].as_str().unwrap(), assertion).await;
    refused.problem(400, Some("unknown_credential"));
}

#[tokio::test]
async fn users_are_listed_counted_and_deleted_whole() {
    on_both_stores(users_are_listed_counted_and_deleted_whole_on).await;
}

async fn users_are_listed_counted_and_deleted_whole_on(app: TestApp) {
    let mut alice = SoftPasskey::new();
    let mut alice2 = SoftPasskey::new();
    let mut bob = SoftPasskey::new();
    app.register(&mut alice, "alice", json!({"aliases": ["alice@x"], "aliasHashing": false})).await;
    app.register(&mut alice2, "alice", json!({})).await;
    app.register(&mut bob, "bob", json!({"aliases": ["bob@x"]})).await;
    // carol has only an alias: listed, not counted.
    let carol = app.secret_post("/alias", json!({"userId": "carol", "aliases": ["carol@x"]}));
    assert_eq!(carol.await.status, 204);

    let count = app.secret_get("/users/count").await;
    assert_eq!(count.ok()["count"], 2);
    let users = values(&app.secret_get("/users/list").await);
    let ids: Vec<&str> = users.iter().map(|u| u["userId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["alice", "bob", "carol"]);
    assert_eq!(users[0]["credentialsCount"], 2);
    assert_eq!(users[0]["aliasCount"], 1);
    assert_eq!(users[0]["aliases"], json!(["alice@x"]));
    assert!(users[0]["lastUsedAt"].is_string());
    assert_eq!(users[1]["aliases"], json!([null]), "hashed aliases are not shown");
    assert_eq!(users[2]["credentialsCount"], 0);
    assert_eq!(users[2]["lastUsedAt"], Value::Null);

    // Deleting alice removes both passkeys and her alias, and only hers.
    let deleted = app.secret_post("/users/delete", json!({"userId": "alice"})).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert!(deleted.text.is_empty(), "200 with an empty body, as upstream");
    assert!(values(&app.secret_get("/credentials/list?userId=alice").await).is_empty());
    assert!(values(&app.secret_get("/alias/list?userId=alice").await).is_empty());
    assert_eq!(app.secret_get("/users/count").await.ok()["count"], 1);
    let ids: Vec<String> = values(&app.secret_get("/users/list").await)
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["bob", "carol"]);
    // Her alias is free again, and her passkeys no longer sign in.
    let begin = app.signin_begin(json!({"alias": "alice@x"})).await;
    assert_eq!(begin.ok()["data"]["allowCredentials"], json!([]));
    let reclaimed = app.secret_post("/alias", json!({"userId": "dave", "aliases": ["alice@x"]}));
    assert_eq!(reclaimed.await.status, 204);
    let begin = app.signin_begin(json!({})).await;
    let assertion = alice.get(&begin.ok()["data"], ORIGIN);
    let refused = app.signin_complete(begin.body["session"].as_str().unwrap(), assertion).await;
    refused.problem(400, Some("unknown_credential"));
    // bob still signs in.
    app.signin(&mut bob, json!({"userId": "bob"})).await.ok();

    // Deleting nobody is fine; a missing user id is a validation problem.
    assert_eq!(app.secret_post("/users/delete", json!({"userId": "ghost"})).await.status, 200);
    let missing = app.secret_post("/users/delete", json!({})).await;
    assert!(missing.problem(400, None)["errors"]["userId"].is_array());
}

#[tokio::test]
async fn a_user_holds_at_most_32_passkeys() {
    on_both_stores(a_user_holds_at_most_32_passkeys_on).await;
}

async fn a_user_holds_at_most_32_passkeys_on(app: TestApp) {
    let aliases: Vec<String> = (0..10).map(|i| format!("many{i}@x")).collect();
    app.register(&mut SoftPasskey::new(), "many", json!({"aliases": aliases})).await;
    for _ in 1..32 {
        app.register(&mut SoftPasskey::new(), "many", json!({})).await;
    }
    let token = app.register_token("many", json!({})).await;
    app.register_begin(&token).await.problem(400, Some("max_credentials_reached"));
    // Deleting the user still removes all 32 and the 10 aliases at once.
    let deleted = app.secret_post("/users/delete", json!({"userId": "many"})).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert!(values(&app.secret_get("/credentials/list?userId=many").await).is_empty());
    assert!(values(&app.secret_get("/alias/list?userId=many").await).is_empty());
    assert!(app.register_begin(&token).await.status == 200);
}

#[tokio::test]
async fn backend_routes_need_a_secret() {
    on_both_stores(backend_routes_need_a_secret_on).await;
}

async fn backend_routes_need_a_secret_on(app: TestApp) {
    for path in
        ["/alias/list?userId=u", "/credentials/list?userId=u", "/users/list", "/users/count"]
    {
        let none = app.get_raw(path, &[]).await;
        assert_eq!(none.problem(401, None)["detail"], "A valid 'ApiSecret' header is required.");
        let public = app.get_raw(path, &[("ApiSecret", app.key.as_str())]).await;
        public.problem(401, None);
    }
    for path in ["/alias", "/credentials/delete", "/credentials/list", "/users/delete"] {
        app.post_raw(path, &[("ApiKey", app.key.as_str())], b"{}".to_vec())
            .await
            .problem(401, None);
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    on_both_stores(unknown_paths_and_methods_are_problems_on).await;
}

async fn unknown_paths_and_methods_are_problems_on(app: TestApp) {
    let unknown = app.get_raw("/no/such/thing", &[("ApiSecret", "garbage")]).await;
    unknown.problem(404, Some("not_found"));
    let wrong = app.get_raw("/users/delete", &[("ApiSecret", app.secret.as_str())]).await;
    wrong.problem(405, Some("method_not_allowed"));
    let wrong = app.secret_post("/users/list", json!({})).await;
    wrong.problem(405, Some("method_not_allowed"));
}
