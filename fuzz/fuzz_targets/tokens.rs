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
#![no_main]

#[path = "../checks/tokens.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
