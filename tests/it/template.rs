//! template.yaml and the route table cannot drift: every (method, path, Lambda binary) row is
//! an HttpApi event of the function built from that binary, and nothing else is.

use std::collections::BTreeSet;

/// (method, path, binary) rows declared by the template, read from its own layout: a function
/// block names `Binary: <name>` in its Metadata and one `{ ApiId: …, Method: M, Path: P }` per
/// event.
fn template_routes(text: &str) -> BTreeSet<(String, String, String)> {
    let mut routes = BTreeSet::new();
    let mut binary: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("  ") && !line.starts_with("   ") && line.trim_end().ends_with(':') {
            binary = None; // a new resource starts
        }
        if let Some(rest) = line.split("Binary:").nth(1) {
            binary = Some(rest.trim().trim_end_matches('}').trim().to_string());
        }
        if line.contains("ApiId:") {
            // Paths hold `{param}` braces (quoted in YAML): a field runs to the next ", " or the
            // closing " }".
            let field = |name: &str| {
                line.split(&format!("{name}:")).nth(1).map(|v| {
                    let v = v.trim_end().trim_end_matches('}').trim_end();
                    v.split(", ").next().unwrap_or("").trim().trim_matches('"').to_string()
                })
            };
            let bin = binary.clone().expect("an HttpApi event outside a function with a Binary");
            routes.insert((field("Method").unwrap(), field("Path").unwrap(), bin));
        }
    }
    routes
}

#[test]
fn template_declares_exactly_the_route_table() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    let declared = template_routes(&text);
    let table: BTreeSet<(String, String, String)> = ferrokey_http::routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string(), r.lambda.to_string()))
        .collect();
    assert_eq!(declared, table);
    // Every binary the table names is a Lambda binary of the functions crate.
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../functions/Cargo.toml"))
            .unwrap();
    for (_, _, binary) in &table {
        assert!(
            manifest.contains(&format!("name = \"{binary}\"")),
            "functions/Cargo.toml lacks {binary}"
        );
    }
}
