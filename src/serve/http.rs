//! The HTTP side of `picket serve`: answers requests from the last good build in memory, injects
//! the live-reload script and the error overlay into HTML responses, and pushes "reload" over a
//! WebSocket. Knows HTTP only; what to serve comes from `serve` through a watch channel.
//!
//! Only its editor can reach it: a request must name the server itself in `Host` (a web page the
//! editor visits cannot read the preview through DNS rebinding), the live-reload socket opens only
//! from the server's own pages (`Origin`), and a connection that sends no request for
//! `IDLE_TIMEOUT` is closed.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::sync::watch as latest;

use super::{Files, Snapshot};

/// Where open pages connect to hear "reload"; outside the base path so no page can shadow it.
const LIVERELOAD_PATH: &str = "/__picket/livereload";

/// How long a connection may stay open without sending a whole request head. Browsers open a
/// new connection when they need one, so closing idle ones costs a reader nothing.
pub(super) const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub(super) struct Server {
    pub(super) site: latest::Receiver<Arc<Snapshot>>,
    pub(super) reloads: broadcast::Sender<()>,
}

pub(super) fn router(server: Server) -> Router {
    Router::new().route(LIVERELOAD_PATH, get(livereload)).fallback(serve_path).with_state(server)
}

/// Accepts connections until the process stops. Each connection is served by hyper with a
/// header-read timeout, so idle and slow-to-speak connections are closed, and every request
/// passes `Access` before it reaches the router.
pub(super) async fn serve(listener: TcpListener, server: Server, access: Access) {
    let access = Arc::new(access);
    let app = TowerToHyperService::new(router(server));
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                // Out of file descriptors or a connection reset before accept: wait, go on.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Ok(local) = stream.local_addr() else { continue };
        let (app, access) = (app.clone(), Arc::clone(&access));
        let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let refusal = access.refuse(request.headers(), request.uri(), local);
            let app = app.clone();
            async move {
                match refusal {
                    Some(response) => Ok::<_, Infallible>(response),
                    None => app.call(request).await,
                }
            }
        });
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(IDLE_TIMEOUT);
            // An error here is the client's (a reset, a timeout): nothing to report.
            let _ = builder.serve_connection(TokioIo::new(stream), service).with_upgrades().await;
        });
    }
}

/// Which hosts a request may name: the loopback names and the `--bind` address, each with the
/// port, and the address the connection itself reached (so a phone can open the preview by this
/// machine's address when it listens on 0.0.0.0). A name an attacker controls never matches.
#[derive(Debug, Clone)]
pub(super) struct Access {
    port: u16,
    /// Lower case; IPv6 addresses in brackets.
    names: Vec<String>,
}

impl Access {
    pub(super) fn new(bind: &str, port: u16) -> Access {
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"].map(str::to_string).to_vec();
        let bind = bind.trim().to_ascii_lowercase();
        let bind = if bind.contains(':') && !bind.starts_with('[') { format!("[{bind}]") } else { bind };
        if !names.contains(&bind) {
            names.push(bind);
        }
        Access { port, names }
    }

