//! `picket serve` end to end: the real binary on a free port, plain HTTP/1.1 over `TcpStream`, and
//! a hand-written WebSocket client for the live-reload socket. Every wait polls with a deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::support::copy_fixture;

const TIMEOUT: Duration = Duration::from_secs(10);

/// A running `picket serve`, killed when dropped.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
    /// The address it printed, with the base path.
    url: String,
    stderr: Arc<Mutex<String>>,
    site: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `picket serve --port 0` on a copy of the site in `site`.
    fn start(site: tempfile::TempDir) -> Server {
        let root = site.path().to_path_buf();
        let server = Server::spawn(site, &root, &["--root", root.to_str().unwrap()]);
        assert_eq!(server.url, format!("http://{}/sub/", server.address), "the URL includes the base path");
        server
    }

    /// Starts `picket serve --port 0 ARGS` in the folder `cwd`, as a user types it there.
    fn spawn(site: tempfile::TempDir, cwd: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_picket"))
            .args(["serve", "--port", "0"])
            .args(args)
            .current_dir(cwd)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start picket serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let collected = Arc::clone(&stderr);
        let mut pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut buffer = [0; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buffer) {
                collected.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let (lines, first_line) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut server = Server { child, address: String::new(), url: String::new(), stderr, site };
        let line = first_line.recv_timeout(TIMEOUT).unwrap_or_else(|_| server.fail("no `serving` line on stdout"));
        let url = line.split(" at ").nth(1).unwrap_or_else(|| server.fail(&format!("unexpected first line: {line}")));
        assert!(line.starts_with("serving "), "{line}");
        server.address = url.trim_start_matches("http://").split('/').next().unwrap().to_string();
        server.url = url.to_string();
        server
    }

    fn fail(&self, message: &str) -> ! {
        panic!("{message}\n--- server stderr ---\n{}", self.stderr.lock().unwrap())
    }

    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.site.path().join(relative)
    }

    fn get(&self, path: &str) -> Reply {
        get(&self.address, path)
    }

    /// Polls `path` until the reply satisfies `ok`.
    fn wait_for(&self, path: &str, what: &str, ok: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let reply = self.get(path);
            if ok(&reply) {
                return reply;
            }
            if Instant::now() > deadline {
                self.fail(&format!("{path} never showed {what}; last reply:\n{}\n{}", reply.status, reply.body));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for "reload" on `socket`, then for `path` to satisfy `ok`; then drops any further
    /// "reload" the same save caused.
    fn expect_reload(&self, socket: &mut Socket, path: &str, what: &str, ok: impl Fn(&Reply) -> bool) -> Reply {
        match socket.next_text(TIMEOUT) {
            Some(text) if text == "reload" => {}
            other => self.fail(&format!("expected a reload message before {what}, got {other:?}")),
        }
        let reply = self.wait_for(path, what, ok);
        while socket.next_text(Duration::from_millis(150)).is_some() {}
        reply
    }
}

/// A parsed HTTP response.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A GET of `path` sent exactly as written, so that malformed paths reach the server.
fn get(address: &str, path: &str) -> Reply {
    request(address, &format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"))
}

/// Sends `head` as it is and reads the whole reply.
fn request(address: &str, head: &str) -> Reply {
    let mut stream = TcpStream::connect(address).expect("connect to picket serve");
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_string(), v.trim().to_string())).collect();
    let mut reply = Reply { status, headers, body: body.to_string() };
    if reply.header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        reply.body = dechunk(&reply.body);
    }
    reply
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// The client side of the live-reload WebSocket; reads the server's unmasked text frames.
struct Socket(TcpStream);

/// The head of a live-reload handshake from a page at `origin`.
fn socket_head(address: &str, origin: &str) -> String {
    format!(
        "GET /__picket/livereload HTTP/1.1\r\nHost: {address}\r\nOrigin: {origin}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
}

impl Socket {
    /// Opens the socket as a page of the preview does, with its own origin.
    fn connect(address: &str) -> Socket {
        let mut stream = TcpStream::connect(address).expect("connect the live-reload socket");
        stream.write_all(socket_head(address, &format!("http://{address}")).as_bytes()).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut head = Vec::new();
        let mut byte = [0];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).expect("read the handshake");
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "handshake failed:\n{head}");
        Socket(stream)
    }

    /// The next text message, or `None` if none comes within `timeout` or the socket closes.
    fn next_text(&mut self, timeout: Duration) -> Option<String> {
        self.0.set_read_timeout(Some(timeout)).unwrap();
        loop {
            let mut header = [0; 2];
            self.0.read_exact(&mut header).ok()?;
            let opcode = header[0] & 0x0f;
            let length = match header[1] & 0x7f {
                126 => u16::from_be_bytes(self.read_array()?) as usize,
                127 => u64::from_be_bytes(self.read_array()?) as usize,
                n => n as usize,
            };
            let mut payload = vec![0; length];
            self.0.read_exact(&mut payload).ok()?;
            match opcode {
                1 => return Some(String::from_utf8_lossy(&payload).into_owned()),
                8 => return None,
                _ => {}
            }
        }
    }

    fn read_array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let mut bytes = [0; N];
        self.0.read_exact(&mut bytes).ok()?;
        Some(bytes)
    }
}

fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}\n")
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

const BROKEN_PAGE: &str = "---\ntitle: [unclosed\n---\n\nbroken\n";

#[test]
fn serve_answers_with_the_site_and_the_right_types() {
    let server = Server::start(copy_fixture("serve/basic"));
    for (path, mime, text) in [
        ("/sub/", "text/html; charset=utf-8", "Welcome home."),
        ("/sub/a/", "text/html; charset=utf-8", "version one"),
        ("/sub/a/index.html", "text/html; charset=utf-8", "version one"),
        ("/sub/style.css", "text/css; charset=utf-8", "margin: 0"),
        ("/sub/app.js", "text/javascript; charset=utf-8", "console.log"),
        ("/sub/pic.svg", "image/svg+xml", "<svg"),
        ("/sub/sitemap.xml", "application/xml", "<urlset"),
        ("/sub/robots.txt", "text/plain; charset=utf-8", "Sitemap"),
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.header("content-type"), Some(mime), "{path}");
        assert!(reply.body.contains(text), "{path} lacks {text:?}:\n{}", reply.body);
    }
    for (path, location) in [("/", "/sub/"), ("/sub", "/sub/"), ("/sub/a", "/sub/a/")] {
        let reply = server.get(path);
        assert_eq!((reply.status, reply.header("location")), (301, Some(location)), "{path}");
    }
    for path in ["/sub/missing", "/sub/missing/", "/elsewhere/", "/sub/themes/"] {
        let reply = server.get(path);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.header("content-type"), Some("text/html; charset=utf-8"), "{path}");
        assert!(reply.body.contains("Nothing here (404)"), "{path} is not the site's 404 page");
    }
}

#[test]
fn serve_never_answers_with_files_outside_the_site() {
    let server = Server::start(copy_fixture("serve/basic"));
    for path in [
        "/../site.yaml",
        "/sub/../site.yaml",
        "/sub/../../site.yaml",
        "/%2e%2e/site.yaml",
        "/sub/%2e%2e/site.yaml",
        "/sub/%2E%2E/%2E%2E/site.yaml",
        "/..%2fsite.yaml",
        "/sub/..%2fsite.yaml",
        "/sub/..%5csite.yaml",
        "/sub/..\\site.yaml",
        "//etc/passwd",
        "/sub//etc/passwd",
        "/sub/%2fetc%2fpasswd",
        "/sub/site.yaml",
        "/sub/content/a.md",
        "/sub/themes/t/templates/base.html",
        "/etc/passwd",
    ] {
        let reply = server.get(path);
        assert!(matches!(reply.status, 400 | 404), "{path} answered {}", reply.status);
        for secret in ["base_url", "root:", "{% block", "title: Page A"] {
            assert!(!reply.body.contains(secret), "{path} leaked {secret:?}:\n{}", reply.body);
        }
    }
}

