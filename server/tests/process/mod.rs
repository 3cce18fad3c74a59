//! Running the real `twincity` binary in tests: starting it on a free port, talking HTTP/1.1 to
//! it over a plain socket, and reading numbers out of its JSON answers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_twincity");

/// One HTTP/1.1 request on a fresh connection; `None` when the server is gone.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, head.to_owned(), body.to_owned()))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn start(db: &Path, port: u16) -> Child {
    let child = Command::new(BIN)
        .args([
            "--db",
            db.to_str().unwrap(),
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let deadline = Instant::now() + Duration::from_secs(30);
    while http(port, "GET", "/healthz", &[], "").map(|r| r.0) != Some(200) {
        assert!(Instant::now() < deadline, "the server did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// Reads `"key":<number>` out of a JSON text.
pub fn number(json: &str, key: &str) -> i64 {
    let at = json.find(&format!("\"{key}\":")).expect(key) + key.len() + 3;
    json[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap()
}

/// Adds the editor account `name` with the test password to the database at `db`.
pub fn add_editor(db: &Path, name: &str) {
    let mut add = Command::new(BIN)
        .args([
            "--db",
            db.to_str().unwrap(),
            "user",
            "add",
            name,
            "--role",
            "editor",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    assert!(add.wait().unwrap().success());
}

/// Logs `name` in and returns the `Cookie` header value of the session.
pub fn log_in(port: u16, name: &str) -> String {
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let body = format!("username={name}&password=correct+horse+battery");
    let (_, head, _) = http(port, "POST", "/api/login", &form, &body).expect("the server answers");
    head.lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session")
        .to_owned()
}

/// A JSON body for `update_item` setting a draft news item's title.
pub fn title_update(id: i64, version: i64, title: &str) -> String {
    format!(
        r#"{{"id":{id},"base_version":{version},"fields":{{"lang":"en","title":"{title}","lead":"","body":"","status":"Draft","published_at":null,"event_start":null,"event_end":null,"venue":"","cities":[],"tags":[],"cover_image":null,"cover_alt":""}}}}"#
    )
}

/// Creates a news draft as the session `cookie`; returns its id and version.
pub fn create_draft(port: u16, cookie: &str) -> (i64, i64) {
    let form = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Cookie", cookie),
    ];
    let (_, _, created) =
        http(port, "POST", "/api/create_item", &form, "kind=news").expect("created");
    (number(&created, "id"), number(&created, "version"))
}

/// A running server on a fresh database with one logged-in editor.
pub struct Portal {
    pub db: std::path::PathBuf,
    pub port: u16,
    pub server: Child,
    /// The editor's `Cookie` header value.
    pub cookie: String,
    _dir: tempfile::TempDir,
}

/// Starts the binary on a new database in a temporary directory, with the editor `olga` logged in.
pub fn portal_with_editor() -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("portal.db");
    add_editor(&db, "olga");
    let port = free_port();
    let server = start(&db, port);
    let cookie = log_in(port, "olga");
    Portal {
        db,
        port,
        server,
        cookie,
        _dir: dir,
    }
}

/// Resident memory of process `pid`, in kB (Linux).
pub fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}