    /// Whether `authority` (`host` or `host:port`, as in `Host` or an origin) names this server
    /// for a connection that reached `local`.
    fn allows(&self, authority: &str, local: SocketAddr) -> bool {
        let Some((host, port)) = split_authority(authority) else { return false };
        if port != self.port {
            return false;
        }
        let local_ip = match local.ip().to_canonical() {
            std::net::IpAddr::V4(ip) => ip.to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let host = host.to_ascii_lowercase();
        self.names.contains(&host) || host == local_ip
    }

    /// The response to send instead of serving this request, if it is refused.
    fn refuse(&self, headers: &HeaderMap, uri: &Uri, local: SocketAddr) -> Option<Response> {
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
            .or_else(|| uri.authority().map(|authority| authority.to_string()));
        let Some(host) = host.filter(|host| self.allows(host, local)) else {
            return Some(forbidden(&format!(
                "picket serve answers only requests for its own address, such as http://127.0.0.1:{}/; \
                 open the preview at the address it printed, or pass --bind with the name you use",
                self.port
            )));
        };
        let is_socket = headers.get(header::UPGRADE).is_some() || uri.path() == LIVERELOAD_PATH;
        let origin = headers.get(header::ORIGIN).map(|value| value.to_str().unwrap_or("null"));
        // Browsers always send `Origin` when a page opens a WebSocket; tools may not.
        if let (true, Some(origin)) = (is_socket, origin) {
            let same = origin.strip_prefix("http://").is_some_and(|authority| self.allows(authority, local));
            if !same {
                return Some(forbidden(&format!(
                    "the live-reload socket opens only from pages of this preview (http://{host}), not from `{origin}`"
                )));
            }
        }
        None
    }
}

/// `host` and port (80 when none is written) of `authority`; `None` if it is malformed.
fn split_authority(authority: &str) -> Option<(&str, u16)> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(rest) => {
            let end = rest.find(']')?;
            let host = &authority[..end + 2];
            (host, rest[end + 1..].strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(port) => port.parse().ok()?,
        None => 80,
    };
    (!host.is_empty()).then_some((host, port))
}

fn forbidden(message: &str) -> Response {
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{message}\n"))
        .into_response()
}

async fn serve_path(State(server): State<Server>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    let site = Arc::clone(&server.site.borrow());
    respond(&site, uri.path())
}

fn respond(site: &Snapshot, raw_path: &str) -> Response {
    let errors = site.errors.as_deref();
    let Some(files) = &site.files else {
        return html_response(StatusCode::INTERNAL_SERVER_ERROR, NOT_BUILT_PAGE.as_bytes(), errors);
    };
    // Held only while the response is made from bytes that are shared, not copied.
    let files = files.read().expect("no thread panics while holding the lock");
    match resolve(&site.base_path, &files, raw_path) {
        Resolved::File(key) => file_response(StatusCode::OK, &key, &files[&key], errors),
        Resolved::Redirect(location) => redirect(&location),
        Resolved::NotFound => match files.get("404.html") {
            Some(page) => html_response(StatusCode::NOT_FOUND, page, errors),
            None => (StatusCode::NOT_FOUND, "not found").into_response(),
        },
        Resolved::BadRequest => (StatusCode::BAD_REQUEST, "this path is not allowed").into_response(),
    }
}

const NOT_BUILT_PAGE: &str = "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>picket: the site does not build</title></head>\n<body>\n<h1>The site does not build yet</h1>\n<p>Fix the errors and save; this page reloads by itself.</p>\n</body>\n</html>\n";

/// What a request path names in the site.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    /// The key of a file in the map.
    File(String),
    /// Send the browser here instead (a folder without its slash, or the root to the base path).
    Redirect(String),
    NotFound,
    /// A path that tries to leave the site or is malformed.
    BadRequest,
}

/// Resolves `raw_path`, still percent-encoded, under `base_path`. Rejects `.` and `..` segments,
/// empty segments (`//`) and encoded slashes, backslashes and NULs, whatever the map holds.
fn resolve(base_path: &str, files: &Files, raw_path: &str) -> Resolved {
    // With no base path, `/` is the home page itself (issue 11: it used to redirect to itself).
    if raw_path.is_empty() || raw_path == base_path || (raw_path == "/" && !base_path.is_empty()) {
        return Resolved::Redirect(format!("{base_path}/"));
    }
    let Some(rest) = raw_path.strip_prefix(base_path).and_then(|rest| rest.strip_prefix('/')) else {
        return Resolved::NotFound;
    };
    let mut segments = Vec::new();
    let parts: Vec<&str> = rest.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let Some(segment) = decode_segment(part) else { return Resolved::BadRequest };
        let is_last = i + 1 == parts.len();
        if (segment.is_empty() && !is_last) || segment == "." || segment == ".." {
            return Resolved::BadRequest;
        }
        segments.push(segment);
    }
    let key = segments.join("/");
    if key.is_empty() || key.ends_with('/') {
        let index = format!("{key}index.html");
        return if files.contains_key(&index) { Resolved::File(index) } else { Resolved::NotFound };
    }
    if files.contains_key(&key) {
        return Resolved::File(key);
    }
    if files.contains_key(&format!("{key}/index.html")) {
        return Resolved::Redirect(format!("{base_path}/{rest}/"));
    }
    Resolved::NotFound
}

/// Percent-decodes one path segment; `None` if it is malformed or decodes to something no
/// segment may hold (a slash, a backslash, a NUL).
fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit))?;
        out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
        i += 3;
    }
    let text = String::from_utf8(out).ok()?;
    (!text.contains(['/', '\\', '\0'])).then_some(text)
}

fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

fn file_response(status: StatusCode, key: &str, bytes: &Bytes, errors: Option<&str>) -> Response {
    let mime = mime_type(key);
    if mime.starts_with("text/html") {
        return html_response(status, bytes, errors);
    }
    with_headers(status, mime, bytes.clone())
}

/// An HTML page with the live-reload script, and the error overlay when the latest build failed.
fn html_response(status: StatusCode, page: &[u8], errors: Option<&str>) -> Response {
    let html = String::from_utf8_lossy(page);
    with_headers(status, "text/html; charset=utf-8", Bytes::from(inject(&html, errors)))
}

