//! Authentication configurations over HTTP, on both stores: the presets, add / update /
//! delete with their texts, and a purpose's user verification, hints and lifetime applied by
//! the sign-in that names it.

use crate::authenticator::SoftPasskey;
use crate::harness::{ORIGIN, TestApp, on_both_stores};
use chrono::DateTime;
use serde_json::{Value, json};

async fn configs(app: &TestApp, query: &str) -> Vec<Value> {
    let reply = app.secret_get(&format!("/auth-configs/list{query}")).await;
    reply.ok()["configurations"].as_array().expect("configurations").clone()
}

fn seconds(value: &Value) -> i64 {
    DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap().timestamp()
}

#[tokio::test]
async fn presets_and_custom_configurations() {
    on_both_stores(presets_and_custom_configurations_on).await;
}

async fn presets_and_custom_configurations_on(app: TestApp) {
    let all = configs(&app, "").await;
    let purposes: Vec<&str> = all.iter().map(|c| c["purpose"].as_str().unwrap()).collect();
    assert_eq!(purposes, ["step-up", "sign-in"]);
    for preset in &all {
        assert_eq!(preset["userVerificationRequirement"], "preferred");
        assert_eq!(preset["timeToLive"], 120);
        assert_eq!(preset["hints"], "");
        assert_eq!(preset["createdBy"], "System");
        assert_eq!(preset["lastUsedOn"], Value::Null);
    }

    let add = |body: Value| app.secret_post("/auth-configs/add", body);
    let payment = json!({"purpose": "payment", "userVerificationRequirement": "required",
        "timeToLive": "00:03:00", "hints": ["security-key", "hybrid"], "performedBy": "alice"});
    let created = add(payment.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(created.text.is_empty());
    let found = configs(&app, "?purpose=payment").await;
    assert_eq!(found.len(), 1);
    let c = &found[0];
    assert_eq!(c["userVerificationRequirement"], "required");
    assert_eq!(c["timeToLive"], 180);
    assert_eq!(c["hints"], "SecurityKey, Hybrid");
    assert_eq!(c["createdBy"], "alice");
    assert!(c["createdOn"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(c["editedBy"], Value::Null);
    assert_eq!(configs(&app, "").await.len(), 3);
    assert!(configs(&app, "?purpose=nothing-here").await.is_empty());
    assert_eq!(configs(&app, "?purpose=step-up").await[0]["createdBy"], "System");

    let again = add(payment.clone()).await;
    assert_eq!(again.problem(400, None)["title"], "The configuration payment already exists.");
    let preset = add(json!({"purpose": "sign-in", "performedBy": "alice"})).await;
    assert_eq!(preset.problem(400, None)["title"], "The configuration sign-in already exists.");
    for (body, field) in [
        (json!({"purpose": "has space", "performedBy": "a"}), "purpose"),
        (json!({"purpose": "x".repeat(256), "performedBy": "a"}), "purpose"),
        (json!({"performedBy": "a"}), "purpose"),
        (json!({"purpose": "p1", "timeToLive": "-00:00:10", "performedBy": "a"}), "timeToLive"),
        (json!({"purpose": "p1", "timeToLive": "eventually", "performedBy": "a"}), "timeToLive"),
        (
            json!({"purpose": "p1", "userVerificationRequirement": "sometimes", "performedBy": "a"}),
            "userVerificationRequirement",
        ),
        (json!({"purpose": "p1", "hints": ["telepathy"], "performedBy": "a"}), "hints"),
        (json!({"purpose": "p1", "hints": ["hybrid", "hybrid"], "performedBy": "a"}), "hints"),
        (json!({"purpose": "p1"}), "performedBy"),
    ] {
        let reply = add(body.clone()).await;
        assert!(reply.problem(400, None)["errors"][field].is_array(), "{body}: {}", reply.text);
    }

    // Update: a custom one, a preset (stored by its first edit), an unknown one.
    let update = |body: Value| app.secret_post("/auth-configs", body);
    let edited = update(json!({"purpose": "payment", "userVerificationRequirement": "preferred",
        "timeToLive": "00:01:00", "hints": [], "performedBy": "bob"}))
    .await;
    assert_eq!(edited.status, 204, "{}", edited.text);
    let c = &configs(&app, "?purpose=payment").await[0];
    assert_eq!((c["timeToLive"].clone(), c["hints"].clone()), (json!(60), json!("")));
    assert_eq!((c["createdBy"].clone(), c["editedBy"].clone()), (json!("alice"), json!("bob")));
    assert!(c["editedOn"].is_string());
    let step_up = update(json!({"purpose": "step-up", "userVerificationRequirement": "required",
        "timeToLive": "00:05:00", "performedBy": "bob"}))
    .await;
    assert_eq!(step_up.status, 204, "{}", step_up.text);
    let c = &configs(&app, "?purpose=step-up").await[0];
    assert_eq!((c["timeToLive"].clone(), c["editedBy"].clone()), (json!(300), json!("bob")));
    assert_eq!(configs(&app, "").await.len(), 3, "the edited preset is not listed twice");
    let unknown = update(json!({"purpose": "nope", "performedBy": "bob"})).await;
    assert_eq!(unknown.problem(404, None)["title"], "The configuration nope does not exist.");

    let delete = |purpose: &str| {
        app.secret_post("/auth-configs/delete", json!({"purpose": purpose, "performedBy": "bob"}))
    };
    assert_eq!(delete("payment").await.status, 204);
    assert!(configs(&app, "?purpose=payment").await.is_empty());
    delete("payment").await.problem(404, None);
    let preset = delete("sign-in").await;
    assert_eq!(preset.problem(400, None)["title"], "The sign-in configuration cannot be deleted.");
    assert_eq!(
        delete("step-up").await.problem(400, None)["title"],
        "The step-up configuration cannot be deleted."
    );
}

#[tokio::test]
async fn a_purpose_shapes_its_sign_ins() {
    on_both_stores(a_purpose_shapes_its_sign_ins_on).await;
}

async fn a_purpose_shapes_its_sign_ins_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "pat", json!({})).await;
    let added = app
        .secret_post(
            "/auth-configs/add",
            json!({"purpose": "payment", "userVerificationRequirement": "required",
                   "timeToLive": "00:03:00", "hints": ["security-key"], "performedBy": "ops"}),
        )
        .await;
    assert_eq!(added.status, 201);

    let begin = app.signin_begin(json!({"userId": "pat", "purpose": "payment"})).await;
    let data = begin.ok()["data"].clone();
    assert_eq!(data["userVerification"], "required");
    assert_eq!(data["hints"], json!(["security-key"]));

    // UV required but not performed: refused.
    passkey.user_verified = false;
    let assertion = passkey.get(&data, ORIGIN);
    let refused = app.signin_complete(begin.body["session"].as_str().unwrap(), assertion).await;
    refused.problem(400, Some("signin_complete_error"));

    // With UV: the token carries the purpose and lives the purpose's 180 s.
    passkey.user_verified = true;
    let done = app.signin(&mut passkey, json!({"userId": "pat", "purpose": "payment"})).await;
    let verified = app.verify(done.ok()["token"].as_str().unwrap()).await;
    let body = verified.ok();
    assert_eq!(body["purpose"], "payment");
    assert_eq!(seconds(&body["expiresAt"]) - seconds(&body["timestamp"]), 180);
    let c = &configs(&app, "?purpose=payment").await[0];
    assert!(c["lastUsedOn"].is_string(), "a sign-in records its configuration's use: {c}");

    // A plain sign-in materialises the sign-in preset's lastUsedOn; an unknown purpose is
    // a sign-in.
    let done = app.signin(&mut passkey, json!({"userId": "pat", "purpose": "made-up"})).await;
    let verified = app.verify(done.ok()["token"].as_str().unwrap()).await;
    assert_eq!(verified.ok()["purpose"], "sign-in");
    let c = &configs(&app, "?purpose=sign-in").await[0];
    assert!(c["lastUsedOn"].is_string(), "{c}");
    assert_eq!(c["createdBy"], "System");
}