#[test]
fn the_live_reload_script_is_served_but_never_built() {
    let server = Server::start(copy_fixture("serve/basic"));
    for path in ["/sub/", "/sub/a/", "/sub/missing"] {
        let body = server.get(path).body;
        let script = body.find("/__picket/livereload").unwrap_or_else(|| panic!("{path} has no live-reload script"));
        assert!(script < body.rfind("</body>").unwrap(), "{path}: the script is not before </body>");
    }
    assert!(!server.get("/sub/style.css").body.contains("__picket"));
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_picket"))
        .args(["build", "--root"])
        .arg(server.site.path())
        .arg("--output")
        .arg(out.path().join("public"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    for file in ["index.html", "a/index.html", "404.html"] {
        let html = std::fs::read_to_string(out.path().join("public").join(file)).unwrap();
        assert!(!html.contains("__picket"), "picket build wrote the live-reload script into {file}");
    }
}

#[test]
fn every_kind_of_save_rebuilds_and_reloads() {
    let server = Server::start(copy_fixture("serve/basic"));
    let mut socket = Socket::connect(&server.address);
    let a = server.path("content/a.md");
    let shows = |text: &'static str| move |r: &Reply| r.status == 200 && r.body.contains(text);

    // In place, as most editors save.
    write(&a, &page("Page A", "version two"));
    server.expect_reload(&mut socket, "/sub/a/", "an in-place write", shows("version two"));

    // To a temp file, then renamed over the page.
    let temp = server.path("content/.a.md.tmp");
    write(&temp, &page("Page A", "version three"));
    std::fs::rename(&temp, &a).unwrap();
    server.expect_reload(&mut socket, "/sub/a/", "a write-then-rename", shows("version three"));

    // As vim does: probe with 4913, move the page to a backup, write anew, delete the backup.
    let probe = server.path("content/4913");
    write(&probe, "");
    std::fs::remove_file(&probe).unwrap();
    let backup = server.path("content/a.md~");
    std::fs::rename(&a, &backup).unwrap();
    write(&a, &page("Page A", "version four"));
    std::fs::remove_file(&backup).unwrap();
    server.expect_reload(&mut socket, "/sub/a/", "a vim-style save", shows("version four"));

    // A bad save keeps the last good page, with the errors on top; the server stays up.
    write(&a, BROKEN_PAGE);
    let reply = server.expect_reload(&mut socket, "/sub/a/", "the error overlay", |r| r.body.contains("picket-errors"));
    assert!(reply.body.contains("content/a.md:"), "the overlay does not point at the page:\n{}", reply.body);
    assert!(reply.body.contains("version four"), "the last good page is gone");
    assert!(server.get("/sub/").body.contains("picket-errors"), "every page shows the overlay");
    assert!(server.stderr.lock().unwrap().contains("content/a.md:"), "the errors are not on stderr");

    // The next good save clears it.
    write(&a, &page("Page A", "version five"));
    let reply = server.expect_reload(&mut socket, "/sub/a/", "the fix", shows("version five"));
    assert!(!reply.body.contains("picket-errors"));

    // A new folder with a file in it, made in one go.
    std::fs::create_dir_all(server.path("content/new/deep")).unwrap();
    write(&server.path("content/new/deep/b.md"), &page("Page B", "in a new folder"));
    server.expect_reload(&mut socket, "/sub/new/deep/b/", "a page in a new folder", shows("in a new folder"));

    // A renamed folder.
    std::fs::rename(server.path("content/new"), server.path("content/renamed")).unwrap();
    server.expect_reload(&mut socket, "/sub/renamed/deep/b/", "a renamed folder", shows("in a new folder"));
    assert_eq!(server.get("/sub/new/deep/b/").status, 404);

    // A deleted page.
    std::fs::remove_file(&a).unwrap();
    server.expect_reload(&mut socket, "/sub/a/", "a deleted page", |r| r.status == 404);

    // site.yaml is read again on every rebuild; a broken one is an error like any other.
    let site_yaml = server.path("site.yaml");
    let config = std::fs::read_to_string(&site_yaml).unwrap();
    write(&site_yaml, &config.replace("Serve test", "Renamed site"));
    server.expect_reload(&mut socket, "/sub/", "the new title", shows("Home - Renamed site"));
    write(&site_yaml, "title: [unclosed\n");
    let reply = server.expect_reload(&mut socket, "/sub/", "a broken site.yaml", |r| r.body.contains("picket-errors"));
    assert!(reply.body.contains("site.yaml"), "{}", reply.body);
    write(&site_yaml, &config);
    server.expect_reload(&mut socket, "/sub/", "the old title", |r| {
        r.body.contains("Home - Serve test") && !r.body.contains("picket-errors")
    });
}

#[test]
fn a_site_that_never_built_gets_an_error_page_until_it_builds() {
    let site = copy_fixture("serve/basic");
    write(&site.path().join("content/a.md"), BROKEN_PAGE);
    let server = Server::start(site);
    for path in ["/sub/", "/sub/a/", "/anything"] {
        let reply = server.get(path);
        assert_eq!(reply.status, 500, "{path}");
        assert!(
            reply.body.contains("picket-errors") && reply.body.contains("content/a.md:"),
            "{path}:\n{}",
            reply.body
        );
        assert!(reply.body.contains("/__picket/livereload"), "{path} cannot reload by itself");
    }
    let mut socket = Socket::connect(&server.address);
    write(&server.path("content/a.md"), &page("Page A", "fixed"));
    let reply = server.expect_reload(&mut socket, "/sub/a/", "the fixed site", |r| r.status == 200);
    assert!(reply.body.contains("fixed") && !reply.body.contains("picket-errors"));
}

#[test]
fn loopback_is_the_default_and_no_warning_is_printed() {
    let server = Server::start(copy_fixture("serve/basic"));
    assert!(server.address.starts_with("127.0.0.1:"), "{}", server.address);
    assert_eq!(server.get("/sub/").status, 200);
    assert!(!server.stderr.lock().unwrap().contains("warning"), "{}", server.stderr.lock().unwrap());
}

#[test]
fn requests_for_another_host_are_refused() {
    // A page on another site that rebinds its name to 127.0.0.1 sends its own name as `Host`.
    let server = Server::start(copy_fixture("serve/basic"));
    let port = server.address.rsplit(':').next().unwrap().to_string();
    for host in [format!("rebound.example:{port}"), "127.0.0.1:1".to_string(), "127.0.0.1".to_string()] {
        let reply =
            request(&server.address, &format!("GET /sub/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        assert_eq!(reply.status, 403, "{host}");
        assert!(!reply.body.contains("Welcome home."), "{host} was served the site");
        assert!(reply.body.contains("answers only requests for its own address"), "{}", reply.body);
    }
    let reply = request(&server.address, "GET /sub/ HTTP/1.0\r\n\r\n");
    assert_eq!(reply.status, 403, "a request without Host");
    for host in [format!("localhost:{port}"), format!("LocalHost:{port}"), server.address.clone()] {
        let reply =
            request(&server.address, &format!("GET /sub/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        assert_eq!(reply.status, 200, "{host}");
    }
}

#[test]
fn the_live_reload_socket_refuses_other_origins() {
    let server = Server::start(copy_fixture("serve/basic"));
    let port = server.address.rsplit(':').next().unwrap().to_string();
    for origin in ["http://rebound.example", "null", &format!("http://evil.example:{port}")] {
        // `close`, so that the refused connection ends with its reply rather than idling.
        let head = socket_head(&server.address, origin).replace("Connection: Upgrade", "Connection: Upgrade, close");
        let reply = request(&server.address, &head);
        assert_eq!(reply.status, 403, "{origin}");
    }
    // The preview's own pages, whichever loopback name they were opened by.
    Socket::connect(&server.address);
    let mut stream = TcpStream::connect(&server.address).unwrap();
    let head = socket_head(&format!("localhost:{port}"), &format!("http://localhost:{port}"));
    stream.write_all(head.as_bytes()).unwrap();
    let mut reply = [0; 12];
    stream.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"HTTP/1.1 101");
}

#[test]
fn listening_on_every_address_warns_once() {
    let site = copy_fixture("serve/basic");
    let root = site.path().to_path_buf();
    let server = Server::spawn(site, &root, &["--bind", "0.0.0.0"]);
    // The printed address is the one to open on this machine.
    assert!(server.url.starts_with("http://127.0.0.1:"), "{}", server.url);
    assert_eq!(server.get("/sub/").status, 200);
    // stderr is read by a thread of its own: wait for it to have the warning.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.stderr.lock().unwrap().contains("warning: listening") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let stderr = server.stderr.lock().unwrap().clone();
    assert_eq!(stderr.matches("warning: listening on 0.0.0.0:").count(), 1, "{stderr}");
    assert!(stderr.contains("every device on every network this machine is on can read this preview"), "{stderr}");
}

#[test]
fn idle_connections_are_closed() {
    let server = Server::start(copy_fixture("serve/basic"));
    // Connections that never send a request, and one that sent half a request head.
    let mut idle: Vec<TcpStream> = (0..500).map(|_| TcpStream::connect(&server.address).unwrap()).collect();
    idle[0].write_all(b"GET /sub/ HTTP/1.1\r\nHost: ").unwrap();
    // Far longer than the server's timeout, so that only a server that never closes fails.
    let deadline = Instant::now() + Duration::from_secs(40);
    for (i, stream) in idle.iter_mut().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        stream.set_read_timeout(Some(left)).unwrap();
        let mut buffer = [0; 512];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(_) => continue,
                Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(err) => server.fail(&format!("idle connection {i} was still open after 40 s: {err}")),
            }
        }
    }
    // The server still answers.
    assert_eq!(server.get("/sub/").status, 200);
}

/// `picket init DIR` in `dir`, as a user types it.
fn init(dir: &Path, name: &str) -> std::path::PathBuf {
    let status = Command::new(env!("CARGO_BIN_EXE_picket"))
        .args(["init", name])
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    dir.join(name)
}

#[test]
fn a_new_site_from_init_previews_at_the_printed_address() {
    let dir = tempfile::tempdir().unwrap();
    let site = init(dir.path(), "my-site");
    let server = Server::spawn(dir, &site, &[]);
    assert_eq!(server.url, format!("http://{}/", server.address));
    let home = server.get("/");
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("<h1>My explainer</h1>"), "{}", home.body);
    for path in ["/guide/", "/guide/background/", "/guide/how-it-works/", "/tags/", "/tags/example/", "/highlight.css"]
    {
        assert_eq!(server.get(path).status, 200, "{path}");
    }
    let page = server.get("/guide/background/");
    assert!(
        page.body.contains("<table") && page.body.contains("class=\"chart\""),
        "no table and chart:\n{}",
        page.body
    );
    assert!(page.body.contains("/__picket/livereload"));
    assert!(page.body.contains("rel=\"next\">Next: How this site works</a>"), "{}", page.body);
    // The section lists its pages by weight, each with its summary: the text before
    // `<!-- more -->`, else the description.
    let guide = server.get("/guide/").body;
    let first = guide.find("<p>This page shows the one number this example starts from").expect("the summary");
    let second = guide.find("<p>Shortcodes, code blocks and links, as an editor writes them</p>").expect("description");
    assert!(first < second, "{guide}");
    assert!(!guide.contains("A page without one is listed"), "the text after `<!-- more -->` is listed:\n{guide}");
    let how = server.get("/guide/how-it-works/").body;
    for part in [
        "<section class=\"alert alert-note\" aria-label=\"Note\">\n<p class=\"alert-title\">Note</p>",
        "<table><caption>What each folder of the site holds</caption>",
        "<dt>Summary</dt>",
        // From the data file, through the `include` shortcode.
        "Cases counted in the north</span>",
        "rel=\"prev\">Previous: The background</a>",
    ] {
        assert!(how.contains(part), "no {part:?} in\n{how}");
    }
    assert!(!how.contains("ANCHOR"), "{how}");
    // The page's alias: its old URL is a redirect page.
    let moved = server.get("/how-it-works/");
    assert_eq!(moved.status, 200);
    assert!(
        moved.body.contains("<meta http-equiv=\"refresh\" content=\"0; url=/guide/how-it-works/\">"),
        "{}",
        moved.body
    );
}

#[test]
fn a_new_site_with_tags_code_and_a_table_added_builds_and_previews() {
    let dir = tempfile::tempdir().unwrap();
    let site = init(dir.path(), "my-site");
    let page = "---\ntitle: Notes from the field\ndescription: What an editor adds first\nweight: 30\n\
                tags: [Field notes, example, EXAMPLE]\n---\n\n## A table\n\n| Day | Visits |\n|-----|-------:|\n\
                | Monday | 12 |\n\n## Some code\n\n```rust\nfn main() {}\n```\n";
    write(&site.join("content/guide/field-notes.md"), page);
    let built = Command::new(env!("CARGO_BIN_EXE_picket")).arg("build").current_dir(&site).output().unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let html = std::fs::read_to_string(site.join("public/guide/field-notes/index.html")).unwrap();
    assert!(html.contains("href=\"/highlight.css\""), "the page with code does not link the highlight stylesheet");
    assert!(html.contains("<th scope=\"col\">Day</th>"), "{html}");
    // `example` and `EXAMPLE` are the tag the starter pages already have, spelt as first written.
    assert!(html.contains("<a href=\"/tags/example/\">Example</a>"), "{html}");
    assert!(!site.join("public/tags/example-1").exists());
    let server = Server::spawn(dir, &site, &[]);
    for path in ["/", "/guide/field-notes/", "/tags/field-notes/", "/tags/example/", "/highlight.css"] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    }
    let tag = server.get("/tags/example/").body;
    assert!(tag.contains("Notes from the field") && tag.contains("How this site works"), "{tag}");
}

#[test]
fn a_port_in_use_is_not_a_site_error() {
    let server = Server::start(copy_fixture("serve/basic"));
    let port = server.address.rsplit(':').next().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_picket"))
        .args(["serve", "--port", port, "--root"])
        .arg(server.site.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with(&format!("error: cannot listen on 127.0.0.1:{port}: ")), "{stderr}");
    assert!(stderr.contains("choose another port with --port"), "{stderr}");
    assert!(!stderr.contains("the site has"), "{stderr}");
}
