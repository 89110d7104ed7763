//! Console sign-in (ADMIN-API.md §3): accepting an invitation, exchanging a `console` verify
//! token for an admin session, checking and ending sessions, and recovery by email.
//!
//! Sessions are opaque `admin_…` tokens stored by hash (a leaked database holds no usable
//! session), with an idle expiry that slides on use and an absolute one that never moves.

use super::console::{self, CONSOLE_APP};
use super::{AdminCaller, org};
use crate::error::DomainError;
use crate::events::{Event, EventKind};
use crate::model::{Admin, TokenKind, TokenRecord};
use crate::ops::register::{self, RegisterTokenInput};
use crate::ops::verify::{self, Proof};
use crate::ports::Mail;
use crate::service::Service;
use crate::tokens;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// An idle session's expiry is pushed forward at most this often (one write per admin a minute,
/// not one per request).
const REFRESH_EVERY_SECONDS: i64 = 60;
/// How long a register token from an accepted invitation, or a recovery link, is good for.
const SIGN_IN_LINK_MINUTES: i64 = 15;
/// Recovery mails one address may get per hour.
const RECOVERY_MAILS_PER_HOUR: u64 = 5;

#[derive(Debug, Serialize, Deserialize)]
struct SessionPayload {
    admin_id: String,
    created_at: DateTime<Utc>,
    refreshed_at: DateTime<Utc>,
}

/// What `POST /admin/session` answers.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    pub session: String,
    pub expires_at: DateTime<Utc>,
    pub admin: AdminView,
}

/// An admin as the API shows them.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminView {
    pub id: String,
    pub email: String,
    pub org: String,
}

impl From<&Admin> for AdminView {
    fn from(a: &Admin) -> Self {
        AdminView { id: a.id.clone(), email: a.email.clone(), org: a.org.clone() }
    }
}

fn expiry(svc: &Service, created_at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    (now + svc.admin.session_idle).min(created_at + svc.admin.session_absolute)
}

fn refused(detail: &str) -> DomainError {
    DomainError::NotSignedIn { detail: detail.to_string() }
}

/// Checks a bearer admin session and slides its idle expiry.
pub async fn check(svc: &Service, token: &str) -> Result<AdminCaller, DomainError> {
    let now = svc.clock.now();
    let hash = tokens::parse(TokenKind::AdminSession, Some(token))
        .map_err(|_| refused("The bearer token is not an admin session."))?;
    let record = svc.store.get_token(CONSOLE_APP, &hash).await?;
    let record = match record {
        Some(r) if r.kind == TokenKind::AdminSession => r,
        _ => return Err(refused("The session is unknown or was signed out.")),
    };
    if record.expires_at < now {
        return Err(refused("The session expired."));
    }
    let payload: SessionPayload = serde_json::from_str(&record.payload)
        .map_err(|e| DomainError::Internal(format!("admin session decode: {e}")))?;
    // Removing an admin ends their sessions at once: every request looks the admin up.
    let admin = svc
        .store
        .get_admin(&payload.admin_id)
        .await?
        .ok_or_else(|| refused("The admin was removed."))?;
    if (now - payload.refreshed_at).num_seconds() >= REFRESH_EVERY_SECONDS {
        let refreshed = SessionPayload { refreshed_at: now, ..payload };
        let text = serde_json::to_string(&refreshed)
            .map_err(|e| DomainError::Internal(format!("admin session encode: {e}")))?;
        let until = expiry(svc, refreshed.created_at, now);
        svc.store.extend_token(CONSOLE_APP, &hash, &text, until).await?;
    }
    Ok(AdminCaller::Admin { admin, session_hash: hash })
}

/// Opens a session for an admin.
async fn open(svc: &Service, admin: &Admin) -> Result<SignedIn, DomainError> {
    let now = svc.clock.now();
    let (session, hash) = tokens::mint(TokenKind::AdminSession);
    let payload = SessionPayload { admin_id: admin.id.clone(), created_at: now, refreshed_at: now };
    let expires_at = expiry(svc, now, now);
    let record = TokenRecord {
        token_hash: hash,
        app_id: CONSOLE_APP.into(),
        kind: TokenKind::AdminSession,
        expires_at,
        payload: serde_json::to_string(&payload)
            .map_err(|e| DomainError::Internal(format!("admin session encode: {e}")))?,
    };
    svc.store.put_token(&record).await?;
    Ok(SignedIn { session, expires_at, admin: admin.into() })
}

