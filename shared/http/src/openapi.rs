//! The OpenAPI 3.1 document of the public API (`GET /openapi.json`), built from the route
//! table: every row must have an entry in [`operation`] (a test fails otherwise), and request
//! and response schemas are generated (schemars) from the very types the handlers read and
//! write, so the document cannot drift from the code.

use crate::dto::{BrowserBody, RegisterTokenBody};
use crate::handlers::auth_configs::{AuthConfigBody, Configurations};
use crate::handlers::tokens::{FeaturesBody, GenerateTokenBody, MagicLinkBody};
use crate::handlers::users::{AliasBody, CredentialIdBody, UserBody};
use crate::problem::ProblemDocument;
use crate::routes::{Access, routes};
use crate::views::{
    AliasView, BeginReply, CountReply, CredentialView, EventsView, TokenReply, UserView, Values,
};
use axum::http::Method;
use ferrokey_core::error::KeyHeader;
use ferrokey_core::ops::verify::VerifiedToken;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

/// What a successful call answers.
enum Success {
    /// 200 with a JSON body of this schema.
    Json(Value),
    /// A health report: 200 when healthy, 503 (same shape) when not.
    Health(Value),
    /// 200 with a plain-text body.
    Text,
    /// This status with an empty body.
    Empty(u16),
}

/// One operation's documentation.
struct Operation {
    summary: &'static str,
    tag: &'static str,
    /// Query parameters: (name, required).
    query: &'static [(&'static str, bool)],
    body: Option<Value>,
    success: Success,
}

fn op(
    summary: &'static str,
    tag: &'static str,
    body: Option<Value>,
    success: Success,
) -> Operation {
    Operation { summary, tag, query: &[], body, success }
}

