//! Magic links: `POST /magic-links/send` mails the user a link carrying a single-use
//! `magic_link` verify token, which the app's backend redeems at `/signin/verify`.
//!
//! Checks, in upstream's order: the rate limit (10 sends per 5 minutes per app), the request,
//! the feature flag, the admin-address-only window of young apps, the 30-day quota.

use super::audit;
use super::validate::{self, Errors};
use super::verify::{self, Proof, unset};
use crate::error::DomainError;
use crate::events::EventKind;
use crate::keys::Caller;
use crate::model::App;
use crate::ports::Mail;
use crate::service::Service;
use chrono::{DateTime, Duration, Utc};

/// Default lifetime of a magic link's token.
const DEFAULT_TTL_SECONDS: i64 = 3600;
const RATE_LIMIT: u64 = 10;
const RATE_WINDOW_SECONDS: i64 = 300;
/// Young apps may only mail their admins: a stranger's app cannot be used to spam at once.
const NEW_APP_ADMIN_ONLY: Duration = Duration::hours(24);
const QUOTA_WINDOW_DAYS: i64 = 30;
/// The longest email address (RFC 5321 path limit).
const MAX_EMAIL_BYTES: usize = 254;
const MAX_URL_TEMPLATE_BYTES: usize = 2048;

/// `POST /magic-links/send` input.
#[derive(Debug, Clone, Default)]
pub struct MagicLinkInput {
    pub email_address: Option<String>,
    pub url_template: Option<String>,
    pub user_id: Option<String>,
    pub time_to_live: Option<i64>,
}

/// A plausible single address: one `@`, a non-empty local part, a dotted domain, no spaces,
/// control characters or header syntax. Deliverability is the mail system's business.
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else { return false };
    value.len() <= MAX_EMAIL_BYTES
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && value
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>,;\"()[]\\".contains(c))
}

/// Replaces every `$TOKEN` (any case) in `template`.
fn substitute(template: &str, token: &str) -> String {
    let lower = template.to_ascii_lowercase();
    let mut out = String::with_capacity(template.len() + token.len());
    let mut rest = 0;
    while let Some(found) = lower[rest..].find("$token") {
        out.push_str(&template[rest..rest + found]);
        out.push_str(token);
        rest += found + "$token".len();
    }
    out.push_str(&template[rest..]);
    out
}

/// Validates the template: present, holds `$TOKEN`, an absolute http(s) URL once filled in.
/// Returns the link's host.
fn check_template(errors: &mut Errors, template: Option<&str>) -> Option<String> {
    let field = "urlTemplate";
    let template = template.unwrap_or_default();
    if template.trim().is_empty() {
        errors.add(field, "You have provided a null or empty value for UrlTemplate.");
        return None;
    }
    if template.len() > MAX_URL_TEMPLATE_BYTES {
        errors
            .add(field, format!("The UrlTemplate must be at most {MAX_URL_TEMPLATE_BYTES} bytes."));
        return None;
    }
    if !template.to_ascii_lowercase().contains("$token") {
        errors.add(
            field,
            "You have provided a UrlTemplate without a $TOKEN template. Please include it like so: https://www.example.com?token=$TOKEN",
        );
        return None;
    }
    let parsed = url::Url::parse(&substitute(template, "verify_token"));
    match parsed {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
            url.host_str().map(String::from)
        }
        _ => {
            errors.add(field, "You have provided a UrlTemplate that cannot be converted to a URL.");
            None
        }
    }
}

fn day_counter(day: DateTime<Utc>) -> String {
    format!("magic-day-{}", day.format("%Y-%m-%d"))
}

/// The share of the monthly quota an app of this age gets (upstream's ramp).
fn quota_share(age: Duration) -> f64 {
    if age < Duration::days(1) {
        0.2
    } else if age < Duration::days(3) {
        0.5
    } else if age < Duration::days(30) {
        0.75
    } else {
        1.0
    }
}