fn invalid_invite() -> DomainError {
    DomainError::bad_request(
        "invalid_invite",
        "This invitation is not valid: it is unknown, was already used, or expired. Ask an admin for a new one.",
    )
}

/// The record that remembers, between accepting an invitation and registering the passkey,
/// which invitation the admin id came from.
fn pending_hash(admin_id: &str) -> String {
    format!("pending-invite-{admin_id}")
}

/// `POST /admin/invites/accept`: a register token of the console app for the invited admin.
/// The invitation stays valid until the registration's verify token is exchanged.
pub async fn accept(svc: &Service, code: Option<&str>) -> Result<String, DomainError> {
    console::ensure(svc).await?;
    let now = svc.clock.now();
    let invite =
        match tokens::read(svc.store.as_ref(), CONSOLE_APP, TokenKind::Invite, code, now).await {
            Ok(record) => record,
            Err(_) => {
                let event = Event::new(
                    CONSOLE_APP,
                    EventKind::AdminInvalidInviteUsed,
                    now,
                    "",
                    "",
                    "An unknown, used or expired invitation was presented",
                )
                .by("Unknown");
                crate::ops::audit::record(svc, vec![event]).await;
                return Err(invalid_invite());
            }
        };
    let pending: org::InvitePayload = serde_json::from_str(&invite.payload)
        .map_err(|e| DomainError::Internal(format!("invite decode: {e}")))?;
    let marker = pending_hash(&pending.admin_id);
    let stored =
        svc.store.extend_token(CONSOLE_APP, &marker, &invite.token_hash, invite.expires_at);
    if !stored.await? {
        svc.store
            .put_token(&TokenRecord {
                token_hash: marker,
                app_id: CONSOLE_APP.into(),
                kind: TokenKind::Internal,
                expires_at: invite.expires_at,
                payload: invite.token_hash.clone(),
            })
            .await?;
    }
    let input = RegisterTokenInput {
        user_id: Some(pending.admin_id.clone()),
        username: Some(pending.email.clone()),
        display_name: Some(pending.email.clone()),
        discoverable: Some(true),
        user_verification: Some("preferred".into()),
        aliases: Some(vec![pending.email.clone()]),
        expires_at: Some(now + Duration::minutes(SIGN_IN_LINK_MINUTES)),
        ..RegisterTokenInput::default()
    };
    register::token(svc, &console::caller(), input).await
}

/// Turns a pending invitation into an admin, consuming it.
async fn admit(svc: &Service, admin_id: &str) -> Result<Admin, DomainError> {
    let now = svc.clock.now();
    let marker = svc.store.take_token(CONSOLE_APP, &pending_hash(admin_id)).await?;
    let invite = match marker {
        Some(m) => svc.store.take_token(CONSOLE_APP, &m.payload).await?,
        None => None,
    };
    let invite = match invite {
        Some(i) if i.kind == TokenKind::Invite && i.expires_at >= now => i,
        _ => return Err(invalid_invite()),
    };
    let pending: org::InvitePayload = serde_json::from_str(&invite.payload)
        .map_err(|e| DomainError::Internal(format!("invite decode: {e}")))?;
    let first_of_org = svc.store.list_admins(&pending.org).await?.is_empty();
    let admin =
        Admin { id: pending.admin_id, email: pending.email, org: pending.org, created_at: now };
    match svc.store.add_admin(&admin).await {
        Ok(()) => {}
        Err(crate::StoreError::Conflict(_)) => {
            return Err(DomainError::Conflict {
                code: "admin_exists",
                title: "An admin with this email exists already.".into(),
            });
        }
        Err(e) => return Err(e.into()),
    }
    let mut events = vec![
        Event::new(
            CONSOLE_APP,
            EventKind::AdminAcceptedInvite,
            now,
            "",
            &admin.id,
            format!("{} accepted the invitation to {}", admin.email, admin.org),
        )
        .by(admin.email.clone()),
    ];
    if first_of_org {
        events.push(
            Event::new(
                CONSOLE_APP,
                EventKind::AdminOrganizationCreated,
                now,
                "",
                &admin.org,
                format!("Organization {} created", admin.org),
            )
            .by(admin.email.clone()),
        );
    }
    crate::ops::audit::record(svc, events).await;
    tracing::info!(org = %admin.org, "admin accepted an invitation");
    Ok(admin)
}

