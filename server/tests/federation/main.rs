//! Real portals on loopback talking ActivityPub: "Volgograd" and "Chemnitz" (the same seed, the
//! second one's home city changed), each its own `twincity` process with its own database.
//! `exchange`: following, items in both languages, edits, removal, delivery after a crash,
//! replies. `refusals`: forged, replayed, tampered, oversized and private-address requests, and
//! what needs a real network to attack: a proxy from the environment, slow key servers.

mod exchange;
mod refusals;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::federation::signature;
use rusqlite::Connection;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_twincity");
const PASSWORD: &str = "correct horse battery";

/// A portal process and where it keeps its data.
struct Portal {
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Portal {
    /// Creates the database (seeded) with an admin, then starts serving.
    fn new(root: &Path, name: &str) -> Self {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let portal = Self {
            dir,
            port: free_port(),
            child: None,
        };
        let mut add = portal
            .command()
            .args(["user", "add", "admin", "--role", "admin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        assert!(add.wait().unwrap().success(), "user add failed");
        portal
    }

    fn db(&self) -> PathBuf {
        self.dir.join("twincity.db")
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn handle(&self) -> String {
        format!("news@127.0.0.1:{}", self.port)
    }

    /// The binary on this portal's database and address, as a public portal runs it (only
    /// https, only public addresses).
    fn public_command(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .arg("--db")
            .arg(self.db())
            .args(["--addr", &format!("127.0.0.1:{}", self.port)])
            .args(["--public-url", &self.base()])
            .args(["--page-cache-mb", "0"])
            .env("LEPTOS_OUTPUT_NAME", "twincity")
            .env("RUST_LOG", "warn");
        command
    }

    /// The binary as the tests run it: federation may reach other portals on loopback.
    fn command(&self) -> Command {
        let mut command = self.public_command();
        command.arg("--federation-allow-loopback");
        command
    }

    fn start(&mut self) {
        let command = self.command();
        self.start_as(command);
    }

    /// Serves with `command` (from `command` or `public_command`, with anything added).
    fn start_as(&mut self, mut command: Command) {
        let log = std::fs::File::create(self.dir.join("server.log")).unwrap();
        self.child = Some(
            command
                .arg("serve")
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        wait_for("the portal to answer", Duration::from_secs(60), || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
        });
    }

    /// Ends the process at once, as a crash or a power cut would.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }

    fn sql(&self) -> Connection {
        let conn = Connection::open(self.db()).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        conn
    }

    fn count(&self, sql: &str) -> i64 {
        self.sql().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn generate(&self) {
        let status = self
            .command()
            .args(["generate", "1"])
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.kill();
    }
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn login(portal: &Portal) -> String {
    let response = client()
        .post(format!("{}/api/login", portal.base()))
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .unwrap();
    let cookie = response
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// Chemnitz's home city and Volgograd as one of its partners.
fn make_chemnitz(portal: &Portal) {
    portal
        .sql()
        .execute_batch(
            "UPDATE site SET city_name = 'Chemnitz', country = 'Germany', lat = 50.83, lon = 12.92;
             UPDATE site_texts SET city_name = 'Хемниц', country = 'Германия';
             INSERT INTO cities (slug, name, country, kind, since_year, lat, lon)
             VALUES ('volgograd', 'Volgograd', 'Russia', 'twin', 1988, 48.71, 44.51);",
        )
        .unwrap();
}

/// The texts per language of the post Chemnitz received whose names contain `title_like`.
fn received(chemnitz: &Portal, title_like: &str) -> Option<Value> {
    chemnitz
        .sql()
        .query_row(
            "SELECT names FROM incoming_posts WHERE names LIKE ?1",
            [format!("%{title_like}%")],
            |r| r.get::<_, String>(0),
        )
        .ok()
        .map(|names| serde_json::from_str(&names).unwrap())
}

/// POSTs `body` to `portal`'s inbox signed with `key` as `key_id`, with `date` and `digest` as
/// given (to forge them).
fn post_signed(
    portal: &Portal,
    key: &rsa::RsaPrivateKey,
    key_id: &str,
    body: &[u8],
    date: &str,
    digest: &str,
) -> reqwest::blocking::Response {
    post_signed_to(portal.port, key, key_id, body, date, digest)
}

/// `post_signed` to the portal serving on `port`, from any thread.
fn post_signed_to(
    port: u16,
    key: &rsa::RsaPrivateKey,
    key_id: &str,
    body: &[u8],
    date: &str,
    digest: &str,
) -> reqwest::blocking::Response {
    let host = format!("127.0.0.1:{port}");
    let names: Vec<String> = signature::POST_HEADERS
        .split(' ')
        .map(str::to_owned)
        .collect();
    let headers = [("host", host.as_str()), ("date", date), ("digest", digest)];
    let signing = signature::signing_string("POST", "/federation/inbox", &names, |n| {
        headers.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
    })
    .unwrap();
    client()
        .post(format!("http://{host}/federation/inbox"))
        .header("host", host.clone())
        .header("date", date)
        .header("digest", digest)
        .header("content-type", "application/activity+json")
        .header(
            "signature",
            signature::sign(key, key_id, signature::POST_HEADERS, &signing),
        )
        .body(body.to_vec())
        .send()
        .unwrap()
}

/// Saves the news item at `slug` on `portal` with `field` set to `value`, through the editor's
/// server functions, as the session `cookie`.
fn save(
    portal: &Portal,
    cookie: &str,
    slug: &str,
    field: &str,
    value: Value,
) -> reqwest::blocking::Response {
    let http = client();
    let item: Value = http
        .post(format!("{}/api/get_editable", portal.base()))
        .header("cookie", cookie)
        .form(&[("kind", "news"), ("slug", slug)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let mut fields = item["fields"].clone();
    fields[field] = value;
    http.post(format!("{}/api/update_item", portal.base()))
        .header("cookie", cookie)
        .json(&json!({"id": item["id"], "base_version": item["version"], "fields": fields}))
        .send()
        .unwrap()
}

/// The id of the item at `slug` on `portal`.
fn item_id(portal: &Portal, slug: &str) -> i64 {
    portal
        .sql()
        .query_row("SELECT id FROM items WHERE slug = ?1", [slug], |r| r.get(0))
        .unwrap()
}

fn now() -> i64 {
    app::federation::now()
}
