//! The checks of the `tokens` fuzz target, shared by `fuzz_targets/tokens.rs` (libFuzzer) and the
//! stable replay test `tests/it/fuzz_replay.rs`.
//!
//! Fuzzes `ferrokey_core::tokens::parse(kind, Some(&s))` for every `TokenKind` on arbitrary
//! UTF-8: the shape check every register, session and verify token passes before the store is
//! asked for it by hash.
//!
//! Why: token strings come straight from clients (`token`, `session` members); the check
//! slices the string by the prefix length, so a multi-byte character straddling the prefix
//! boundary or a case-folded prefix must not panic, and garbage must be a 400, not a 5xx.
//!
//! Invariants checked: no panic; an accepted token starts with its kind's prefix (ASCII case
//! ignored), is that prefix plus exactly 32 base64url characters (24 bytes), and yields a
//! 64-lowercase-hex-char hash that does not depend on the prefix's case; the three prefixes
//! are disjoint, so at most one kind accepts a string; refusals are 4xx with the contract's
//! codes (`missing_token` exactly for the empty string).
use ferrokey_core::DomainError;
use ferrokey_core::model::TokenKind;
use ferrokey_core::tokens;

const KINDS: [TokenKind; 3] = [TokenKind::Register, TokenKind::Session, TokenKind::Verify];

fn check_kind(kind: TokenKind, s: &str) -> bool {
    let prefix = kind.prefix();
    match tokens::parse(kind, Some(s)) {
        Ok(hash) => {
            assert_eq!(hash.len(), 64, "hash {hash:?} of {s:?} is not 64 chars");
            assert!(hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')), "{hash:?}");
            assert!(s.len() == prefix.len() + 32, "accepted {s:?} has the wrong length");
            assert!(s[..prefix.len()].eq_ignore_ascii_case(prefix), "accepted {s:?}");
            let body = &s[prefix.len()..];
            assert!(body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            // The stored hash is the body's: the prefix's case must not change it.
            let lower = format!("{prefix}{body}");
            let upper = format!("{}{body}", prefix.to_ascii_uppercase());
            assert_eq!(tokens::parse(kind, Some(&lower)).ok().as_ref(), Some(&hash));
            assert_eq!(tokens::parse(kind, Some(&upper)).ok().as_ref(), Some(&hash));
            true
        }
        Err(e) => {
            let code = match &e {
                DomainError::BadRequest { code, .. } => *code,
                other => panic!("unexpected error kind for {s:?}: {other:?}"),
            };
            assert_eq!(code == Some("missing_token"), s.is_empty(), "{s:?} → {code:?}");
            assert!(
                matches!(code, Some("missing_token" | "invalid_token" | "invalid_token_format")),
                "{code:?}"
            );
            let (status, _) = ferrokey_http::problem::describe(&e.into());
            assert!(status.is_client_error(), "{status}");
            false
        }
    }
}

/// The target's body: checks one input (libFuzzer hands the target UTF-8 only, as here).
pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let accepted = KINDS.iter().filter(|&&kind| check_kind(kind, s)).count();
    assert!(accepted <= 1, "{s:?} accepted by {accepted} kinds");
    // `None` is the missing member: always `missing_token`.
    for kind in KINDS {
        assert!(tokens::parse(kind, None).is_err());
    }
}
