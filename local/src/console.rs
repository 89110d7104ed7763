//! Serves the admin console (the static single-page app built to `console/dist`) under
//! `/console/` beside the API. On AWS the same files are on S3 behind CloudFront.

use axum::Router;
use axum::response::{Html, Redirect};
use axum::routing::get;
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};

/// Where the built console is looked for when no directory is given.
pub const DEFAULT_DIR: &str = "console/dist";

/// What to do when the console is not built (shown at `/console/` and logged at start).
pub const NOT_BUILT: &str = "The admin console is not built. Build it with `scripts/run` (it builds the console, then serves), or `npm --prefix console ci && npm --prefix console run build`, or point --console-dir / FERROKEY_CONSOLE_DIR at a built console.";

/// Whether `dir` holds a built console.
pub fn is_built(dir: &Path) -> bool {
    dir.join("index.html").is_file()
}

/// `api` with the console mounted: the files of `dir` under `/console/`, any other path under
/// it answered with `index.html` (the app routes by `#/…`), or a page saying how to build it.
pub fn mount(api: Router, dir: &Path) -> Router {
    let api = api.route("/console", get(|| async { Redirect::permanent("/console/") }));
    if !is_built(dir) {
        let page = format!(
            "<!doctype html><meta charset=\"utf-8\"><title>Ferrokey console</title><h1>Ferrokey console</h1><p>{}</p><p>Looked in <code>{}</code>.</p>",
            NOT_BUILT,
            dir.display()
        );
        return api.route("/console/", get(move || async move { Html(page) }));
    }
    let files: PathBuf = dir.to_path_buf();
    let serve = ServeDir::new(&files).fallback(ServeFile::new(files.join("index.html")));
    api.nest_service("/console/", serve)
}