/// Refuses a send that would exceed the app's 30-day quota; returns today's counter name.
async fn check_quota(svc: &Service, app: &App, now: DateTime<Utc>) -> Result<String, DomainError> {
    let days: Vec<DateTime<Utc>> =
        (0..QUOTA_WINDOW_DAYS).map(|back| now - Duration::days(back)).collect();
    let names: Vec<String> = days.iter().map(|d| day_counter(*d)).collect();
    let counts = svc.store.read_counters(&app.app_id, &names).await?;
    let sent: u64 = counts.iter().sum();
    let quota = (f64::from(app.features.magic_link_monthly_quota)
        * quota_share(now - app.created_at))
    .floor() as u64;
    if sent >= quota {
        // The oldest day that still counts leaves the window first.
        let oldest = days.iter().zip(&counts).rev().find(|(_, n)| **n > 0).map(|(d, _)| *d);
        let frees_at = oldest.map(|d| d + Duration::days(QUOTA_WINDOW_DAYS)).unwrap_or(now);
        let next_day = frees_at.date_naive().and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        let retry_after = (next_day.unwrap_or(frees_at) - now).num_seconds().max(1);
        return Err(DomainError::TooManyRequests {
            code: Some("magic_link_email_quota_exceeded"),
            title: format!(
                "This app has sent its quota of {quota} magic links in the last {QUOTA_WINDOW_DAYS} days."
            ),
            retry_after: u64::try_from(retry_after).unwrap_or(1),
        });
    }
    Ok(names.into_iter().next().unwrap_or_default())
}

/// The user a verify token record is for.
fn record_user(record: &crate::model::TokenRecord) -> String {
    serde_json::from_str::<verify::VerifiedToken>(&record.payload)
        .map(|v| v.user_id)
        .unwrap_or_default()
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The message upstream sends (contract §3.6).
fn message(from: &str, to: &str, host: &str, link: &str) -> Mail {
    let subject = format!("Sign in to {host}");
    let text = format!(
        "Please click the link or copy into your browser of choice to log in to {host}: {link}. If you did not request this email, it is safe to ignore."
    );
    let (host_html, link_html) = (escape_html(host), escape_html(link));
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family: sans-serif\">\
         <h1>Let's get you logged in</h1>\
         <p>Please click the button or copy the link into your browser of choice to log in to {host_html}.</p>\
         <p><a href=\"{link_html}\" style=\"display: inline-block; padding: 12px 20px; background: #175ddc; color: #fff; text-decoration: none; border-radius: 4px\">Click here to sign in</a></p>\
         <p style=\"word-break: break-all\">{link_html}</p>\
         <p style=\"color: #666\">If you did not request this email, it is safe to ignore.</p>\
         </body></html>"
    );
    Mail {
        from: format!("\"{subject}\" <{from}>"),
        to: to.to_string(),
        subject,
        text,
        html: Some(html),
    }
}

