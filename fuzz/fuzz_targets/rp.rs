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
#![no_main]

#[path = "../checks/rp.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
