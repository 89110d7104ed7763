//! The store conformance suite, admin half: key listing and deletion, app deletion with its
//! tombstone, organizations' apps, admins, and token extension — on SQLite and on DynamoDB.

use crate::conformance::{alias, conflict, credential, each_store, register, token};
use chrono::{Duration, Utc};
use ferrokey_core::events::{Event, EventKind};
use ferrokey_core::model::{Admin, ApiKeyRecord, App, KeyKind, Scope, TokenKind};
use ferrokey_core::ports::{AdminRemoval, KeyDeletion};

fn key(app: &str, id: &str, hash: &str, kind: KeyKind) -> ApiKeyRecord {
    ApiKeyRecord {
        app_id: app.into(),
        key_id: id.into(),
        key_hash: hash.into(),
        kind,
        scopes: Scope::defaults(kind),
        locked: false,
        created_at: Utc::now(),
        value: None,
        last_locked_at: None,
        last_unlocked_at: None,
    }
}

#[tokio::test]
async fn keys_are_listed_and_deleted_only_when_locked() {
    each_store(|store| async move {
        let app = App::new("one", Utc::now());
        let keys =
            [key("one", "aaaa", "h1", KeyKind::Public), key("one", "bbbb", "h2", KeyKind::Secret)];
        store.create_app(&app, &keys).await.unwrap();
        store
            .create_app(&App::new("two", Utc::now()), &[key("two", "aaaa", "h3", KeyKind::Public)])
            .await
            .unwrap();
        let listed = store.list_api_keys("one").await.unwrap();
        assert_eq!(listed.iter().map(|k| k.key_id.as_str()).collect::<Vec<_>>(), ["aaaa", "bbbb"]);
        assert_eq!(store.delete_api_key("one", "aaaa").await.unwrap(), KeyDeletion::NotLocked);
        assert!(store.get_api_key("h1").await.unwrap().is_some(), "an unlocked key stays");
        let at = Utc::now();
        assert!(store.set_api_key_locked("one", "aaaa", true, at).await.unwrap());
        let locked = store.get_api_key("h1").await.unwrap().unwrap();
        assert_eq!(
            locked.last_locked_at.map(|t| t.timestamp_millis()),
            Some(at.timestamp_millis())
        );
        assert_eq!(store.delete_api_key("one", "aaaa").await.unwrap(), KeyDeletion::Deleted);
        assert!(store.get_api_key("h1").await.unwrap().is_none());
        assert!(
            store.get_api_key("h3").await.unwrap().is_some(),
            "another app's key of the same id stays"
        );
        assert_eq!(store.delete_api_key("one", "aaaa").await.unwrap(), KeyDeletion::NotFound);
        assert_eq!(store.list_api_keys("one").await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn deleting_an_app_removes_its_data_and_keeps_the_id_taken() {
    each_store(|store| async move {
        let mut app = App::new("gone", Utc::now());
        app.org = Some("acme".into());
        store.create_app(&app, &[key("gone", "aaaa", "g1", KeyKind::Public)]).await.unwrap();
        let mut other = App::new("kept", Utc::now());
        other.org = Some("acme".into());
        store.create_app(&other, &[key("kept", "aaaa", "k1", KeyKind::Public)]).await.unwrap();
        store.create_app(&App::new("elsewhere", Utc::now()), &[]).await.unwrap();
        let orgs: Vec<String> =
            store.list_org_apps("acme").await.unwrap().into_iter().map(|a| a.app_id).collect();
        assert_eq!(orgs, ["gone", "kept"]);
        for (app_id, user) in [("gone", "u1"), ("kept", "u2")] {
            register(
                store.as_ref(),
                credential(app_id, b"cred-1", user, 0),
                Some(vec![alias("al", Some("a@x"))]),
            )
            .await
            .unwrap();
            let event = Event::new(app_id, EventKind::ApiUserDeleted, Utc::now(), "", user, "m");
            store.append_events(&[event]).await.unwrap();
        }
        store.put_token(&token("t-gone", "gone", TokenKind::Register, 60)).await.unwrap();

        assert!(store.delete_app("gone").await.unwrap());
        assert!(store.get_app("gone").await.unwrap().is_none());
        assert!(store.get_api_key("g1").await.unwrap().is_none());
        assert!(store.get_credential("gone", b"cred-1").await.unwrap().is_none());
        assert!(store.list_aliases("gone", "u1").await.unwrap().is_empty());
        assert_eq!(store.count_users("gone").await.unwrap(), 0);
        assert!(
            store
                .list_events("gone", Utc::now() - Duration::days(1), 0, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // The id stays taken for good, so nothing of the old app can pass for a new one's.
        assert!(store.app_id_taken("gone").await.unwrap());
        conflict(store.create_app(&App::new("gone", Utc::now()), &[]).await);
        assert!(!store.delete_app("gone").await.unwrap());
        // The other app is untouched.
        assert!(store.get_credential("kept", b"cred-1").await.unwrap().is_some());
        assert_eq!(
            store.list_events("kept", Utc::now() - Duration::days(1), 0, 10).await.unwrap().len(),
            1
        );
        assert!(store.get_api_key("k1").await.unwrap().is_some());
        assert!(!store.app_id_taken("never").await.unwrap());
        assert!(store.app_id_taken("kept").await.unwrap());
    })
    .await;
}

fn admin(id: &str, email: &str, org: &str) -> Admin {
    Admin { id: id.into(), email: email.into(), org: org.into(), created_at: Utc::now() }
}

#[tokio::test]
async fn admins_are_unique_by_email_and_the_last_one_stays() {
    each_store(|store| async move {
        assert!(!store.has_admins().await.unwrap());
        store.add_admin(&admin("a1", "ann@x.test", "acme")).await.unwrap();
        assert!(store.has_admins().await.unwrap());
        conflict(store.add_admin(&admin("a2", "ann@x.test", "other")).await);
        store.add_admin(&admin("a3", "bob@x.test", "acme")).await.unwrap();
        store.add_admin(&admin("a4", "cy@x.test", "other")).await.unwrap();
        assert_eq!(store.get_admin("a1").await.unwrap().unwrap().email, "ann@x.test");
        assert_eq!(store.find_admin("bob@x.test").await.unwrap().unwrap().id, "a3");
        assert!(store.find_admin("nobody@x.test").await.unwrap().is_none());
        let acme: Vec<String> =
            store.list_admins("acme").await.unwrap().into_iter().map(|a| a.email).collect();
        assert_eq!(acme, ["ann@x.test", "bob@x.test"]);
        assert_eq!(store.remove_admin("other", "a1").await.unwrap(), AdminRemoval::NotFound);
        assert_eq!(store.remove_admin("acme", "a1").await.unwrap(), AdminRemoval::Removed);
        assert_eq!(store.remove_admin("acme", "a3").await.unwrap(), AdminRemoval::LastAdmin);
        assert!(store.get_admin("a3").await.unwrap().is_some());
        assert!(store.find_admin("ann@x.test").await.unwrap().is_none());
        // The removed admin's email is free again.
        store.add_admin(&admin("a5", "ann@x.test", "acme")).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn tokens_can_be_extended_in_their_own_app_only() {
    each_store(|store| async move {
        store.put_token(&token("s1", "console", TokenKind::AdminSession, 60)).await.unwrap();
        let later = Utc::now() + Duration::hours(2);
        assert!(store.extend_token("console", "s1", "{\"x\":1}", later).await.unwrap());
        let got = store.get_token("console", "s1").await.unwrap().unwrap();
        assert_eq!(got.payload, "{\"x\":1}");
        assert_eq!(got.expires_at.timestamp_millis(), later.timestamp_millis());
        assert_eq!(got.kind, TokenKind::AdminSession);
        assert!(!store.extend_token("other", "s1", "{}", later).await.unwrap());
        assert!(!store.extend_token("console", "missing", "{}", later).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn events_between_two_instants_oldest_first_half_open() {
    each_store(|store| async move {
        let day = chrono::DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z").unwrap().to_utc();
        let at = |ms: i64| day + Duration::milliseconds(ms);
        let next = 86_400_000;
        for (i, ms) in [-1, 0, 1, 5000, next - 1, next, next + 1].into_iter().enumerate() {
            let e = Event::new("one", EventKind::ApiUserDeleted, at(ms), "", &format!("u{i}"), "m");
            store.append_events(&[e]).await.unwrap();
        }
        let other = Event::new("two", EventKind::ApiUserDeleted, at(10), "", "x", "m");
        store.append_events(&[other]).await.unwrap();
        let got = store.list_events_between("one", day, at(next)).await.unwrap();
        let subjects: Vec<&str> = got.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["u1", "u2", "u3", "u4"], "[day, next day), oldest first");
        assert!(
            store.list_events_between("one", at(next + 2), at(2 * next)).await.unwrap().is_empty()
        );
    })
    .await;
}
