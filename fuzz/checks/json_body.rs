//! The checks of the `json_body` fuzz target, shared by `fuzz_targets/json_body.rs` (libFuzzer) and the
//! stable replay test `tests/it/fuzz_replay.rs`.
//!
//! Fuzzes the browser- and backend-facing JSON body parser, `ferrokey_http::json::parse`, into
//! the real body types, then the conversions the handlers run next:
//!
//! - `BrowserBody` → `dto::credential(body.response)` → `.into_registration()` (as
//!   `/register/complete` does) and `.into_assertion()` (as `/signin/complete` does), which
//!   decode the WebAuthn fields with the strict base64url engine;
//! - `RegisterTokenBody` → `.into_input()` (as `/register/token` does), which parses `expiresAt`.
//!
//! Why: every byte here comes from an untrusted client before any authentication of the
//! payload, and the design's rule is "bad input gets a 4xx, never a panic, never a 5xx".
//!
//! Invariants checked: no panic; every refusal maps (via `problem::describe`) to a 4xx; a body
//! that parses is valid UTF-8 and is blank or a JSON object; every accepted base64url field
//! re-encodes to exactly its input (minus trailing `=`), so `+`, `/` and non-canonical
//! trailing bits are refused; `expires_at` is set exactly when `expiresAt` was non-empty.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ferrokey_http::ApiError;
use ferrokey_http::dto::{self, BrowserBody, RegisterTokenBody};
use ferrokey_http::json;

/// A refusal must be a client error: the contract never answers bad input with a 5xx.
fn assert_4xx(error: &ApiError) {
    let (status, body) = ferrokey_http::problem::describe(error);
    assert!(status.is_client_error(), "bad input mapped to {status}: {error:?} → {body}");
}

/// An accepted base64url field is canonical URL-safe base64 with optional padding.
fn assert_canonical(field: &str, input: Option<&str>, decoded: &[u8]) {
    let input = input.unwrap_or_else(|| panic!("{field} decoded without an input"));
    assert_eq!(
        URL_SAFE_NO_PAD.encode(decoded),
        input.trim_end_matches('='),
        "{field}: accepted base64url does not round-trip"
    );
}

/// The base64url strings of a credential body, captured before the conversion consumes it.
struct Fields {
    id: Option<String>,
    rawid: Option<String>,
    attestationobject: Option<String>,
    clientdatajson: Option<String>,
    authenticatordata: Option<String>,
    signature: Option<String>,
    userhandle: Option<String>,
}

fn fields(body: &dto::CredentialBody) -> Fields {
    let inner = body.response.as_ref();
    let get = |f: fn(&dto::InnerResponse) -> &Option<String>| inner.and_then(|r| f(r).clone());
    Fields {
        id: body.id.clone(),
        rawid: body.rawid.clone(),
        attestationobject: get(|r| &r.attestationobject),
        clientdatajson: get(|r| &r.clientdatajson),
        authenticatordata: get(|r| &r.authenticatordata),
        signature: get(|r| &r.signature),
        userhandle: get(|r| &r.userhandle),
    }
}

fn check_ids(f: &Fields, id: &str, raw_id: &[u8]) {
    match &f.rawid {
        Some(raw) => assert_canonical("rawId", Some(raw), raw_id),
        None => assert_canonical("id", f.id.as_deref(), raw_id),
    }
    match &f.id {
        Some(given) => assert_eq!(id, given, "id must be echoed as sent"),
        // Without `id` the conversion writes rawId's text (padded: `dto` encodes with its
        // decoding engine, whose config pads); compare it unpadded.
        None => assert_eq!(
            id.trim_end_matches('='),
            URL_SAFE_NO_PAD.encode(raw_id),
            "a missing id must be rawId's base64url text"
        ),
    }
}

fn browser(data: &[u8]) {
    // Registration (/register/complete).
    let body = match json::parse::<BrowserBody>(data) {
        Ok(body) => body,
        Err(e) => return assert_4xx(&e),
    };
    check_accepted_shape(data);
    match dto::credential(body.response) {
        Err(e) => assert_4xx(&e),
        Ok(cred) => {
            let f = fields(&cred);
            match cred.into_registration() {
                Err(e) => assert_4xx(&e),
                Ok(reg) => {
                    check_ids(&f, &reg.id, &reg.raw_id);
                    let r = &reg.response;
                    let ao = f.attestationobject.as_deref();
                    assert_canonical("attestationObject", ao, &r.attestation_object);
                    let cd = f.clientdatajson.as_deref();
                    assert_canonical("clientDataJSON", cd, &r.client_data_json);
                }
            }
        }
    }

    // Assertion (/signin/complete): the conversion consumes the body, so parse it again.
    let Ok(body) = json::parse::<BrowserBody>(data) else {
        panic!("parse is not deterministic");
    };
    if let Ok(cred) = dto::credential(body.response) {
        let f = fields(&cred);
        match cred.into_assertion() {
            Err(e) => assert_4xx(&e),
            Ok(a) => {
                check_ids(&f, &a.id, &a.raw_id);
                let r = &a.response;
                let ad = f.authenticatordata.as_deref();
                assert_canonical("authenticatorData", ad, &r.authenticator_data);
                assert_canonical(
                    "clientDataJSON",
                    f.clientdatajson.as_deref(),
                    &r.client_data_json,
                );
                assert_canonical("signature", f.signature.as_deref(), &r.signature);
                match &r.user_handle {
                    Some(h) => assert_canonical("userHandle", f.userhandle.as_deref(), h),
                    None => assert!(f.userhandle.as_deref().unwrap_or_default().is_empty()),
                }
            }
        }
    }
}

fn register_token(data: &[u8]) {
    let body = match json::parse::<RegisterTokenBody>(data) {
        Ok(body) => body,
        Err(e) => return assert_4xx(&e),
    };
    check_accepted_shape(data);
    let had_expiry = body.expiresat.as_deref().is_some_and(|v| !v.is_empty());
    match body.into_input() {
        Err(e) => assert_4xx(&e),
        Ok(input) => assert_eq!(input.expires_at.is_some(), had_expiry),
    }
}

/// What `json::parse` promises of any body it accepts.
fn check_accepted_shape(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        panic!("a body that is not UTF-8 was accepted");
    };
    if !text.trim().is_empty() {
        let value: serde_json::Value = serde_json::from_str(text).expect("accepted body is JSON");
        assert!(value.is_object(), "accepted body is not an object");
    }
}

/// The target's body: checks one input (any bytes).
pub fn check(data: &[u8]) {
    browser(data);
    register_token(data);
}