/// `POST /admin/session`: exchanges a verify token of the console app (from a passkey
/// registration or sign-in, or a recovery link) for an admin session.
pub async fn exchange(svc: &Service, token: Option<&str>) -> Result<SignedIn, DomainError> {
    // Redeemed as the console app: a verify token of any other app is not found under it and
    // is refused with `invalid_token`, exactly as `/signin/verify` would refuse it.
    let verified = verify::verify(svc, &console::caller(), token).await?;
    // Security: a console passkey is bound to the public URL's host. Verify tokens carry the
    // RP ID their ceremony ran under; one from another host (a console opened under another
    // name) does not sign in. Recovery tokens come from no ceremony and carry none.
    let rp = verified.rp_id.clone().unwrap_or_default();
    if !rp.is_empty() && Some(rp.as_str()) != console::rp_host(svc).as_deref() {
        return Err(DomainError::bad_request(
            "invalid_token",
            "The token you supplied was not valid. It could be that the token has expired or that it was not issued for this tenant.",
        ));
    }
    let admin = match svc.store.get_admin(&verified.user_id).await? {
        Some(admin) => admin,
        None => admit(svc, &verified.user_id).await?,
    };
    let kind = if verified.kind == "magic_link" {
        EventKind::AdminMagicLinkLogin
    } else {
        EventKind::AdminSignInTokenVerified
    };
    let event = Event::new(
        CONSOLE_APP,
        kind,
        svc.clock.now(),
        "",
        &admin.id,
        format!("{} signed in", admin.email),
    )
    .by(admin.email.clone());
    crate::ops::audit::record(svc, vec![event]).await;
    open(svc, &admin).await
}

/// `DELETE /admin/session`: signs out (the session is deleted, not just forgotten).
pub async fn sign_out(svc: &Service, caller: &AdminCaller) -> Result<(), DomainError> {
    if let AdminCaller::Admin { session_hash, .. } = caller {
        svc.store.take_token(CONSOLE_APP, session_hash).await?;
    }
    Ok(())
}

/// `POST /admin/recover`: mails a one-time sign-in link if the address is an admin's. Answers
/// the same either way, so it cannot be used to find out who is an admin.
pub async fn recover(svc: &Service, email: Option<&str>) -> Result<(), DomainError> {
    let email = org::normalize_email(email)?;
    let Some(admin) = svc.store.find_admin(&email).await? else {
        tracing::info!("recovery asked for an address that is no admin");
        return Ok(());
    };
    let now = svc.clock.now();
    let hour = now.timestamp().div_euclid(3600);
    let counter = format!("recover-{}-{hour}", admin.id);
    let until = now + Duration::hours(2);
    if !svc.store.bump_counter(CONSOLE_APP, &counter, RECOVERY_MAILS_PER_HOUR, until).await? {
        tracing::warn!(admin_id = %admin.id, "recovery mails for this admin are rate limited");
        return Ok(());
    }
    let proof = Proof {
        user_id: admin.id.clone(),
        kind: "magic_link",
        rp_id: String::new(),
        origin: String::new(),
        device: String::new(),
        country: String::new(),
        nickname: None,
        credential_id: vec![],
        purpose: Some("sign-in".into()),
        ttl: Duration::minutes(SIGN_IN_LINK_MINUTES),
    };
    let (token, record) = verify::mint(svc, CONSOLE_APP, proof)?;
    svc.store.put_token(&record).await?;
    let link = format!("{}/console/#/recover/{token}", svc.admin.public_url);
    let mail = Mail {
        from: svc.mail.from.clone(),
        to: admin.email.clone(),
        subject: "Sign in to the Ferrokey console".into(),
        text: format!(
            "Someone asked to sign in to the Ferrokey console as {}.\n\nOpen this link within {SIGN_IN_LINK_MINUTES} minutes to sign in once, then register a new passkey:\n\n{link}\n\nIf it was not you, ignore this mail.\n",
            admin.email
        ),
        html: None,
    };
    if let Err(e) = svc.mail.mailer.send(&mail).await {
        tracing::error!(error = %e, "recovery mail could not be sent");
    }
    Ok(())
}

/// A register token to add a passkey to the signed-in admin.
pub async fn register_token(svc: &Service, caller: &AdminCaller) -> Result<String, DomainError> {
    let admin = caller.admin()?;
    let input = RegisterTokenInput {
        user_id: Some(admin.id.clone()),
        username: Some(admin.email.clone()),
        display_name: Some(admin.email.clone()),
        discoverable: Some(true),
        user_verification: Some("preferred".into()),
        aliases: Some(vec![admin.email.clone()]),
        expires_at: Some(svc.clock.now() + Duration::minutes(SIGN_IN_LINK_MINUTES)),
        ..RegisterTokenInput::default()
    };
    register::token(svc, &console::caller(), input).await
}
