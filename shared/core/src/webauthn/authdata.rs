//! Reads the descriptive fields a stored credential keeps (AAGUID, COSE public key bytes, flags)
//! from an attestation object. This is metadata extraction only: webauthn-rs has already
//! verified the same bytes before this runs.

use ciborium::value::Value;

/// What the authenticator data of a registration says about the new credential.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthDataInfo {
    pub format: String,
    pub aaguid: [u8; 16],
    pub public_key: Vec<u8>,
    pub backup_eligible: bool,
    pub backup_state: bool,
}

/// Parses an attestation object; `None` if it is not a well-formed one with credential data.
pub fn parse_attestation_object(bytes: &[u8]) -> Option<AuthDataInfo> {
    let value: Value = ciborium::de::from_reader(bytes).ok()?;
    let map = value.as_map()?;
    let field = |name: &str| map.iter().find(|(k, _)| k.as_text() == Some(name)).map(|(_, v)| v);
    let format = field("fmt")?.as_text()?.to_string();
    let auth = field("authData")?.as_bytes()?;
    // rpIdHash(32) flags(1) signCount(4) aaguid(16) credIdLen(2) credId(L) publicKey(COSE)
    let flags = *auth.get(32)?;
    const ATTESTED_DATA: u8 = 0x40;
    if flags & ATTESTED_DATA == 0 {
        return None;
    }
    let aaguid: [u8; 16] = auth.get(37..53)?.try_into().ok()?;
    let id_len = usize::from(u16::from_be_bytes(auth.get(53..55)?.try_into().ok()?));
    let key_start = 55 + id_len;
    let mut rest = auth.get(key_start..)?;
    let before = rest.len();
    let _key: Value = ciborium::de::from_reader(&mut rest).ok()?;
    let key_len = before - rest.len();
    Some(AuthDataInfo {
        format,
        aaguid,
        public_key: auth.get(key_start..key_start + key_len)?.to_vec(),
        backup_eligible: flags & 0x08 != 0,
        backup_state: flags & 0x10 != 0,
    })
}
