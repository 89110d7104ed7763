//! Reporting over HTTP, on both stores: daily snapshots taken by the job, today's numbers live.

use crate::authenticator::SoftPasskey;
use crate::harness::{TestApp, on_both_stores};
use chrono::Duration;
use serde_json::{Value, json};

fn day(app: &TestApp, offset_days: i64) -> String {
    (app.service.clock.now() + Duration::days(offset_days)).date_naive().to_string()
}

async fn report(app: &TestApp, kind: &str, from: &str, to: &str) -> Vec<Value> {
    let reply = app.secret_get(&format!("/reporting/{kind}/periodic?from={from}&to={to}")).await;
    reply.ok().as_array().expect("an array").clone()
}

#[tokio::test]
async fn reports_count_users_passkeys_and_activity_per_day() {
    on_both_stores(reports_count_users_passkeys_and_activity_per_day_on).await;
}

async fn reports_count_users_passkeys_and_activity_per_day_on(app: TestApp) {
    let (mut alice, mut alice2, mut bob) =
        (SoftPasskey::new(), SoftPasskey::new(), SoftPasskey::new());
    app.register(&mut alice, "alice", json!({})).await;
    app.register(&mut alice2, "alice", json!({})).await;
    app.register(&mut bob, "bob", json!({})).await;
    let d0 = day(&app, 0);
    // Today is computed live.
    let live = report(&app, "credentials", &d0, &d0).await;
    assert_eq!(live, [json!({"createdAt": d0, "users": 2, "credentials": 3})]);
    let stored = ferrokey_core::ops::reports::snapshot_all(&app.service).await.unwrap();
    assert!(stored >= 1);

    // The next day only bob signs in.
    app.clock.advance(Duration::days(1));
    app.signin(&mut bob, json!({"userId": "bob"})).await.ok();
    let d1 = day(&app, 0);
    let active = report(&app, "active-users", &d0, &d1).await;
    assert_eq!(
        active,
        [
            json!({"createdAt": d0, "dailyActiveUsers": 2, "weeklyActiveUsers": 2, "totalUsers": 2}),
            json!({"createdAt": d1, "dailyActiveUsers": 1, "weeklyActiveUsers": 2, "totalUsers": 2}),
        ]
    );
    ferrokey_core::ops::reports::snapshot_all(&app.service).await.unwrap();

    // A week on, nobody was active within the week; stored days stay as they were.
    app.clock.advance(Duration::days(7));
    let d8 = day(&app, 0);
    let week = report(&app, "active-users", &d0, &d8).await;
    assert_eq!(week.len(), 3, "two stored days and today: {week:?}");
    assert_eq!(week[1]["dailyActiveUsers"], 1);
    assert_eq!(
        week[2],
        json!({"createdAt": d8, "dailyActiveUsers": 0, "weeklyActiveUsers": 0, "totalUsers": 2})
    );
    let creds = report(&app, "credentials", &d1, &d1).await;
    assert_eq!(creds, [json!({"createdAt": d1, "users": 2, "credentials": 3})]);

    for (query, expect_title) in [
        (
            "to=2026-01-01",
            Some("Required parameter \"DateOnly from\" was not provided from query string."),
        ),
        (
            "from=yesterday&to=2026-01-01",
            Some("Failed to bind parameter \"DateOnly from\" from \"yesterday\"."),
        ),
        ("from=2026-02-01&to=2026-01-01", None),
        ("from=2020-01-01&to=2026-01-01", None),
    ] {
        let reply = app.secret_get(&format!("/reporting/credentials/periodic?{query}")).await;
        let problem = reply.problem(400, None);
        match expect_title {
            Some(title) => assert_eq!(problem["title"], title),
            None => assert!(problem["errors"].is_object(), "{query}"),
        }
    }
}
