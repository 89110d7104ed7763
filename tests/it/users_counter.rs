//! The users-with-passkeys count (`count_users`), on both stores: exact through registrations,
//! deletions and concurrent writes, readable as the `users-with-passkeys` counter, and right
//! from the first open of a SQLite file written before it existed.

use crate::conformance::{alias, conflict, credential, each_store, register};
use chrono::Utc;
use ferrokey_core::model::App;
use ferrokey_core::ports::{
    CONFLICT_CREDENTIAL, CONFLICT_USER_FULL, MAX_CREDENTIALS_PER_USER, Store,
};
use std::sync::Arc;

const COUNTER: &str = "users-with-passkeys";

/// `count_users` and the counter it reads, which must agree.
async fn count(store: &dyn Store, app: &str) -> u64 {
    let users = store.count_users(app).await.unwrap();
    let counter = store.read_counters(app, &[COUNTER.to_string()]).await.unwrap();
    assert_eq!(counter, [users], "count_users and read_counters disagree");
    users
}

/// A credential id unique to `(user, n)`.
fn id(user: &str, n: usize) -> Vec<u8> {
    format!("{user}/{n}").into_bytes()
}

#[tokio::test]
async fn registrations_and_deletions_move_the_count() {
    each_store(|store| async move {
        let s = &*store;
        assert_eq!(count(s, "cnt").await, 0, "no counter yet reads 0");
        register(s, credential("cnt", &id("u1", 0), "u1", 0), None).await.unwrap();
        assert_eq!(count(s, "cnt").await, 1);
        register(s, credential("cnt", &id("u2", 0), "u2", 0), None).await.unwrap();
        register(s, credential("cnt", &id("u2", 1), "u2", 1), None).await.unwrap();
        assert_eq!(count(s, "cnt").await, 2, "a second passkey is not a second user");
        // The alias path knows the count from its read: first and later passkeys.
        let aliases = Some(vec![alias("h3", Some("u3@example.com"))]);
        register(s, credential("cnt", &id("u3", 0), "u3", 0), aliases.clone()).await.unwrap();
        register(s, credential("cnt", &id("u3", 1), "u3", 1), aliases).await.unwrap();
        assert_eq!(count(s, "cnt").await, 3);
        // Aliases alone do not make a user with passkeys.
        s.set_aliases("cnt", "u4", &[alias("h4", None)]).await.unwrap();
        assert_eq!(count(s, "cnt").await, 3);
        // A refused registration counts nothing.
        let again = register(s, credential("cnt", &id("u1", 0), "u5", 0), None).await;
        assert_eq!(conflict(again), CONFLICT_CREDENTIAL);
        assert_eq!(count(s, "cnt").await, 3);
        // Other apps are counted apart.
        assert_eq!(count(s, "other").await, 0);

        // One of two goes: unchanged; the last goes: one fewer.
        assert!(s.delete_credential("cnt", &id("u2", 0)).await.unwrap().is_some());
        assert_eq!(count(s, "cnt").await, 3);
        assert!(s.delete_credential("cnt", &id("u2", 1)).await.unwrap().is_some());
        assert_eq!(count(s, "cnt").await, 2);
        assert!(s.delete_credential("cnt", &id("u2", 1)).await.unwrap().is_none());
        assert_eq!(count(s, "cnt").await, 2);
        // The user comes back: counted again.
        register(s, credential("cnt", &id("u2", 2), "u2", 2), None).await.unwrap();
        assert_eq!(count(s, "cnt").await, 3);

        // Deleting users: with passkeys one fewer; with only aliases, or nothing, unchanged.
        assert_eq!(s.delete_user("cnt", "u3").await.unwrap(), 2);
        assert_eq!(count(s, "cnt").await, 2);
        assert_eq!(s.delete_user("cnt", "u4").await.unwrap(), 0);
        assert_eq!(s.delete_user("cnt", "nobody").await.unwrap(), 0);
        assert_eq!(s.delete_user("cnt", "u3").await.unwrap(), 0);
        assert_eq!(count(s, "cnt").await, 2);
        assert_eq!(s.delete_user("cnt", "u1").await.unwrap(), 1);
        assert_eq!(s.delete_user("cnt", "u2").await.unwrap(), 1);
        assert_eq!(count(s, "cnt").await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_full_user_is_refused_and_not_counted_twice() {
    each_store(|store| async move {
        let s = &*store;
        for n in 0..MAX_CREDENTIALS_PER_USER {
            register(s, credential("full", &id("f", n), "f", n as i64), None).await.unwrap();
        }
        assert_eq!(count(s, "full").await, 1);
        let over = credential("full", &id("f", MAX_CREDENTIALS_PER_USER), "f", 99);
        assert_eq!(conflict(register(s, over.clone(), None).await), CONFLICT_USER_FULL);
        // The alias path reads the count before it writes.
        let over = credential("full", &id("f", MAX_CREDENTIALS_PER_USER + 1), "f", 99);
        let aliases = Some(vec![alias("hf", None)]);
        assert_eq!(conflict(register(s, over, aliases).await), CONFLICT_USER_FULL);
        assert_eq!(count(s, "full").await, 1);
    })
    .await;
}

// Several worker threads, so the calls really race.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_registrations_and_deletions_count_exactly() {
    let dir = tempfile::tempdir().unwrap();
    println!("--- on SQLite");
    concurrently(Arc::new(ferrokey_embedded::SqliteStore::open(&dir.path().join("t.db")).unwrap()))
        .await;
    let moto = crate::moto::SerialMoto::start();
    let client = crate::moto::dynamodb(&moto.endpoint, None::<crate::harness::RequestCounter>);
    let table = crate::moto::unique_table();
    ferrokey_aws::create_table(&client, &table).await.unwrap();
    println!("--- on DynamoDB");
    concurrently(Arc::new(ferrokey_aws::DynamoStore::new(client, table))).await;
}

async fn concurrently(store: Arc<dyn Store>) {
    // Eight passkeys of one new user at once: one more user.
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..8 {
        let store = store.clone();
        tasks.spawn(async move {
            register(&*store, credential("race", &id("same", n), "same", 0), None).await
        });
    }
    for done in tasks.join_all().await {
        done.unwrap();
    }
    assert_eq!(store.list_credential_ids("race", "same").await.unwrap().len(), 8);
    assert_eq!(count(&*store, "race").await, 1);

    // Eight new users at once, half with aliases (the path that reads the count): eight more;
    // and two more passkeys of the first user racing with them: no more.
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..10 {
        let store = store.clone();
        tasks.spawn(async move {
            let user = if n < 8 { format!("new{n}") } else { "same".to_string() };
            let aliases = (n % 2 == 0).then(|| vec![alias(&format!("a{n}"), None)]);
            register(&*store, credential("race", &id(&user, n), &user, 0), aliases).await
        });
    }
    for done in tasks.join_all().await {
        done.unwrap();
    }
    assert_eq!(count(&*store, "race").await, 9);

    // The user's last two passkeys deleted at once: exactly one fewer.
    let mut ids = store.list_credential_ids("race", "same").await.unwrap();
    let last_two = ids.split_off(ids.len() - 2);
    for id in &ids {
        assert!(store.delete_credential("race", id).await.unwrap().is_some());
    }
    assert_eq!(count(&*store, "race").await, 9);
    let mut tasks = tokio::task::JoinSet::new();
    for id in last_two {
        let store = store.clone();
        tasks.spawn(async move { store.delete_credential("race", &id).await });
    }
    for done in tasks.join_all().await {
        assert!(done.unwrap().is_some());
    }
    assert!(store.list_credential_ids("race", "same").await.unwrap().is_empty());
    assert_eq!(count(&*store, "race").await, 8);

    // Users deleted while others register a second passkey: exactly the deleted go.
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..8 {
        let store = store.clone();
        tasks.spawn(async move {
            let user = format!("new{n}");
            if n % 2 == 0 {
                store.delete_user("race", &user).await.map(|gone| assert_eq!(gone, 1))
            } else {
                register(&*store, credential("race", &id(&user, 100), &user, 1), None).await
            }
        });
    }
    for done in tasks.join_all().await {
        done.unwrap();
    }
    assert_eq!(count(&*store, "race").await, 4);
}

#[tokio::test]
async fn deleting_an_app_removes_its_count() {
    each_store(|store| async move {
        let s = &*store;
        s.create_app(&App::new("doomed", Utc::now()), &[]).await.unwrap();
        register(s, credential("doomed", &id("d", 0), "d", 0), None).await.unwrap();
        register(s, credential("doomed", &id("e", 0), "e", 0), None).await.unwrap();
        assert_eq!(count(s, "doomed").await, 2);
        assert!(s.delete_app("doomed").await.unwrap());
        assert_eq!(count(s, "doomed").await, 0);
        // The id stays reserved, so no new app can inherit anything under it.
        conflict(s.create_app(&App::new("doomed", Utc::now()), &[]).await);
    })
    .await;
}

/// A file written by the previous schema (migration 1: no counter row, no triggers) holds
/// credentials; after the upgrade on open the count is right and kept right.
#[tokio::test]
async fn a_sqlite_file_from_before_the_counter_is_counted_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let store: Arc<dyn Store> = Arc::new(ferrokey_embedded::SqliteStore::open(&path).unwrap());
    register(&*store, credential("old", &id("p", 0), "p", 0), None).await.unwrap();
    register(&*store, credential("old", &id("p", 1), "p", 1), None).await.unwrap();
    register(&*store, credential("old", &id("q", 0), "q", 0), None).await.unwrap();
    drop(store);
    {
        // Back to the previous schema: what migration 2 adds goes, its version with it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TRIGGER credentials_first_of_user;
             DROP TRIGGER credentials_last_of_user;
             DELETE FROM counters WHERE name = 'users-with-passkeys';
             PRAGMA user_version = 1;",
        )
        .unwrap();
        // Rows the previous code wrote, with no trigger to count them.
        for (app, cid, user) in [("old", "r/0", "r"), ("old", "r/1", "r"), ("older", "s/0", "s")] {
            conn.execute(
                "INSERT INTO credentials (app_id, credential_id, user_id, counter, record) VALUES (?1, ?2, ?3, 0, '{}')",
                rusqlite::params![app, cid.as_bytes(), user],
            )
            .unwrap();
        }
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, 1);
    }
    let store: Arc<dyn Store> = Arc::new(ferrokey_embedded::SqliteStore::open(&path).unwrap());
    assert_eq!(count(&*store, "old").await, 3);
    assert_eq!(count(&*store, "older").await, 1);
    // The triggers run from now on.
    assert_eq!(store.delete_user("old", "r").await.unwrap(), 2);
    assert_eq!(count(&*store, "old").await, 2);
    register(&*store, credential("older", &id("t", 0), "t", 0), None).await.unwrap();
    assert_eq!(count(&*store, "older").await, 2);
    drop(store);
    // Opening again counts nothing twice.
    let store: Arc<dyn Store> = Arc::new(ferrokey_embedded::SqliteStore::open(&path).unwrap());
    assert_eq!(count(&*store, "old").await, 2);
    // The purge of expired counter windows leaves the count alone.
    store.purge_tokens(Utc::now() + chrono::Duration::days(365 * 100)).await.unwrap();
    assert_eq!(count(&*store, "old").await, 2);
}
