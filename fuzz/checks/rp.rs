//! The checks of the `rp` fuzz target, shared by `fuzz_targets/rp.rs` (libFuzzer) and the
//! stable replay test `tests/it/fuzz_replay.rs`.
//!
//! Fuzzes `ferrokey_core::rp::validate(Some(rp_id), Some(origin))`, the RP ID / Origin check
//! run before any challenge is issued, on arbitrary UTF-8 split in two at the first newline
//! (`<rp_id>\n<origin>`; without a newline the same text is used for both).
//!
//! Why: both members come from the browser body on every ceremony request, and the check is
//! a security boundary (an origin outside the RP ID must never be accepted); it lower-cases,
//! trims and URL-parses caller text.
//!
//! Invariants checked: no panic; refusals are 4xx; an accepted pair has a lower-case RP ID
//! equal to the trimmed input, an origin over https (or http for `localhost` /
//! `*.localhost`) whose host is the RP ID or a subdomain of it; inputs and the normalised
//! origin at most 512 bytes and the host at most 253 (after IDNA: fuzz/crashes/rp/); and
//! validating the normalised (RP ID, origin) again accepts it unchanged (idempotence).
use ferrokey_core::rp::{MAX_RP_FIELD_BYTES, validate};

/// The target's body: checks one input (libFuzzer hands the target UTF-8 only, as here).
pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let (rp_id, origin) = s.split_once('\n').unwrap_or((s, s));
    let rp = match validate(Some(rp_id), Some(origin)) {
        Ok(rp) => rp,
        Err(e) => {
            let (status, _) = ferrokey_http::problem::describe(&e.into());
            assert!(status.is_client_error(), "{status} for {s:?}");
            return;
        }
    };
    assert_eq!(rp.rp_id, rp_id.trim().to_ascii_lowercase());
    assert!(!rp.rp_id.is_empty() && rp.rp_id.len() <= MAX_RP_FIELD_BYTES);
    assert!(origin.trim().len() <= MAX_RP_FIELD_BYTES);
    let host = rp.origin_url.host_str().expect("accepted origin has a host").to_ascii_lowercase();
    assert!(
        host == rp.rp_id || host.ends_with(&format!(".{}", rp.rp_id)),
        "host {host:?} is outside RP ID {:?}",
        rp.rp_id
    );
    let localhost = host == "localhost" || host.ends_with(".localhost");
    match rp.origin_url.scheme() {
        "https" => assert!(rp.origin.starts_with("https://")),
        "http" => assert!(localhost && rp.origin.starts_with("http://")),
        other => panic!("accepted scheme {other:?}"),
    }
    // Found by this target (fuzz/crashes/rp/): the bound must hold after IDNA, too.
    assert!(
        rp.origin.len() <= MAX_RP_FIELD_BYTES,
        "normalised origin is {} bytes",
        rp.origin.len()
    );
    assert!(host.len() <= 253, "host is {} bytes", host.len());
    let again = validate(Some(&rp.rp_id), Some(&rp.origin))
        .unwrap_or_else(|e| panic!("normalised {:?} / {:?} refused: {e:?}", rp.rp_id, rp.origin));
    assert_eq!((&again.rp_id, &again.origin), (&rp.rp_id, &rp.origin));
}