fn with_headers(status: StatusCode, mime: &'static str, body: Bytes) -> Response {
    let headers = [
        (header::CONTENT_TYPE, mime),
        // Every reload must fetch the new build, stylesheets included.
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    (status, headers, body).into_response()
}

/// The MIME type for a file name, by its extension.
fn mime_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Opens a socket to the server and reloads on "reload"; after the server restarts, reconnects
/// and reloads once, so the page shows what the new server serves.
const LIVERELOAD_SCRIPT: &str = r#"<script>
(() => {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/__picket/livereload";
  let connectedBefore = false;
  const connect = () => {
    const socket = new WebSocket(url);
    socket.onopen = () => { if (connectedBefore) location.reload(); connectedBefore = true; };
    socket.onmessage = (event) => { if (event.data === "reload") location.reload(); };
    socket.onclose = () => setTimeout(connect, 1000);
  };
  connect();
})();
</script>
"#;

/// `html` with the error overlay (when `errors` is given) and the live-reload script inserted
/// before the last `</body>`, or at the end when there is none.
fn inject(html: &str, errors: Option<&str>) -> String {
    let mut injected = String::new();
    if let Some(errors) = errors {
        injected.push_str(&overlay(errors));
    }
    injected.push_str(LIVERELOAD_SCRIPT);
    let at = html.to_ascii_lowercase().rfind("</body>").unwrap_or(html.len());
    format!("{}{injected}{}", &html[..at], &html[at..])
}

/// A panel fixed to the top of the page, with the build's errors.
fn overlay(errors: &str) -> String {
    format!(
        "<div id=\"picket-errors\" role=\"alert\" style=\"position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:70vh;overflow:auto;margin:0;padding:1em;background:#fff4f4;color:#5c0000;border-bottom:4px solid #c00;box-shadow:0 2px 8px rgba(0,0,0,.3);font:14px/1.4 system-ui,sans-serif;text-align:left\">\
         <strong>The site did not build; this page shows the last version that did. Fix the errors and save.</strong>\
         <pre style=\"margin:.75em 0 0;white-space:pre-wrap;font:13px/1.4 ui-monospace,monospace;color:inherit;background:none\">{}</pre></div>\n",
        escape_html(errors)
    )
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

async fn livereload(State(server): State<Server>, upgrade: WebSocketUpgrade) -> Response {
    let reloads = server.reloads.subscribe();
    upgrade.on_upgrade(move |socket| push_reloads(socket, reloads))
}

/// Sends "reload" after every rebuild until the page goes away.
async fn push_reloads(mut socket: WebSocket, mut reloads: broadcast::Receiver<()>) {
    loop {
        tokio::select! {
            reload = reloads.recv() => {
                // A lagging receiver missed some rebuilds; one reload covers them all.
                if let Err(broadcast::error::RecvError::Closed) = reload {
                    return;
                }
                if socket.send(Message::text("reload")).await.is_err() {
                    return;
                }
            }
            message = socket.recv() => {
                if !matches!(message, Some(Ok(_))) {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;

    use std::net::SocketAddr;

    use axum::http::{HeaderMap, Uri};

    use super::{Access, Files, Resolved, inject, mime_type, resolve, split_authority};

    fn files() -> Files {
        ["index.html", "a/index.html", "style.css", "404.html", "with space/index.html"]
            .into_iter()
            .map(|key| (key.to_string(), Bytes::from_static(b"x")))
            .collect()
    }

    fn check(base_path: &str, raw_path: &str, expected: Resolved) {
        assert_eq!(resolve(base_path, &files(), raw_path), expected, "{raw_path}");
    }

    fn file(key: &str) -> Resolved {
        Resolved::File(key.to_string())
    }

    fn redirect(location: &str) -> Resolved {
        Resolved::Redirect(location.to_string())
    }

    #[test]
    fn folders_serve_their_index_and_get_their_slash() {
        check("", "/", file("index.html"));
        check("", "/index.html", file("index.html"));
        check("", "/a/", file("a/index.html"));
        check("", "/a", redirect("/a/"));
        check("", "/style.css", file("style.css"));
        check("", "/with%20space/", file("with space/index.html"));
    }

    #[test]
    fn the_site_lives_under_its_base_path() {
        check("/sub", "/", redirect("/sub/"));
        check("/sub", "/sub", redirect("/sub/"));
        check("/sub", "/sub/", file("index.html"));
        check("/sub", "/sub/a", redirect("/sub/a/"));
        check("/sub", "/sub/a/", file("a/index.html"));
        check("/sub", "/a/", Resolved::NotFound);
        check("/sub", "/subway/", Resolved::NotFound);
    }

    #[test]
    fn missing_files_and_folders_without_index_are_not_found() {
        check("", "/missing", Resolved::NotFound);
        check("", "/missing/", Resolved::NotFound);
        check("", "/style.css/", Resolved::NotFound);
    }

    #[test]
    fn paths_that_try_to_leave_the_site_are_rejected() {
        for path in [
            "/../site.yaml",
            "/a/../../site.yaml",
            "/%2e%2e/site.yaml",
            "/%2E%2E/site.yaml",
            "/..%2fsite.yaml",
            "/..%2Fsite.yaml",
            "/..%5csite.yaml",
            "/..\\site.yaml",
            "//etc/passwd",
            "/a//index.html",
            "/./index.html",
            "/%00",
            "/%zz",
            "/%c0%ae%c0%ae/site.yaml",
        ] {
            check("", path, Resolved::BadRequest);
        }
        check("/sub", "/sub/../site.yaml", Resolved::BadRequest);
        check("/sub", "/../site.yaml", Resolved::NotFound);
    }

    #[test]
    fn mime_types_follow_the_extension() {
        assert_eq!(mime_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(mime_type("style.CSS"), "text/css; charset=utf-8");
        assert_eq!(mime_type("fonts/a.woff2"), "font/woff2");
        assert_eq!(mime_type("sitemap.xml"), "application/xml");
        assert_eq!(mime_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn the_script_and_overlay_go_before_the_last_body_end_tag() {
        let html = inject("<body><p>x</p></BODY>\n", Some("error: <bad> & \"worse\""));
        let at = html.find("</BODY>").unwrap();
        assert!(html[..at].contains("/__picket/livereload"));
        assert!(html[..at].contains("error: &lt;bad&gt; &amp; &quot;worse&quot;"));
        assert!(html.ends_with("</BODY>\n"));
        let bare = inject("<p>no body</p>", None);
        assert!(bare.starts_with("<p>no body</p><script>"));
        assert!(!bare.contains("picket-errors"));
    }

    fn local(address: &str) -> SocketAddr {
        address.parse().unwrap()
    }

    #[test]
    fn only_the_servers_own_names_and_port_are_allowed() {
        let access = Access::new("127.0.0.1", 1111);
        let here = local("127.0.0.1:1111");
        for host in ["127.0.0.1:1111", "localhost:1111", "LOCALHOST:1111", "[::1]:1111"] {
            assert!(access.allows(host, here), "{host}");
        }
        for host in
            ["evil.example:1111", "127.0.0.1:2222", "127.0.0.1", "localhost.evil.example:1111", "", ":1111", "[::1"]
        {
            assert!(!access.allows(host, here), "{host}");
        }
    }

    #[test]
    fn on_every_address_the_address_a_connection_reached_is_allowed() {
        let access = Access::new("0.0.0.0", 1111);
        assert!(access.allows("192.0.2.7:1111", local("192.0.2.7:1111")));
        assert!(access.allows("192.0.2.7:1111", local("[::ffff:192.0.2.7]:1111")));
        assert!(!access.allows("192.0.2.8:1111", local("192.0.2.7:1111")));
        assert!(!access.allows("rebound.example:1111", local("192.0.2.7:1111")));
        assert!(Access::new("::1", 80).allows("[::1]", local("[::1]:80")));
        assert!(Access::new("preview.test", 1111).allows("preview.test:1111", local("127.0.0.1:1111")));
    }

    #[test]
    fn authorities_split_into_host_and_port() {
        assert_eq!(split_authority("a:8"), Some(("a", 8)));
        assert_eq!(split_authority("a"), Some(("a", 80)));
        assert_eq!(split_authority("[::1]:9"), Some(("[::1]", 9)));
        assert_eq!(split_authority("a:x"), None);
        assert_eq!(split_authority(""), None);
    }

    fn refused(host: Option<&str>, origin: Option<&str>, path: &str) -> bool {
        let mut headers = HeaderMap::new();
        if let Some(host) = host {
            headers.insert("host", host.parse().unwrap());
        }
        if let Some(origin) = origin {
            headers.insert("origin", origin.parse().unwrap());
        }
        let uri: Uri = path.parse().unwrap();
        Access::new("127.0.0.1", 1111).refuse(&headers, &uri, local("127.0.0.1:1111")).is_some()
    }

    #[test]
    fn foreign_hosts_and_origins_are_refused() {
        assert!(!refused(Some("127.0.0.1:1111"), None, "/"));
        assert!(refused(Some("evil.example:1111"), None, "/"));
        assert!(refused(None, None, "/"));
        assert!(!refused(Some("localhost:1111"), Some("http://localhost:1111"), "/__picket/livereload"));
        assert!(!refused(Some("localhost:1111"), None, "/__picket/livereload"));
        assert!(refused(Some("localhost:1111"), Some("http://evil.example"), "/__picket/livereload"));
        assert!(refused(Some("localhost:1111"), Some("https://localhost:1111"), "/__picket/livereload"));
        assert!(refused(Some("localhost:1111"), Some("null"), "/__picket/livereload"));
    }
}
