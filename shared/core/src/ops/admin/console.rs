//! The built-in `console` app: the console signs admins in through Ferrokey's own ceremony, as
//! any app's users sign in. Its users are the admins (user id = admin id, alias = email).

use crate::StoreError;
use crate::error::DomainError;
use crate::keys::{self, Caller};
use crate::model::{App, KeyKind, Scope};
use crate::service::Service;

/// The console app's id (reserved: no one can create an app with it).
pub const CONSOLE_APP: &str = "console";

/// App ids no one may create.
pub fn is_reserved(app_id: &str) -> bool {
    app_id == CONSOLE_APP
}

/// The caller Ferrokey itself acts as inside the console app. The console app has no secret
/// key at all, so nothing outside this process can mint its register tokens or redeem its
/// verify tokens: only the admin use cases here can.
pub fn caller() -> Caller {
    Caller {
        app_id: CONSOLE_APP.into(),
        key_id: String::new(),
        performed_by: Some("Ferrokey".into()),
    }
}

/// Creates the console app with one public key if it does not exist yet; returns that key.
pub async fn ensure(svc: &Service) -> Result<String, DomainError> {
    if let Some(key) = public_key(svc).await? {
        return Ok(key);
    }
    let now = svc.clock.now();
    let minted = keys::mint_key(
        &svc.hasher,
        CONSOLE_APP,
        KeyKind::Public,
        Scope::defaults(KeyKind::Public),
        now,
    );
    let app = App::new(CONSOLE_APP, now);
    match svc.store.create_app(&app, std::slice::from_ref(&minted.record)).await {
        Ok(()) => {
            tracing::info!("created the built-in console app");
            Ok(minted.value)
        }
        // Another host created it at the same moment: use theirs.
        Err(StoreError::Conflict(_)) => public_key(svc)
            .await?
            .ok_or_else(|| DomainError::Internal("console app exists without a public key".into())),
        Err(e) => Err(e.into()),
    }
}

/// The console app's first unlocked public key, if the app exists.
async fn public_key(svc: &Service) -> Result<Option<String>, DomainError> {
    let keys = svc.store.list_api_keys(CONSOLE_APP).await?;
    Ok(keys.into_iter().filter(|k| k.kind == KeyKind::Public && !k.locked).find_map(|k| k.value))
}

/// `GET /console/config.json`: what the console page hands the official browser client.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsoleConfig {
    pub api_url: String,
    pub api_key: String,
}

pub async fn config(svc: &Service) -> Result<ConsoleConfig, DomainError> {
    Ok(ConsoleConfig { api_url: svc.admin.public_url.clone(), api_key: ensure(svc).await? })
}

/// The host console passkeys are bound to (the public URL's), for checking verify tokens.
pub fn rp_host(svc: &Service) -> Option<String> {
    url::Url::parse(&svc.admin.public_url).ok().and_then(|u| u.host_str().map(String::from))
}
