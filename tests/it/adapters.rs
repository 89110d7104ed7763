//! The mail and object ports on both adapter sets: SES and S3 through moto (read back from
//! moto itself), the outbox folder and the object folder on disk.

use ferrokey_core::ports::{Mail, Mailer, ObjectSink};
use serde_json::Value;

fn mail(subject: &str) -> Mail {
    Mail {
        from: "noreply@ferrokey.example".into(),
        to: "alice@example.com".into(),
        subject: subject.into(),
        text: "Sign in: https://app.example.com/login?token=verify_abc".into(),
        html: Some(
            "<p><a href=\"https://app.example.com/login?token=verify_abc\">Sign in</a></p>".into(),
        ),
    }
}

#[tokio::test]
async fn ses_sends_through_moto() {
    let endpoint = crate::moto::shared();
    let client = crate::moto::sesv2(endpoint);
    // As on AWS, the sender identity must exist first.
    client.create_email_identity().email_identity("noreply@ferrokey.example").send().await.unwrap();
    let mailer = ferrokey_aws::SesMailer::new(client);
    let subject = format!("Sign in to app.example.com {}", crate::moto::unique_table());
    let id = mailer.send(&mail(&subject)).await.unwrap();
    assert!(!id.is_empty());

    let data: Value = crate::moto::dump(endpoint).await;
    let sent = data["ses"]["Message"].as_array().expect("moto keeps sent messages");
    let message = sent.iter().find(|m| m["subject"] == subject.as_str()).expect("our message");
    assert_eq!(message["source"], "noreply@ferrokey.example");
    assert_eq!(message["destinations"]["ToAddresses"][0], "alice@example.com");
    // moto keeps only the HTML part when both are sent.
    assert!(
        message["body"]
            .as_str()
            .unwrap()
            .contains("https://app.example.com/login?token=verify_abc")
    );

    // An unverified sender is refused, not retried forever.
    let mut unverified = mail("nope");
    unverified.from = "someone@else.example".into();
    assert!(mailer.send(&unverified).await.is_err());
}

#[tokio::test]
async fn outbox_writes_a_readable_message() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = ferrokey_embedded::OutboxMailer::new(dir.path().join("outbox"));
    let mut m = mail("Sign in to app.example.com");
    m.subject.push_str("\r\nBcc: evil@example.com");
    mailer.send(&m).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox")).unwrap().collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(eml.contains("From: noreply@ferrokey.example\r\n"));
    assert!(eml.contains("To: alice@example.com\r\n"));
    assert!(
        eml.contains("Subject: Sign in to app.example.com  Bcc: evil@example.com\r\n"),
        "no header injection"
    );
    assert!(!eml.contains("\r\nBcc:"));
    assert!(eml.contains("Content-Type: text/plain"));
    assert!(eml.contains("Content-Type: text/html"));
    assert!(eml.contains("https://app.example.com/login?token=verify_abc"));
}

/// put/get/list round trip, paging, missing keys and hostile keys.
async fn object_round_trip(sink: &dyn ObjectSink) {
    assert!(sink.list("rollups/").await.unwrap().is_empty());
    assert_eq!(sink.get("rollups/app1/2026-11-27.json").await.unwrap(), None);
    for day in ["2026-11-25", "2026-11-26", "2026-11-27"] {
        let body = format!("{{\"day\":\"{day}\"}}").into_bytes();
        sink.put(&format!("rollups/app1/{day}.json"), body, "application/json").await.unwrap();
    }
    sink.put("billing/2026-11.json", b"{}".to_vec(), "application/json").await.unwrap();
    // Overwrite is allowed and wins.
    sink.put("rollups/app1/2026-11-27.json", b"{\"day\":\"new\"}".to_vec(), "application/json")
        .await
        .unwrap();
    assert_eq!(
        sink.get("rollups/app1/2026-11-27.json").await.unwrap(),
        Some(b"{\"day\":\"new\"}".to_vec())
    );
    assert_eq!(
        sink.list("rollups/app1/").await.unwrap(),
        vec![
            "rollups/app1/2026-11-25.json",
            "rollups/app1/2026-11-26.json",
            "rollups/app1/2026-11-27.json"
        ]
    );
    assert_eq!(sink.list("").await.unwrap().len(), 4);
    for bad in ["../escape", "/abs", "a//b", "a/./b", "sp ace", ""] {
        assert!(sink.put(bad, vec![], "text/plain").await.is_err(), "{bad:?} accepted");
        assert!(sink.get(bad).await.is_err(), "{bad:?} accepted");
    }
}

#[tokio::test]
async fn objects_round_trip_on_s3_and_on_disk() {
    let client = crate::moto::s3(crate::moto::shared());
    let bucket = crate::moto::unique_table();
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    // Two keys per page, so listing must follow continuation tokens.
    let sink = ferrokey_aws::S3Sink::new(client, bucket).with_page_size(2);
    object_round_trip(&sink).await;

    let dir = tempfile::tempdir().unwrap();
    object_round_trip(&ferrokey_embedded::FolderSink::new(dir.path())).await;
    assert!(!dir.path().parent().unwrap().join("escape").exists());
}
