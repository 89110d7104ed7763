//! A software ES256 passkey that speaks the official JS client's JSON (`AttestationObject`,
//! `clientDataJson`, no `userHandle`), with knobs for hostile cases: wrong RP ID, any origin,
//! counter control, no user verification, tampered signatures.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::value::Value as Cbor;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).expect("base64url from server")
}

pub struct SoftPasskey {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    pub counter: u32,
    /// Set by `create`: the rp.id and user.id it registered for.
    pub rp_id: String,
    pub user_handle: Vec<u8>,
    /// Sign with this RP ID's hash instead of the real one.
    pub rp_id_override: Option<String>,
    pub user_verified: bool,
    /// Flip a bit of the next signatures.
    pub tamper_signature: bool,
    /// The AAGUID it reports at registration (zero: says nothing).
    pub aaguid: [u8; 16],
    /// Backup eligible and backed up: a synced passkey (flags BE and BS).
    pub synced: bool,
}

impl SoftPasskey {
    pub fn new() -> Self {
        let mut id = vec![0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        SoftPasskey {
            key: SigningKey::random(&mut rand::rngs::OsRng),
            credential_id: id,
            counter: 0,
            rp_id: String::new(),
            user_handle: vec![],
            rp_id_override: None,
            user_verified: true,
            tamper_signature: false,
            aaguid: [0; 16],
            synced: false,
        }
    }

    fn auth_data(&self, rp_id: &str, attested: bool) -> Vec<u8> {
        let rp = self.rp_id_override.as_deref().unwrap_or(rp_id);
        let mut data = Sha256::digest(rp.as_bytes()).to_vec();
        let mut flags = 0x01; // UP
        if self.user_verified {
            flags |= 0x04;
        }
        if self.synced {
            flags |= 0x08 | 0x10;
        }
        if attested {
            flags |= 0x40;
        }
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        if attested {
            data.extend_from_slice(&self.aaguid);
            data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
            data.extend_from_slice(&self.credential_id);
            let point = self.key.verifying_key().to_encoded_point(false);
            let cose = Cbor::Map(vec![
                (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
                (Cbor::Integer(3.into()), Cbor::Integer((-7).into())),
                (Cbor::Integer((-1).into()), Cbor::Integer(1.into())),
                (Cbor::Integer((-2).into()), Cbor::Bytes(point.x().expect("x").to_vec())),
                (Cbor::Integer((-3).into()), Cbor::Bytes(point.y().expect("y").to_vec())),
            ]);
            ciborium::ser::into_writer(&cose, &mut data).expect("cbor");
        }
        data
    }

    fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
        json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
            .to_string()
            .into_bytes()
    }

    /// `navigator.credentials.create` on `/register/begin`'s `data`; returns the JS client's
    /// `response` member for `/register/complete`.
    pub fn create(&mut self, options: &Value, origin: &str) -> Value {
        self.rp_id = options["rp"]["id"].as_str().expect("rp.id").to_string();
        self.user_handle = unb64(options["user"]["id"].as_str().expect("user.id"));
        let challenge = options["challenge"].as_str().expect("challenge");
        let client_data = Self::client_data("webauthn.create", challenge, origin);
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(vec![])),
            (Cbor::Text("authData".into()), Cbor::Bytes(self.auth_data(&self.rp_id.clone(), true))),
        ]);
        let mut attestation_bytes = Vec::new();
        ciborium::ser::into_writer(&attestation, &mut attestation_bytes).expect("cbor");
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "clientExtensionResults": {"credProps": {"rk": true}},
            "response": {
                "AttestationObject": b64(&attestation_bytes),
                "clientDataJson": b64(&client_data),
            }
        })
    }

    /// `navigator.credentials.get` on `/signin/begin`'s `data`; returns the JS client's
    /// `response` member for `/signin/complete`. The counter goes up by one first.
    pub fn get(&mut self, options: &Value, origin: &str) -> Value {
        self.counter += 1;
        self.sign(options, origin)
    }

    /// Like `get` but with the counter as it is now.
    pub fn sign(&mut self, options: &Value, origin: &str) -> Value {
        let rp_id = options["rpId"].as_str().expect("rpId").to_string();
        let challenge = options["challenge"].as_str().expect("challenge");
        let client_data = Self::client_data("webauthn.get", challenge, origin);
        let auth_data = self.auth_data(&rp_id, false);
        let mut message = auth_data.clone();
        message.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&message);
        let mut der = signature.to_der().as_bytes().to_vec();
        if self.tamper_signature {
            let last = der.len() - 1;
            der[last] ^= 0x01;
        }
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "clientExtensionResults": {},
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJson": b64(&client_data),
                "signature": b64(&der),
            }
        })
    }
}