/// The documentation of the route `method path`; `None` for a route nobody documented.
fn operation(g: &mut SchemaGenerator, method: &Method, path: &str) -> Option<Operation> {
    use Success::{Empty, Json, Text};
    let json_of = |schema: schemars::Schema| schema.to_value();
    let get = method == Method::GET;
    Some(match (get, path) {
        (true, "/") => op("A pointer for humans", "health", None, Text),
        (true, "/health/http") => op("The process answers", "health", None, Text),
        (true, "/health/version") | (true, "/health/storage") | (true, "/health/mail") => {
            let report = json!({"type": "object", "required": ["status"], "properties": {
                "status": {"type": "string", "enum": ["Healthy", "Unhealthy"]},
                "elapsedMilliseconds": {"type": "integer"},
                "results": {"type": "object"}}});
            op("A health report", "health", None, Success::Health(report))
        }
        (true, "/health/throw/api") => {
            op("A sample 400 problem (test_error)", "health", None, Empty(400))
        }
        (true, "/health/throw/exception") => op("A sample 500 problem", "health", None, Empty(500)),
        (true, "/openapi.json") => {
            op("This document", "health", None, Json(json!({"type": "object"})))
        }
        (false, "/register/token") => op(
            "Create a register token",
            "registration",
            Some(json_of(g.subschema_for::<RegisterTokenBody>())),
            Json(json_of(g.subschema_for::<TokenReply>())),
        ),
        (false, "/register/begin") => op(
            "Begin a registration (creation options)",
            "registration",
            Some(json_of(g.subschema_for::<BrowserBody>())),
            Json(json_of(g.subschema_for::<BeginReply>())),
        ),
        (false, "/register/complete") => op(
            "Complete a registration",
            "registration",
            Some(json_of(g.subschema_for::<BrowserBody>())),
            Json(json_of(g.subschema_for::<TokenReply>())),
        ),
        (false, "/signin/begin") => op(
            "Begin a sign-in (request options)",
            "sign-in",
            Some(json_of(g.subschema_for::<BrowserBody>())),
            Json(json_of(g.subschema_for::<BeginReply>())),
        ),
        (false, "/signin/complete") => op(
            "Complete a sign-in",
            "sign-in",
            Some(json_of(g.subschema_for::<BrowserBody>())),
            Json(json_of(g.subschema_for::<TokenReply>())),
        ),
        (false, "/signin/verify") => op(
            "Redeem a verify token (single use)",
            "sign-in",
            Some(json_of(g.subschema_for::<BrowserBody>())),
            Json(json_of(g.subschema_for::<VerifiedToken>())),
        ),
        (false, "/signin/generate-token") => op(
            "Generate a sign-in token for a user",
            "sign-in",
            Some(json_of(g.subschema_for::<GenerateTokenBody>())),
            Json(json_of(g.subschema_for::<TokenReply>())),
        ),
        (false, "/magic-links/send") => op(
            "Mail a magic link",
            "sign-in",
            Some(json_of(g.subschema_for::<MagicLinkBody>())),
            Empty(204),
        ),
        (false, "/apps/features") => op(
            "Switch the app's features",
            "app",
            Some(json_of(g.subschema_for::<FeaturesBody>())),
            Empty(204),
        ),
        (true, "/events") => Operation {
            query: &[("pageNumber", true), ("numberOfResults", false)],
            ..op(
                "The event log, newest first",
                "app",
                None,
                Json(json_of(g.subschema_for::<EventsView>())),
            )
        },
        (true, "/reporting/credentials/periodic") => Operation {
            query: &[("from", true), ("to", true)],
            ..op(
                "Users and passkeys per day",
                "reporting",
                None,
                Json(json_of(
                    g.subschema_for::<Vec<crate::handlers::reports::CredentialsReport>>(),
                )),
            )
        },
        (true, "/reporting/active-users/periodic") => Operation {
            query: &[("from", true), ("to", true)],
            ..op(
                "Daily and weekly active users per day",
                "reporting",
                None,
                Json(json_of(
                    g.subschema_for::<Vec<crate::handlers::reports::ActiveUsersReport>>(),
                )),
            )
        },
        (true, "/auth-configs/list") => Operation {
            query: &[("purpose", false)],
            ..op(
                "Authentication configurations",
                "app",
                None,
                Json(json_of(g.subschema_for::<Configurations>())),
            )
        },
        (false, "/auth-configs/add") => op(
            "Add an authentication configuration",
            "app",
            Some(json_of(g.subschema_for::<AuthConfigBody>())),
            Empty(201),
        ),
        (false, "/auth-configs") => op(
            "Update an authentication configuration",
            "app",
            Some(json_of(g.subschema_for::<AuthConfigBody>())),
            Empty(204),
        ),
        (false, "/auth-configs/delete") => op(
            "Delete an authentication configuration",
            "app",
            Some(json_of(g.subschema_for::<AuthConfigBody>())),
            Empty(204),
        ),
        (false, "/alias") => op(
            "Replace a user's aliases",
            "users",
            Some(json_of(g.subschema_for::<AliasBody>())),
            Empty(204),
        ),
        (true, "/alias/list") => Operation {
            query: &[("userId", true)],
            ..op(
                "A user's aliases",
                "users",
                None,
                Json(json_of(g.subschema_for::<Values<AliasView>>())),
            )
        },
        (true, "/credentials/list") => Operation {
            query: &[("userId", true)],
            ..op(
                "A user's passkeys",
                "users",
                None,
                Json(json_of(g.subschema_for::<Values<CredentialView>>())),
            )
        },
        (false, "/credentials/list") => op(
            "A user's passkeys",
            "users",
            Some(json_of(g.subschema_for::<UserBody>())),
            Json(json_of(g.subschema_for::<Values<CredentialView>>())),
        ),
        (false, "/credentials/delete") => op(
            "Delete a passkey",
            "users",
            Some(json_of(g.subschema_for::<CredentialIdBody>())),
            Empty(204),
        ),
        (true, "/users/list") => op(
            "Users with passkeys or aliases",
            "users",
            None,
            Json(json_of(g.subschema_for::<Values<UserView>>())),
        ),
        (true, "/users/count") => op(
            "How many users have passkeys",
            "users",
            None,
            Json(json_of(g.subschema_for::<CountReply>())),
        ),
        (false, "/users/delete") => op(
            "Delete a user's passkeys and aliases",
            "users",
            Some(json_of(g.subschema_for::<UserBody>())),
            Empty(200),
        ),
        _ => return None,
    })
}

