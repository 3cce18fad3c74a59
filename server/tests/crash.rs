//! Crash safety of the real binary: an editor saves a burst of edits over HTTP, the server is
//! killed with SIGKILL in the middle, and after a restart the database is intact and holds every
//! edit that was acknowledged.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_twincity");

/// One HTTP/1.1 request on a fresh connection; `None` when the server is gone.
fn http(
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(db: &Path, port: u16) -> Child {
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
fn number(json: &str, key: &str) -> i64 {
    let at = json.find(&format!("\"{key}\":")).expect(key) + key.len() + 3;
    json[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap()
}

#[test]
fn acknowledged_edits_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("portal.db");
    let mut add = Command::new(BIN)
        .args([
            "--db",
            db.to_str().unwrap(),
            "user",
            "add",
            "olga",
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

    let port = free_port();
    let mut server = start(&db, port);
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let (_, head, _) = http(
        port,
        "POST",
        "/api/login",
        &form,
        "username=olga&password=correct+horse+battery",
    )
    .unwrap();
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session")
        .to_owned();
    let with_cookie =
        |content_type: &'static str| [("Content-Type", content_type), ("Cookie", cookie.as_str())];
    let (_, _, created) = http(
        port,
        "POST",
        "/api/create_item",
        &with_cookie("application/x-www-form-urlencoded"),
        "kind=News",
    )
    .unwrap();
    let id = number(&created, "id");
    let mut version = number(&created, "version");

    // Kill the server from another thread while the editor keeps saving.
    let pid = server.id();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1_500));
        Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap();
    });
    let mut acknowledged = Vec::new();
    for n in 0..10_000 {
        let title = format!("Edit number {n}");
        let body = format!(
            r#"{{"id":{id},"base_version":{version},"fields":{{"lang":"en","title":"{title}","lead":"","body":"","status":"Draft","published_at":null,"event_start":null,"event_end":null,"venue":"","cities":[],"tags":[],"cover_image":null,"cover_alt":""}}}}"#
        );
        match http(
            port,
            "POST",
            "/api/update_item",
            &with_cookie("application/json"),
            &body,
        ) {
            Some((200, _, saved)) => {
                version = number(&saved, "version");
                acknowledged.push((version, title));
            }
            Some((status, _, body)) => panic!("save {n}: {status} {body}"),
            None => break,
        }
    }
    killer.join().unwrap();
    server.wait().unwrap();
    assert!(
        acknowledged.len() > 5,
        "the burst ran before the kill: {}",
        acknowledged.len()
    );

    let mut restarted = start(&db, port);
    let conn = app::store::open_connection(&db).unwrap();
    app::store::backup::check(&conn).expect("PRAGMA integrity_check is ok");
    for (version, title) in &acknowledged {
        let fields: String = conn
            .query_row(
                "SELECT fields FROM revisions WHERE item_id = ?1 AND version = ?2",
                (id, version),
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("acknowledged version {version} is missing: {e}"));
        assert!(fields.contains(title.as_str()), "version {version}");
    }
    let stored: i64 = conn
        .query_row("SELECT version FROM items WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(stored >= acknowledged.last().unwrap().0);
    restarted.kill().unwrap();
    restarted.wait().unwrap();
}
