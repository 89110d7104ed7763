//! Fuzzes `ferrokey_core::webauthn::parse_attestation_object` (ciborium CBOR decoding plus a
//! hand-written walk over the authenticator data: flags, AAGUID, credential id length, COSE
//! key) on arbitrary bytes.
//!
//! Why: in the service this runs after webauthn-rs has verified the same bytes, but it is our
//! own index arithmetic over attacker-supplied lengths (`credIdLen` is a u16 from the input),
//! so it must return `None` on anything malformed instead of panicking or over-allocating.
//!
//! Invariants checked: no panic (libFuzzer also flags huge allocations); an accepted object
//! yields a non-empty public key that is itself one well-formed CBOR item, and is no longer
//! than the input; the result is deterministic.
#![no_main]

#[path = "../checks/attestation.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