fn security(access: Access) -> Value {
    match access.key() {
        None => json!([]),
        Some((KeyHeader::ApiKey, _)) => json!([{"ApiKey": []}]),
        Some((KeyHeader::ApiSecret, _)) => json!([{"ApiSecret": []}]),
    }
}

/// The whole document. Routes without documentation are left out (and fail the test).
pub fn document() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut g = settings.into_generator();
    let problem = g.subschema_for::<ProblemDocument>().to_value();
    let mut paths = Map::new();
    // The admin API is internal (contract §3.12): not part of the public document.
    for route in routes().into_iter().filter(|r| !r.access.is_internal()) {
        let Some(doc) = operation(&mut g, &route.method, route.path) else { continue };
        let mut responses = Map::new();
        let (status, content) = match doc.success {
            Success::Json(schema) => {
                ("200".to_string(), Some(json!({"application/json": {"schema": schema}})))
            }
            Success::Health(schema) => {
                let content = json!({"application/json": {"schema": schema}});
                responses
                    .insert("503".into(), json!({"description": "Unhealthy", "content": content}));
                ("200".to_string(), Some(content))
            }
            Success::Text => {
                ("200".to_string(), Some(json!({"text/plain": {"schema": {"type": "string"}}})))
            }
            Success::Empty(code) => (code.to_string(), None),
        };
        let mut ok = json!({"description": "Success"});
        if let (Some(content), Some(obj)) = (content, ok.as_object_mut()) {
            obj.insert("content".into(), content);
        }
        responses.insert(status, ok);
        // Every refusal is a problem+json document (contract §4).
        responses.insert(
            "default".into(),
            json!({"description": "A problem (RFC 7807)", "content": {"application/problem+json": {"schema": problem}}}),
        );
        let mut operation = json!({
            "operationId": format!("{}{}", route.method.as_str().to_lowercase(), route.path.replace(['/', '-'], "_")),
            "summary": doc.summary,
            "tags": [doc.tag],
            "security": security(route.access),
            "responses": responses,
        });
        let params: Vec<Value> = doc
            .query
            .iter()
            .map(|(name, required)| json!({"name": name, "in": "query", "required": required, "schema": {"type": "string"}}))
            .collect();
        if let Some(obj) = operation.as_object_mut() {
            if !params.is_empty() {
                obj.insert("parameters".into(), json!(params));
            }
            if let Some(schema) = doc.body {
                obj.insert(
                    "requestBody".into(),
                    json!({"required": true, "content": {"application/json": {"schema": schema}}}),
                );
            }
        }
        let entry = paths.entry(route.path.to_string()).or_insert_with(|| json!({}));
        if let Some(obj) = entry.as_object_mut() {
            obj.insert(route.method.as_str().to_lowercase(), operation);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Ferrokey API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The Passwordless.dev v4 wire protocol as Ferrokey serves it. Member names match case-insensitively.",
        },
        "paths": paths,
        "components": {
            "schemas": g.take_definitions(true),
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "ApiKey"},
                "ApiSecret": {"type": "apiKey", "in": "header", "name": "ApiSecret"},
            },
        },
    })
}

/// `GET /openapi.json`.
pub async fn serve() -> axum::Json<Value> {
    axum::Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented() {
        let doc = document();
        for route in routes().into_iter().filter(|r| !r.access.is_internal()) {
            let method = route.method.as_str().to_lowercase();
            assert!(
                doc["paths"][route.path][&method].is_object(),
                "{} {} has no OpenAPI entry",
                route.method,
                route.path
            );
        }
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/admin/apps"].is_null(), "the admin API is internal");
    }

    #[test]
    fn schemas_use_the_wire_names() {
        let doc = document();
        let text = doc.to_string();
        assert!(text.contains("\"userId\""), "camelCase member names");
        assert!(text.contains("\"RPID\""));
        assert!(!text.contains("\"userid\""), "no lower-cased internal names leak");
        let creds = &doc["paths"]["/credentials/list"]["get"];
        assert_eq!(creds["parameters"][0]["name"], "userId");
        assert_eq!(creds["security"][0]["ApiSecret"], json!([]));
    }
}
