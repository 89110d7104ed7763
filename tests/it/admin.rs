//! Console sign-in over HTTP on both stores: invitation → passkey registration through the
//! built-in `console` app → admin session, and every way of being refused (used or expired
//! invitations, another app's verify token, garbage, expired, revoked sessions), the
//! management key, recovery by email, and admins inviting and removing admins.

use crate::admin_client::{
    Auth, call, console_signin, exchange, invite, register_console_passkey, sign_up,
};
use crate::authenticator::SoftPasskey;
use crate::harness::{CONSOLE_URL, TestApp, on_both_stores};
use chrono::Duration;
use serde_json::json;

async fn accept(app: &TestApp, code: &str) -> crate::harness::Reply {
    let body = json!({"code": code}).to_string().into_bytes();
    app.post_raw("/admin/invites/accept", &[("Content-Type", "application/json")], body).await
}

#[tokio::test]
async fn an_invited_admin_signs_up_with_a_passkey_and_gets_a_session() {
    on_both_stores(signs_up_on).await;
}

async fn signs_up_on(app: TestApp) {
    let config = app.get_raw("/console/config.json", &[]).await;
    assert_eq!(config.ok()["apiUrl"], CONSOLE_URL);
    assert!(config.body["apiKey"].as_str().unwrap().starts_with("console:public:"));

    let admin = sign_up(&app, "ann@example.com", "acme").await;
    assert_eq!(admin.email, "ann@example.com");
    let me = call(&app, "GET", "/admin/session", admin.auth(), None).await;
    assert_eq!(me.ok()["admin"]["email"], "ann@example.com");
    assert_eq!(me.body["via"], "AdminSession");
    assert_eq!(call(&app, "GET", "/admin/apps", admin.auth(), None).await.ok(), &json!([]));
    // Admins are the console app's users: the passkey is listed under the admin's id.
    assert_eq!(app.service.store.list_credentials("console", &admin.id).await.unwrap().len(), 1);

    // Signing in again later with the passkey, by the email as alias.
    let mut passkey = admin.passkey;
    let verify = console_signin(&app, &mut passkey, "ann@example.com").await;
    let second = exchange(&app, &verify).await;
    assert_eq!(second.ok()["admin"]["id"], admin.id.as_str());
    // The verify token was redeemed: it cannot mint a second session.
    exchange(&app, &verify).await.problem(400, Some("invalid_token"));
    // The console events name the admin.
    let events = app
        .service
        .store
        .list_events("console", app.clock_now() - Duration::days(1), 0, 50)
        .await
        .unwrap();
    let kinds: Vec<String> = events.iter().map(|e| e.kind.name()).collect();
    for kind in [
        "AdminSendAdminInvite",
        "AdminAcceptedInvite",
        "AdminOrganizationCreated",
        "AdminSignInTokenVerified",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn used_expired_and_unknown_invitations_are_refused() {
    on_both_stores(invitations_on).await;
}

async fn invitations_on(app: TestApp) {
    accept(&app, "invite_nope").await.problem(400, Some("invalid_invite"));
    accept(&app, "").await.problem(400, Some("invalid_invite"));
    let code = invite(&app, "bob@example.com", "acme").await;
    // Accepting twice before registering is fine (a reload of the page) …
    let token = accept(&app, &code).await.ok()["token"].as_str().unwrap().to_string();
    accept(&app, &code).await.ok();
    let mut passkey = SoftPasskey::new();
    let verify = register_console_passkey(&app, &mut passkey, &token).await;
    exchange(&app, &verify).await.ok();
    // … but once the admin exists the invitation is used up.
    accept(&app, &code).await.problem(400, Some("invalid_invite"));
    // An existing admin cannot be invited again.
    let again =
        ferrokey_core::ops::admin::org::invite(&app.service, None, Some("bob@example.com"), "t")
            .await;
    assert!(matches!(
        again,
        Err(ferrokey_core::DomainError::Conflict { code: "admin_exists", .. })
    ));

    // An invitation expires after 72 hours, also for an admin-to-be who accepted and
    // registered just before: the session exchange right after the deadline is refused.
    let late = invite(&app, "cy@example.com", "acme").await;
    app.clock.advance(Duration::hours(72) - Duration::seconds(30));
    let token = accept(&app, &late).await.ok()["token"].as_str().unwrap().to_string();
    let mut passkey = SoftPasskey::new();
    let verify = register_console_passkey(&app, &mut passkey, &token).await;
    app.clock.advance(Duration::seconds(45));
    exchange(&app, &verify).await.problem(400, Some("invalid_invite"));
    accept(&app, &late).await.problem(400, Some("invalid_invite"));
    assert!(app.service.store.find_admin("cy@example.com").await.unwrap().is_none());
}

#[tokio::test]
async fn sessions_are_refused_when_garbage_foreign_expired_or_signed_out() {
    on_both_stores(sessions_on).await;
}

async fn sessions_on(app: TestApp) {
    let admin = sign_up(&app, "ann@example.com", "acme").await;
    // Another app's verify token does not sign anyone in to the console.
    let mut passkey = SoftPasskey::new();
    let foreign = app.register(&mut passkey, admin.id.as_str(), json!({})).await;
    exchange(&app, &foreign).await.problem(400, Some("invalid_token"));
    exchange(&app, "verify_garbage").await.problem(400, Some("invalid_token_format"));
    exchange(&app, "").await.problem(400, Some("missing_token"));

    for bad in ["admin_garbage", "nonsense", "admin_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
        let refused = call(&app, "GET", "/admin/apps", Auth::Session(bad), None).await;
        refused.problem(401, Some("invalid_admin_session"));
        assert_eq!(refused.headers["www-authenticate"], "Bearer");
    }
    // No credentials at all: the contract's ManagementKey problem.
    let none = call(&app, "GET", "/admin/apps", Auth::None, None).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.body["title"], "A valid 'ManagementKey' header is required.");

    // Idle expiry: 12 hours without a request ends the session; use keeps it alive.
    app.clock.advance(Duration::hours(11));
    call(&app, "GET", "/admin/session", admin.auth(), None).await.ok();
    app.clock.advance(Duration::hours(11));
    call(&app, "GET", "/admin/session", admin.auth(), None).await.ok();
    app.clock.advance(Duration::hours(13));
    call(&app, "GET", "/admin/session", admin.auth(), None)
        .await
        .problem(401, Some("invalid_admin_session"));

    // Absolute expiry: 7 days after sign-in, however busy.
    let mut passkey = admin.passkey;
    let verify = console_signin(&app, &mut passkey, "ann@example.com").await;
    let session = exchange(&app, &verify).await.ok()["session"].as_str().unwrap().to_string();
    for _ in 0..15 {
        app.clock.advance(Duration::hours(11));
        call(&app, "GET", "/admin/session", Auth::Session(&session), None).await.ok();
    }
    app.clock.advance(Duration::hours(11));
    call(&app, "GET", "/admin/session", Auth::Session(&session), None)
        .await
        .problem(401, Some("invalid_admin_session"));

    // Sign-out revokes the session at once.
    let verify = console_signin(&app, &mut passkey, "ann@example.com").await;
    let session = exchange(&app, &verify).await.ok()["session"].as_str().unwrap().to_string();
    assert_eq!(
        call(&app, "DELETE", "/admin/session", Auth::Session(&session), None).await.status,
        204
    );
    call(&app, "GET", "/admin/session", Auth::Session(&session), None)
        .await
        .problem(401, Some("invalid_admin_session"));
}

#[tokio::test]
async fn the_management_key_works_and_is_compared_exactly() {
    on_both_stores(management_on).await;
}

async fn management_on(app: TestApp) {
    let listed = call(&app, "GET", "/admin/apps", Auth::Management, None).await;
    let apps = listed.ok().as_array().unwrap();
    assert!(apps.iter().any(|a| a["appId"] == "testapp"), "every app: {apps:?}");
    let me = call(&app, "GET", "/admin/session", Auth::Management, None).await;
    assert_eq!(me.ok()["via"], "ManagementKey");
    for wrong in ["test management ke", "test management key2", "TEST MANAGEMENT KEY", "x"] {
        let headers = [("ManagementKey", wrong)];
        let refused = app.get_raw("/admin/apps", &headers).await;
        assert_eq!(refused.status, 401, "{wrong:?}");
        assert_eq!(refused.headers["www-authenticate"], "ManagementKey");
    }
    // Organization routes are about a signed-in admin's own organization.
    call(&app, "GET", "/admin/org/admins", Auth::Management, None)
        .await
        .problem(403, Some("admin_session_required"));
}

#[tokio::test]
async fn recovery_mails_a_one_time_sign_in_link_and_says_nothing_about_strangers() {
    on_both_stores(recovery_on).await;
}

async fn recovery_on(app: TestApp) {
    let admin = sign_up(&app, "ann@example.com", "acme").await;
    let headers = [("Content-Type", "application/json")];
    let ask = |email: &str| json!({"email": email}).to_string().into_bytes();
    assert_eq!(
        app.post_raw("/admin/recover", &headers, ask("nobody@example.com")).await.status,
        204
    );
    assert!(app.mail_to("nobody@example.com").await.is_empty());
    app.post_raw("/admin/recover", &headers, ask("x")).await.problem(400, None);
    assert_eq!(app.post_raw("/admin/recover", &headers, ask("ANN@example.com")).await.status, 204);
    let mails = app.mail_to("ann@example.com").await;
    let link =
        mails.iter().map(|m| m.link()).find(|l| l.contains("/recover/")).expect("a recovery link");
    assert!(link.starts_with(&format!("{CONSOLE_URL}/console/#/recover/verify_")), "{link}");
    let token = link.rsplit('/').next().unwrap();
    let session = exchange(&app, token).await;
    assert_eq!(session.ok()["admin"]["id"], admin.id.as_str());
    exchange(&app, token).await.problem(400, Some("invalid_token"));
    // Signed in by the link, the admin can add a new passkey.
    let session = session.body["session"].as_str().unwrap();
    let token =
        call(&app, "POST", "/admin/session/register-token", Auth::Session(session), None).await;
    let token = token.ok()["token"].as_str().unwrap().to_string();
    let mut passkey = SoftPasskey::new();
    let verify = register_console_passkey(&app, &mut passkey, &token).await;
    exchange(&app, &verify).await.ok();
    assert_eq!(app.service.store.list_credentials("console", &admin.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn admins_invite_and_remove_admins_but_never_the_last() {
    on_both_stores(org_on).await;
}

async fn org_on(app: TestApp) {
    let ann = sign_up(&app, "ann@example.com", "acme").await;
    let invited = call(
        &app,
        "POST",
        "/admin/org/invites",
        ann.auth(),
        Some(json!({"email": "bob@example.com"})),
    )
    .await;
    let url = invited.ok()["inviteUrl"].as_str().unwrap().to_string();
    assert!(app.mail_to("bob@example.com").await.iter().any(|m| m.body.contains(&url)), "mailed");
    let code = url.rsplit('/').next().unwrap();
    let token = accept(&app, code).await.ok()["token"].as_str().unwrap().to_string();
    let mut passkey = SoftPasskey::new();
    let verify = register_console_passkey(&app, &mut passkey, &token).await;
    let bob = exchange(&app, &verify).await;
    assert_eq!(bob.ok()["admin"]["org"], "acme", "joins the inviter's organization");
    let bob_session = bob.body["session"].as_str().unwrap().to_string();
    let bob_id = bob.body["admin"]["id"].as_str().unwrap().to_string();

    let admins = call(&app, "GET", "/admin/org/admins", ann.auth(), None).await;
    let emails: Vec<&str> =
        admins.ok().as_array().unwrap().iter().map(|a| a["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["ann@example.com", "bob@example.com"]);
    // Another organization's admin is not found from here.
    let other = sign_up(&app, "zed@example.com", "zorg").await;
    call(&app, "DELETE", &format!("/admin/org/admins/{}", other.id), ann.auth(), None)
        .await
        .problem(404, Some("admin_not_found"));
    // Removing Bob ends his session and deletes his console passkeys.
    assert_eq!(
        call(&app, "DELETE", &format!("/admin/org/admins/{bob_id}"), ann.auth(), None).await.status,
        204
    );
    call(&app, "GET", "/admin/session", Auth::Session(&bob_session), None)
        .await
        .problem(401, Some("invalid_admin_session"));
    assert!(app.service.store.list_credentials("console", &bob_id).await.unwrap().is_empty());
    // Ann is the last admin of acme.
    call(&app, "DELETE", &format!("/admin/org/admins/{}", ann.id), ann.auth(), None)
        .await
        .problem(400, Some("last_admin"));
}
