//! The checks of the `attestation` fuzz target, shared by `fuzz_targets/attestation.rs` (libFuzzer) and the
//! stable replay test `tests/it/fuzz_replay.rs`.
//!
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
use ferrokey_core::webauthn::parse_attestation_object;

/// The target's body: checks one input (any bytes).
pub fn check(data: &[u8]) {
    let Some(info) = parse_attestation_object(data) else {
        return;
    };
    assert!(!info.public_key.is_empty(), "accepted with an empty public key");
    assert!(info.public_key.len() <= data.len());
    let mut rest = info.public_key.as_slice();
    let key: Result<ciborium::value::Value, _> = ciborium::de::from_reader(&mut rest);
    assert!(key.is_ok(), "public key bytes are not one CBOR item");
    assert!(rest.is_empty(), "public key bytes carry trailing data");
    assert_eq!(parse_attestation_object(data), Some(info));
}
