//! Two apps on one shared store and one Router, over HTTP, on both stores: nothing of app A
//! (tokens, sessions, passkeys, aliases, users, events) is usable or visible with app B's keys,
//! and B's failed attempts leave A's tokens usable.

use crate::authenticator::SoftPasskey;
use crate::harness::{ORIGIN, RP_ID, TestApp, on_both_stores};
use serde_json::json;

#[tokio::test]
async fn tokens_and_sessions_of_one_app_are_invalid_for_another() {
    on_both_stores(tokens_and_sessions_of_one_app_are_invalid_for_another_on).await;
}

async fn tokens_and_sessions_of_one_app_are_invalid_for_another_on(a: TestApp) {
    let b = a.sibling("appbee").await;
    // A's register token at B's begin.
    let token = a.register_token("alice", json!({})).await;
    b.register_begin(&token).await.problem(400, Some("invalid_token"));
    // A's registration session at B's complete; A completes it afterwards.
    let begin = a.register_begin(&token).await;
    let mut passkey = SoftPasskey::new();
    let response = passkey.create(&begin.ok()["data"], ORIGIN);
    let session = begin.body["session"].as_str().unwrap().to_string();
    b.register_complete(&session, response.clone()).await.problem(400, Some("invalid_token"));
    let done = a.register_complete(&session, response).await;
    let verify_token = done.ok()["token"].as_str().unwrap().to_string();
    // A's verify token with B's secret: refused, and not used up.
    b.verify(&verify_token).await.problem(400, Some("invalid_token"));
    assert_eq!(a.verify(&verify_token).await.ok()["userId"], "alice");

    // A's sign-in session at B's complete; A's passkey answering B's discoverable sign-in.
    let begin = a.signin_begin(json!({"userId": "alice"})).await;
    let assertion = passkey.get(&begin.ok()["data"], ORIGIN);
    let a_session = begin.body["session"].as_str().unwrap().to_string();
    b.signin_complete(&a_session, assertion.clone()).await.problem(400, Some("invalid_token"));
    a.signin_complete(&a_session, assertion).await.ok();
    let begin = b.signin_begin(json!({})).await;
    let assertion = passkey.get(&begin.ok()["data"], ORIGIN);
    let refused = b.signin_complete(begin.body["session"].as_str().unwrap(), assertion).await;
    refused.problem(400, Some("unknown_credential"));
    // Generated tokens are bound the same way.
    let generated = a.secret_post("/signin/generate-token", json!({"userId": "alice"})).await;
    let generated = generated.ok()["token"].as_str().unwrap().to_string();
    b.verify(&generated).await.problem(400, Some("invalid_token"));
    a.verify(&generated).await.ok();
}

#[tokio::test]
async fn users_passkeys_aliases_and_events_are_per_app() {
    on_both_stores(users_passkeys_aliases_and_events_are_per_app_on).await;
}

async fn users_passkeys_aliases_and_events_are_per_app_on(a: TestApp) {
    let b = a.sibling("appbee").await;
    let mut passkey = SoftPasskey::new();
    a.register(&mut passkey, "alice", json!({"aliases": ["alice@x"], "aliasHashing": false})).await;
    let id = crate::authenticator::b64(&passkey.credential_id);

    let listed = b.secret_get("/credentials/list?userId=alice").await;
    assert_eq!(listed.ok()["values"], json!([]));
    assert_eq!(b.secret_get("/alias/list?userId=alice").await.ok()["values"], json!([]));
    assert_eq!(b.secret_get("/users/list").await.ok()["values"], json!([]));
    assert_eq!(b.secret_get("/users/count").await.ok()["count"], 0);
    // B cannot delete A's passkey or user; A still has both.
    b.secret_post("/credentials/delete", json!({"credentialId": id}))
        .await
        .problem(404, Some("credential_not_found"));
    assert_eq!(b.secret_post("/users/delete", json!({"userId": "alice"})).await.status, 200);
    assert_eq!(a.secret_get("/users/count").await.ok()["count"], 1);
    let mine = a.secret_get("/credentials/list?userId=alice").await;
    assert_eq!(mine.ok()["values"].as_array().unwrap().len(), 1);
    // Aliases are per app: B may use the same one, and B's alias sign-in finds nothing of A.
    let same = b.secret_post("/alias", json!({"userId": "bob", "aliases": ["alice@x"]})).await;
    assert_eq!(same.status, 204, "{}", same.text);
    let begin = b.signin_begin(json!({"alias": "alice@x"})).await;
    assert_eq!(begin.ok()["data"]["allowCredentials"], json!([]));
    let begin = a.signin_begin(json!({"alias": "alice@x", "RPID": RP_ID})).await;
    assert_eq!(begin.ok()["data"]["allowCredentials"].as_array().unwrap().len(), 1);
    // Each app's log holds only its own events: B registered nobody.
    let events = b.secret_get("/events?pageNumber=1").await;
    for event in events.ok()["events"].as_array().unwrap() {
        assert_eq!(event["tenantId"], "appbee", "{event}");
        let kind = event["eventType"].as_str().unwrap();
        assert!(!kind.starts_with("ApiAuthPasskey") && kind != "ApiAuthUserRegistered", "{event}");
    }
}
