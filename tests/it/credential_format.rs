//! Stored passkeys survive library upgrades: a credential written in today's format (1) loads
//! from a committed fixture and rebuilds into webauthn-rs's type, and a row in the old form
//! (webauthn-rs 0.6's JSON inside, format 0) still reads, to the same key and policy.

use ferrokey_core::model::StoredCredential;
use ferrokey_core::webauthn::credential::credential;
use serde_json::Value;

fn fixture(name: &str) -> StoredCredential {
    let path = format!("{}/it/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} no longer loads: {e}"))
}

#[test]
fn both_formats_rebuild_the_same_credential() {
    let current = fixture("credential-format-1.json");
    let legacy = fixture("credential-format-0-webauthn-rs-0.6.json");
    assert_eq!(current.format, 1);
    assert_eq!(legacy.format, 0, "rows from before the format field read as format 0");
    assert!(current.webauthn.is_empty(), "format 1 keeps no webauthn-rs data");

    let (a, b) = (credential(&current).unwrap(), credential(&legacy).unwrap());
    let json = |c: &ferrokey_core::webauthn::proto::Credential| serde_json::to_value(c).unwrap();
    let (a, b): (Value, Value) = (json(&a), json(&b));
    for member in [
        "cred_id",
        "cred",
        "counter",
        "user_verified",
        "registration_policy",
        "backup_eligible",
        "backup_state",
    ] {
        assert_eq!(a[member], b[member], "{member}");
    }
    assert_eq!(a["cred"]["type_"], "ES256");
    assert!(
        a["cred"]["key"]["EC_EC2"]["x"].is_string() || a["cred"]["key"]["EC_EC2"]["x"].is_array()
    );
}

#[test]
fn the_stored_counter_and_flags_win_and_bad_rows_are_errors_not_panics() {
    let mut current = fixture("credential-format-1.json");
    current.signature_counter = 41;
    current.backup_state = true;
    let rebuilt = credential(&current).unwrap();
    assert_eq!((rebuilt.counter, rebuilt.backup_state), (41, true));

    let mut future = current.clone();
    future.format = 2;
    assert!(credential(&future).unwrap_err().contains("newer"));
    let mut broken = current.clone();
    broken.public_key = vec![0xff, 0x00];
    assert!(credential(&broken).is_err());
    let mut legacy = fixture("credential-format-0-webauthn-rs-0.6.json");
    legacy.webauthn = "{not json".into();
    assert!(credential(&legacy).is_err());
}
