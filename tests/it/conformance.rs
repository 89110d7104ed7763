//! The store conformance suite: every port method, run against SQLite and against DynamoDB on
//! moto, so the two adapter sets cannot drift.

use chrono::{DateTime, Duration, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::model::{
    AliasRecord, ApiKeyRecord, App, KeyKind, Scope, StoredCredential, TokenKind, TokenRecord,
};
use ferrokey_core::ports::{
    CONFLICT_ALIAS, CONFLICT_COUNTER, CONFLICT_CREDENTIAL, CONFLICT_SESSION, CredentialUse,
    RegistrationCommit, SigninCommit, Store,
};
use std::sync::Arc;

/// Runs `test` on a fresh SQLite store and a fresh DynamoDB table.
pub(crate) async fn each_store<F, Fut>(test: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = ferrokey_embedded::SqliteStore::open(&dir.path().join("t.db")).unwrap();
    println!("--- on SQLite");
    test(Arc::new(sqlite)).await;
    let client =
        crate::moto::dynamodb(crate::moto::shared(), None::<crate::harness::RequestCounter>);
    let table = crate::moto::unique_table();
    ferrokey_aws::create_table(&client, &table).await.unwrap();
    println!("--- on DynamoDB");
    // One item per Query page, so every listing must follow LastEvaluatedKey.
    test(Arc::new(ferrokey_aws::DynamoStore::new(client, table).with_page_size(1))).await;
}

pub(crate) fn conflict(result: Result<(), StoreError>) -> String {
    match result {
        Err(StoreError::Conflict(what)) => what,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

pub(crate) fn token(hash: &str, app: &str, kind: TokenKind, ttl_seconds: i64) -> TokenRecord {
    TokenRecord {
        token_hash: hash.into(),
        app_id: app.into(),
        kind,
        // Stores keep milliseconds.
        expires_at: DateTime::from_timestamp_millis(
            (Utc::now() + Duration::seconds(ttl_seconds)).timestamp_millis(),
        )
        .unwrap(),
        payload: format!("{{\"for\":\"{hash}\"}}"),
    }
}

pub(crate) fn credential(
    app: &str,
    id: &[u8],
    user: &str,
    created_offset: i64,
) -> StoredCredential {
    let at = Utc::now() + Duration::seconds(created_offset);
    StoredCredential {
        app_id: app.into(),
        credential_id: id.to_vec(),
        user_id: user.into(),
        user_handle: user.as_bytes().to_vec(),
        public_key: vec![1, 2, 3],
        signature_counter: 0,
        attestation_fmt: "none".into(),
        aaguid: Some("00000000-0000-0000-0000-000000000000".into()),
        transports: None,
        created_at: at,
        last_used_at: at,
        rp_id: "example.com".into(),
        origin: "https://example.com".into(),
        country: "".into(),
        device: "Other, Other".into(),
        nickname: Some("key".into()),
        backup_state: false,
        backup_eligible: false,
        discoverable: Some(true),
        format: 1,
        user_verified: true,
        registration_policy: None,
        webauthn: String::new(),
    }
}

pub(crate) fn alias(hash: &str, plaintext: Option<&str>) -> AliasRecord {
    AliasRecord { alias_hash: hash.into(), plaintext: plaintext.map(String::from) }
}

pub(crate) async fn register(
    store: &dyn Store,
    cred: StoredCredential,
    aliases: Option<Vec<AliasRecord>>,
) -> Result<(), StoreError> {
    let session = format!("s-{}-{}", cred.user_id, hex(&cred.credential_id));
    store.put_token(&token(&session, &cred.app_id, TokenKind::Session, 60)).await.unwrap();
    let commit = RegistrationCommit {
        session_hash: session.clone(),
        verify_token: token(&format!("v-{session}"), &cred.app_id, TokenKind::Verify, 60),
        credential: cred,
        aliases,
        events: vec![],
    };
    store.commit_registration(&commit).await
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn apps_and_keys() {
    each_store(|store| async move {
        let app = App::new("one", Utc::now());
        let key = ApiKeyRecord {
            app_id: "one".into(),
            key_id: "abcd".into(),
            key_hash: "h1".into(),
            kind: KeyKind::Public,
            scopes: Scope::defaults(KeyKind::Public),
            locked: false,
            created_at: Utc::now(),
            value: Some("one:public:abcd".into()),
            last_locked_at: None,
            last_unlocked_at: None,
        };
        store.create_app(&app, std::slice::from_ref(&key)).await.unwrap();
        assert!(store.get_app("one").await.unwrap().is_some());
        assert!(store.get_app("two").await.unwrap().is_none());
        assert_eq!(store.get_api_key("h1").await.unwrap(), Some(key.clone()));
        assert!(store.get_api_key("nope").await.unwrap().is_none());
        // A taken app id conflicts and writes none of the new keys.
        let other = ApiKeyRecord { key_hash: "h2".into(), ..key.clone() };
        conflict(store.create_app(&app, std::slice::from_ref(&other)).await);
        assert!(store.get_api_key("h2").await.unwrap().is_none());
        store.add_api_key(&other).await.unwrap();
        conflict(store.add_api_key(&other).await);
        assert!(store.set_api_key_locked("one", "abcd", true, Utc::now()).await.unwrap());
        assert!(store.get_api_key("h1").await.unwrap().unwrap().locked);
        assert!(store.get_api_key("h2").await.unwrap().unwrap().locked, "both keys share the id");
        assert!(store.set_api_key_locked("one", "abcd", false, Utc::now()).await.unwrap());
        assert!(!store.get_api_key("h1").await.unwrap().unwrap().locked);
        assert!(!store.set_api_key_locked("one", "zzzz", true, Utc::now()).await.unwrap());
        assert!(!store.set_api_key_locked("two", "abcd", true, Utc::now()).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn tokens_are_app_bound_and_taken_once() {
    each_store(|store| async move {
        let t = token("t1", "one", TokenKind::Verify, 60);
        store.put_token(&t).await.unwrap();
        assert_eq!(store.get_token("one", "t1").await.unwrap(), Some(t.clone()));
        assert!(store.get_token("two", "t1").await.unwrap().is_none());
        assert!(
            store.take_token("two", "t1").await.unwrap().is_none(),
            "another app cannot take it"
        );
        assert_eq!(store.take_token("one", "t1").await.unwrap(), Some(t));
        assert!(store.take_token("one", "t1").await.unwrap().is_none());
        assert!(store.get_token("one", "t1").await.unwrap().is_none());
        // Expired tokens are still returned: the caller says "expired", not "invalid".
        let old = token("t2", "one", TokenKind::Register, -30);
        store.put_token(&old).await.unwrap();
        assert_eq!(store.get_token("one", "t2").await.unwrap(), Some(old.clone()));
        assert_eq!(store.take_token("one", "t2").await.unwrap(), Some(old));
    })
    .await;
}

#[tokio::test]
async fn registration_commit_is_all_or_nothing() {
    each_store(|store| async move {
        register(
            store.as_ref(),
            credential("one", b"c1", "alice", 0),
            Some(vec![alias("a1", Some("alice@x"))]),
        )
        .await
        .unwrap();
        assert!(
            store.get_token("one", "s-alice-6331").await.unwrap().is_none(),
            "session consumed"
        );
        assert!(
            store.get_token("one", "v-s-alice-6331").await.unwrap().is_some(),
            "verify token stored"
        );
        let got = store.get_credential("one", b"c1").await.unwrap().unwrap();
        assert_eq!(got, credential("one", b"c1", "alice", 0).with_times(&got));
        assert!(
            store.get_credential("two", b"c1").await.unwrap().is_none(),
            "credentials are per app"
        );

        // Same credential id again: conflict, and the session and verify token are untouched.
        let duplicate = register(store.as_ref(), credential("one", b"c1", "bob", 1), None).await;
        assert_eq!(conflict(duplicate), CONFLICT_CREDENTIAL);
        assert!(store.get_token("one", "s-bob-6331").await.unwrap().is_some());
        assert!(store.get_token("one", "v-s-bob-6331").await.unwrap().is_none());

        // Bob cannot claim alice's alias; nothing of his registration is written.
        let taken = register(
            store.as_ref(),
            credential("one", b"c2", "bob", 2),
            Some(vec![alias("a1", None)]),
        )
        .await;
        assert_eq!(conflict(taken), CONFLICT_ALIAS);
        assert!(store.get_credential("one", b"c2").await.unwrap().is_none());
        assert!(store.get_token("one", "v-s-bob-6332").await.unwrap().is_none());

        // Alice's second passkey replaces her aliases.
        register(
            store.as_ref(),
            credential("one", b"c3", "alice", 3),
            Some(vec![alias("a2", None), alias("a3", None)]),
        )
        .await
        .unwrap();
        let owners = store
            .alias_owners("one", &["a1".into(), "a2".into(), "a3".into(), "zz".into()])
            .await
            .unwrap();
        let mut owned: Vec<(String, String)> =
            owners.into_iter().map(|o| (o.alias_hash, o.user_id)).collect();
        owned.sort();
        assert_eq!(owned, vec![("a2".into(), "alice".into()), ("a3".into(), "alice".into())]);
        assert!(store.alias_owners("two", &["a2".into()]).await.unwrap().is_empty());

        let listed: Vec<Vec<u8>> = store
            .list_credentials("one", "alice")
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.credential_id)
            .collect();
        assert_eq!(listed, vec![b"c1".to_vec(), b"c3".to_vec()], "oldest first");
        assert!(store.list_credentials("one", "nobody").await.unwrap().is_empty());

        // A consumed session cannot be committed.
        let commit = RegistrationCommit {
            session_hash: "never-issued".into(),
            credential: credential("one", b"c4", "carol", 4),
            aliases: None,
            verify_token: token("v4", "one", TokenKind::Verify, 60),
            events: vec![],
        };
        assert_eq!(conflict(store.commit_registration(&commit).await), CONFLICT_SESSION);
        assert!(store.get_credential("one", b"c4").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn signin_commit_compares_and_sets_the_counter() {
    each_store(|store| async move {
        register(store.as_ref(), credential("one", b"k1", "dave", 0), None).await.unwrap();
        store.put_token(&token("sess", "one", TokenKind::Session, 60)).await.unwrap();
        let (session, cred) = store.load_signin("one", "sess", b"k1").await.unwrap();
        assert!(session.is_some() && cred.is_some());
        let (session, cred) = store.load_signin("two", "sess", b"k1").await.unwrap();
        assert!(session.is_none() && cred.is_none(), "another app sees neither");
        let (_, cred) = store.load_signin("one", "sess", b"unknown").await.unwrap();
        assert!(cred.is_none());

        let used_at = Utc::now() + Duration::seconds(5);
        let change = CredentialUse {
            expected_counter: 7,
            new_counter: 8,
            backup_state: true,
            backup_eligible: true,
            last_used_at: used_at,
            country: "SE".into(),
            device: "Chrome, Mac OS X 10".into(),
        };
        let commit = SigninCommit {
            app_id: "one".into(),
            session_hash: "sess".into(),
            credential_id: b"k1".to_vec(),
            user_id: "dave".into(),
            change: change.clone(),
            verify_token: token("v-sess", "one", TokenKind::Verify, 60),
            events: vec![],
        };
        // The stored counter is 0, not 7: nothing happens.
        assert_eq!(conflict(store.commit_signin(&commit).await), CONFLICT_COUNTER);
        assert!(store.get_token("one", "sess").await.unwrap().is_some(), "session kept");
        assert!(store.get_token("one", "v-sess").await.unwrap().is_none(), "no verify token");

        let commit =
            SigninCommit { change: CredentialUse { expected_counter: 0, ..change }, ..commit };
        store.commit_signin(&commit).await.unwrap();
        let cred = store.get_credential("one", b"k1").await.unwrap().unwrap();
        assert_eq!(cred.signature_counter, 8);
        assert_eq!(cred.country, "SE");
        assert_eq!(cred.device, "Chrome, Mac OS X 10");
        assert!(cred.backup_state && cred.backup_eligible);
        assert_eq!(cred.last_used_at.timestamp_millis(), used_at.timestamp_millis());
        assert_eq!(store.list_credentials("one", "dave").await.unwrap()[0].signature_counter, 8);
        assert!(store.get_token("one", "v-sess").await.unwrap().is_some());
        // Replaying the commit: the session is gone.
        assert_eq!(conflict(store.commit_signin(&commit).await), CONFLICT_SESSION);
    })
    .await;
}

trait WithTimes {
    fn with_times(self, other: &StoredCredential) -> StoredCredential;
}

impl WithTimes for StoredCredential {
    /// Stores keep millisecond (or finer) times; compare everything else exactly.
    fn with_times(self, other: &StoredCredential) -> StoredCredential {
        StoredCredential { created_at: other.created_at, last_used_at: other.last_used_at, ..self }
    }
}

#[tokio::test]
async fn events_list_newest_first_with_offsets_and_counts() {
    use ferrokey_core::events::{Event, EventKind};
    each_store(|store| async move {
        let base = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
        let events: Vec<Event> = (0..7)
            .map(|i| {
                let at = base + Duration::seconds(i);
                Event::new("ev", EventKind::ApiUserDeleted, at, "abcd", &format!("u{i}"), "m")
            })
            .collect();
        store.append_events(&events[..3]).await.unwrap();
        let session = token("s-ev", "ev", TokenKind::Session, 60);
        store.put_token_with_events(&session, &events[3..]).await.unwrap();
        assert!(store.get_token("ev", "s-ev").await.unwrap().is_some());
        store
            .append_events(&[Event::new("other", EventKind::ApiUserDeleted, base, "", "x", "m")])
            .await
            .unwrap();

        let page = store.list_events("ev", base, 0, 3).await.unwrap();
        let subjects: Vec<&str> = page.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["u6", "u5", "u4"]);
        assert_eq!(page[0], events[6], "read back exactly as written");
        let next = store.list_events("ev", base, 3, 3).await.unwrap();
        let subjects: Vec<&str> = next.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["u3", "u2", "u1"]);
        assert_eq!(store.count_events("ev", base).await.unwrap(), 7);
        let since = base + Duration::seconds(5);
        assert_eq!(store.count_events("ev", since).await.unwrap(), 2);
        assert_eq!(store.list_events("ev", since, 0, 100).await.unwrap().len(), 2);
        assert!(store.list_events("ev", base, 7, 10).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn counters_stop_at_their_limit() {
    each_store(|store| async move {
        let until = Utc::now() + Duration::minutes(5);
        for _ in 0..3 {
            assert!(store.bump_counter("c", "w1", 3, until).await.unwrap());
        }
        assert!(!store.bump_counter("c", "w1", 3, until).await.unwrap(), "the 4th is refused");
        assert!(store.bump_counter("c", "w2", 3, until).await.unwrap());
        assert!(store.bump_counter("d", "w1", 3, until).await.unwrap(), "per app");
        let names = vec!["w1".to_string(), "w2".to_string(), "never".to_string()];
        assert_eq!(store.read_counters("c", &names).await.unwrap(), vec![3, 1, 0]);
        assert!(!store.bump_counter("c", "zero", 0, until).await.unwrap());
    })
    .await;
}