/// `POST /magic-links/send`.
pub async fn send(
    svc: &Service,
    caller: &Caller,
    input: MagicLinkInput,
) -> Result<(), DomainError> {
    let now = svc.clock.now();
    let app_id = &caller.app_id;
    let window = now.timestamp().div_euclid(RATE_WINDOW_SECONDS);
    let window_end = DateTime::from_timestamp((window + 1) * RATE_WINDOW_SECONDS, 0).unwrap_or(now);
    let allowed = svc
        .store
        .bump_counter(app_id, &format!("magic-rate-{window}"), RATE_LIMIT, window_end)
        .await?;
    if !allowed {
        return Err(DomainError::TooManyRequests {
            code: Some("rate_limit_exceeded"),
            title: format!(
                "Too many magic links: at most {RATE_LIMIT} every {} minutes per app.",
                RATE_WINDOW_SECONDS / 60
            ),
            retry_after: u64::try_from((window_end - now).num_seconds().max(1)).unwrap_or(1),
        });
    }

    let mut errors = Errors::default();
    let email = input.email_address.unwrap_or_default().trim().to_string();
    if email.is_empty() {
        errors.add("emailAddress", "The EmailAddress field is required.");
    } else if !is_email(&email) {
        errors.add("emailAddress", "The EmailAddress field is not a valid e-mail address.");
    }
    let host = check_template(&mut errors, input.url_template.as_deref());
    validate::user_id(&mut errors, input.user_id.as_deref());
    let ttl = validate::time_to_live(&mut errors, input.time_to_live, DEFAULT_TTL_SECONDS);
    errors.into_result()?;

    let app = svc.app(app_id).await?;
    if !app.features.magic_links_enabled {
        return Err(DomainError::Forbidden {
            code: None,
            title: "You must enable Magic Links in settings in order to use this feature.".into(),
        });
    }
    let is_admin = app.admin_emails.iter().any(|a| a.eq_ignore_ascii_case(&email));
    if now - app.created_at < NEW_APP_ADMIN_ONLY && !is_admin {
        return Err(DomainError::Forbidden {
            code: Some("magic_link_email_admin_address_only"),
            title: "During its first 24 hours an app may only send magic links to its admins' email addresses.".into(),
        });
    }
    let today = check_quota(svc, &app, now).await?;

    let proof = Proof {
        user_id: input.user_id.unwrap_or_default(),
        kind: "magic_link",
        rp_id: unset(),
        origin: unset(),
        device: unset(),
        country: unset(),
        nickname: None,
        credential_id: vec![],
        purpose: None,
        ttl: Duration::seconds(ttl),
    };
    let (token, record) = verify::mint(svc, app_id, proof)?;
    let template = input.url_template.unwrap_or_default();
    let link = substitute(&template, &token);
    let host = host.unwrap_or_default();
    let user_id = record_user(&record);
    let event = audit::event(
        svc,
        caller,
        EventKind::ApiUserMagicLinkCreated,
        &user_id,
        format!("Created magic link for {user_id}"),
    );
    svc.store.put_token_with_events(&record, &[event]).await?;
    svc.mail.mailer.send(&message(&svc.mail.from, &email, &host, &link)).await?;
    // Counted once sent; the counter outlives the 30-day window by a day.
    let forget = now + Duration::days(QUOTA_WINDOW_DAYS + 1);
    svc.store.bump_counter(app_id, &today, u64::MAX, forget).await?;
    tracing::info!(app_id = %app_id, "magic link sent");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_placeholder_is_replaced_in_any_case() {
        assert_eq!(substitute("https://x.io/?t=$TOKEN", "verify_a"), "https://x.io/?t=verify_a");
        assert_eq!(substitute("https://x.io/$token/$Token", "v"), "https://x.io/v/v");
        assert_eq!(substitute("no placeholder", "v"), "no placeholder");
    }

    #[test]
    fn templates_are_checked() {
        let host = |t: &str| {
            let mut e = Errors::default();
            let h = check_template(&mut e, Some(t));
            (h, e.into_result().is_ok())
        };
        assert_eq!(
            host("https://app.example.com/login?token=$TOKEN"),
            (Some("app.example.com".into()), true)
        );
        assert!(!host("https://app.example.com/login").1);
        assert!(!host("not a url $TOKEN").1);
        assert!(!host("ftp://example.com/$TOKEN").1);
        assert!(!host("").1);
    }

    #[test]
    fn emails_are_plausible_single_addresses() {
        assert!(is_email("alice@example.com"));
        assert!(is_email("a.b+c@sub.example.co"));
        for bad in [
            "alice",
            "@example.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b.com\r\nBcc: x@y.z",
            "a@.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn html_is_escaped() {
        let mail = message("from@x.io", "to@x.io", "x.io", "https://x.io/?a=1&b=\"<script>");
        assert!(mail.html.unwrap_or_default().contains("a=1&amp;b=&quot;&lt;script&gt;"));
        assert_eq!(mail.subject, "Sign in to x.io");
    }
}
