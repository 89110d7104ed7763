//! Organizations and their admins (ADMIN-API.md §2): invitations, listing and removing admins.

use super::AdminCaller;
use super::console::CONSOLE_APP;
use crate::error::DomainError;
use crate::events::{Event, EventKind};
use crate::model::{TokenKind, TokenRecord};
use crate::ports::{AdminRemoval, Mail};
use crate::service::Service;
use crate::tokens;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long an invitation can be accepted.
pub const INVITE_HOURS: i64 = 72;
/// The organization of `ferrokey admin invite` without `--org`, and of the first admin.
pub const DEFAULT_ORG: &str = "default";
const MAX_EMAIL_CHARS: usize = 254;
const MAX_ORG_CHARS: usize = 100;

/// What an invitation remembers.
#[derive(Debug, Serialize, Deserialize)]
pub struct InvitePayload {
    pub email: String,
    pub org: String,
    /// Chosen now, so the passkey registered from this invitation belongs to the admin-to-be.
    pub admin_id: String,
    pub invited_by: String,
}

/// An issued invitation.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub email: String,
    pub org: String,
    pub invite_url: String,
    pub expires_at: DateTime<Utc>,
}

/// Trims and lower-cases an email address; a validation problem unless it looks like one.
pub fn normalize_email(email: Option<&str>) -> Result<String, DomainError> {
    let email = email.unwrap_or_default().trim().to_lowercase();
    let ok = email.chars().count() <= MAX_EMAIL_CHARS
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(email)
    } else {
        Err(DomainError::invalid_field(
            "email",
            format!("Give a valid email address of at most {MAX_EMAIL_CHARS} characters."),
        ))
    }
}

fn normalize_org(org: Option<&str>) -> Result<String, DomainError> {
    let org = org.map(str::trim).filter(|o| !o.is_empty()).unwrap_or(DEFAULT_ORG);
    if org.chars().count() > MAX_ORG_CHARS || org.chars().any(char::is_control) {
        return Err(DomainError::invalid_field(
            "org",
            format!("An organization name has 1 to {MAX_ORG_CHARS} printable characters."),
        ));
    }
    Ok(org.to_string())
}

/// Invites `email` to be an admin of `org` (created when its first admin accepts): stores the
/// single-use code by hash, mails the link, and returns it.
pub async fn invite(
    svc: &Service,
    org: Option<&str>,
    email: Option<&str>,
    invited_by: &str,
) -> Result<Invitation, DomainError> {
    let email = normalize_email(email)?;
    let org = normalize_org(org)?;
    if svc.store.find_admin(&email).await?.is_some() {
        return Err(DomainError::Conflict {
            code: "admin_exists",
            title: "An admin with this email exists already.".into(),
        });
    }
    super::console::ensure(svc).await?;
    let now = svc.clock.now();
    let expires_at = now + Duration::hours(INVITE_HOURS);
    let (code, hash) = tokens::mint(TokenKind::Invite);
    let payload = InvitePayload {
        email: email.clone(),
        org: org.clone(),
        admin_id: uuid::Uuid::new_v4().simple().to_string(),
        invited_by: invited_by.to_string(),
    };
    let record = TokenRecord {
        token_hash: hash,
        app_id: CONSOLE_APP.into(),
        kind: TokenKind::Invite,
        expires_at,
        payload: serde_json::to_string(&payload)
            .map_err(|e| DomainError::Internal(format!("invite encode: {e}")))?,
    };
    let event = Event::new(
        CONSOLE_APP,
        EventKind::AdminSendAdminInvite,
        now,
        "",
        &email,
        format!("{invited_by} invited {email} to {org}"),
    )
    .by(invited_by.to_string());
    svc.store.put_token_with_events(&record, &[event]).await?;
    let invite_url = format!("{}/console/#/invite/{code}", svc.admin.public_url);
    let mail = Mail {
        from: svc.mail.from.clone(),
        to: email.clone(),
        subject: format!("You are invited to administer {org} on Ferrokey"),
        text: format!(
            "You were invited to be an admin of {org} on Ferrokey.\n\nOpen this link within {INVITE_HOURS} hours and register a passkey:\n\n{invite_url}\n"
        ),
        html: None,
    };
    // The link is also returned to whoever invited, so a mail failure does not fail the invite.
    if let Err(e) = svc.mail.mailer.send(&mail).await {
        tracing::warn!(error = %e, "invitation mail could not be sent");
    }
    Ok(Invitation { email, org, invite_url, expires_at })
}

/// `POST /admin/org/invites`: an admin invites another admin to their own organization.
pub async fn invite_to_own(
    svc: &Service,
    caller: &AdminCaller,
    email: Option<&str>,
) -> Result<Invitation, DomainError> {
    let admin = caller.admin()?;
    invite(svc, Some(&admin.org), email, &admin.email).await
}

/// An admin as `GET /admin/org/admins` lists them.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedAdmin {
    pub id: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

pub async fn list_admins(
    svc: &Service,
    caller: &AdminCaller,
) -> Result<Vec<ListedAdmin>, DomainError> {
    let org = &caller.admin()?.org;
    let admins = svc.store.list_admins(org).await?;
    Ok(admins
        .into_iter()
        .map(|a| ListedAdmin { id: a.id, email: a.email, created_at: a.created_at })
        .collect())
}

/// `DELETE /admin/org/admins/{adminId}`: removes an admin of the caller's organization (and
/// their console passkeys; their sessions stop working at once). Never the last one.
pub async fn remove_admin(
    svc: &Service,
    caller: &AdminCaller,
    admin_id: &str,
) -> Result<(), DomainError> {
    let me = caller.admin()?;
    let target = svc.store.get_admin(admin_id).await?;
    match svc.store.remove_admin(&me.org, admin_id).await? {
        AdminRemoval::Removed => {}
        AdminRemoval::NotFound => {
            return Err(DomainError::NotFound {
                code: Some("admin_not_found"),
                title: "The admin was not found in your organization.".into(),
            });
        }
        AdminRemoval::LastAdmin => {
            return Err(DomainError::bad_request(
                "last_admin",
                "The last admin of an organization cannot be removed.",
            ));
        }
    }
    svc.store.delete_user(CONSOLE_APP, admin_id).await?;
    let email = target.map(|t| t.email).unwrap_or_default();
    let event = Event::new(
        CONSOLE_APP,
        EventKind::AdminDeleteAdmin,
        svc.clock.now(),
        "",
        admin_id,
        format!("{} removed admin {email}", me.email),
    )
    .by(me.email.clone());
    crate::ops::audit::record(svc, vec![event]).await;
    Ok(())
}
