//! Two real portals on loopback talking ActivityPub: "Volgograd" and "Chemnitz" (the same seed,
//! the second one's home city changed), each its own `twincity` process with its own database.
//! Chemnitz follows Volgograd from Volgograd's city page; Volgograd's items reach Chemnitz's
//! moderation store in both languages, edits update them, archiving removes them; a receiver
//! killed during delivery gets the item after it restarts, once; forged, replayed, tampered,
//! oversized and private-address requests are refused.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::federation::signature;
use rsa::pkcs8::DecodePrivateKey;
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

    fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .arg("--db")
            .arg(self.db())
            .args(["--addr", &format!("127.0.0.1:{}", self.port)])
            .args(["--public-url", &self.base()])
            .args(["--page-cache-mb", "0"])
            .arg("--federation-allow-loopback")
            .env("LEPTOS_OUTPUT_NAME", "twincity")
            .env("RUST_LOG", "warn");
        command
    }

    fn start(&mut self) {
        let log = std::fs::File::create(self.dir.join("server.log")).unwrap();
        self.child = Some(
            self.command()
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
    let host = format!("127.0.0.1:{}", portal.port);
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
        .post(format!("{}/federation/inbox", portal.base()))
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

#[test]
fn partner_portals_follow_each_other_and_exchange_items() {
    let root = tempfile::tempdir().unwrap();
    let mut volgograd = Portal::new(root.path(), "volgograd");
    let mut chemnitz = Portal::new(root.path(), "chemnitz");
    make_chemnitz(&chemnitz);
    volgograd.start();
    chemnitz.start();
    let http = client();

    // An admin of Chemnitz follows Volgograd's portal from Volgograd's city page.
    let admin = login(&chemnitz);
    let answer = http
        .post(format!("{}/api/follow_partner", chemnitz.base()))
        .header("cookie", &admin)
        .form(&[("city", "volgograd"), ("handle", &volgograd.handle())])
        .send()
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.text().unwrap());
    wait_for("Volgograd to accept", Duration::from_secs(30), || {
        chemnitz.count("SELECT count(*) FROM following WHERE state = 'accepted'") == 1
    });
    let page = http
        .get(format!("{}/cities/volgograd", chemnitz.base()))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains(&volgograd.handle()),
        "visitors see the partner's handle"
    );
    let followers: Value = http
        .get(format!("{}/federation/followers", volgograd.base()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(followers["totalItems"], 1);

    // A new item reaches Chemnitz with both languages.
    volgograd.generate();
    wait_for("the item at Chemnitz", Duration::from_secs(30), || {
        received(&chemnitz, "Generated item").is_some()
    });
    let names = received(&chemnitz, "Generated item").unwrap();
    assert!(names["en"].as_str().unwrap().starts_with("Generated item"));
    assert!(names["ru"]
        .as_str()
        .unwrap()
        .starts_with("Тестовый материал"));

    // Held until an editor approves it; then on Volgograd's city page and the home page, in
    // the reader's language.
    let city_page = |path: &str| {
        http.get(format!("{}{path}", chemnitz.base()))
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    assert!(!city_page("/cities/volgograd").contains("Generated item 1"));
    let object: String = chemnitz
        .sql()
        .query_row("SELECT object_id FROM incoming_posts", [], |r| r.get(0))
        .unwrap();
    let approved = http
        .post(format!("{}/api/moderate_post", chemnitz.base()))
        .header("cookie", &admin)
        .form(&[("object", object.as_str()), ("decision", "approve")])
        .send()
        .unwrap();
    assert!(
        approved.status().is_success(),
        "{}",
        approved.text().unwrap()
    );
    assert!(city_page("/cities/volgograd").contains("Generated item 1"));
    assert!(city_page("/ru/cities/volgograd").contains("Тестовый материал 1"));
    let home = city_page("/");
    assert!(home.contains("From our twin cities") && home.contains("Generated item 1"));

    // An edit updates it.
    let editor = login(&volgograd);
    let saved = save(
        &volgograd,
        &editor,
        "generated-1",
        "title",
        json!("Chemnitz and Volgograd plant a friendship garden"),
    );
    assert!(saved.status().is_success(), "{}", saved.text().unwrap());
    wait_for("the edit at Chemnitz", Duration::from_secs(30), || {
        received(&chemnitz, "friendship garden").is_some()
    });
    assert_eq!(
        chemnitz.count("SELECT count(*) FROM incoming_posts"),
        1,
        "an update replaces, it does not add"
    );

    // Archiving removes it.
    let (archived, id) = (
        save(
            &volgograd,
            &editor,
            "generated-1",
            "status",
            json!("Archived"),
        ),
        item_id(&volgograd, "generated-1"),
    );
    assert!(archived.status().is_success());
    wait_for("the removal at Chemnitz", Duration::from_secs(30), || {
        chemnitz.count("SELECT count(*) FROM incoming_posts") == 0
    });
    let gone = http
        .get(format!("{}/federation/items/{}", volgograd.base(), id))
        .header("accept", "application/activity+json")
        .send()
        .unwrap();
    assert_eq!(gone.status().as_u16(), 410);
    assert_eq!(gone.json::<Value>().unwrap()["type"], "Tombstone");

    // The receiver dies; the item waits in Volgograd's queue and arrives once it is back.
    chemnitz.kill();
    volgograd.generate();
    wait_for("a failed attempt", Duration::from_secs(30), || {
        volgograd.count("SELECT count(*) FROM deliveries WHERE attempts > 0") == 1
    });
    chemnitz.start();
    wait_for(
        "the item after the restart",
        Duration::from_secs(60),
        || received(&chemnitz, "Generated item 2").is_some(),
    );
    wait_for("the queue to empty", Duration::from_secs(10), || {
        volgograd.count("SELECT count(*) FROM deliveries") == 0
    });
    assert_eq!(chemnitz.count("SELECT count(*) FROM incoming_posts"), 1);

    // A reply from Chemnitz (signed with its key) is held at Volgograd, then shown under the
    // article once approved, sanitised.
    let pem: String = chemnitz
        .sql()
        .query_row("SELECT private_pem FROM federation_key", [], |r| r.get(0))
        .unwrap();
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let item = item_id(&volgograd, "generated-2");
    let chemnitz_actor = format!("{}/federation/actor", chemnitz.base());
    let reply_id = format!("{}/replies/1", chemnitz.base());
    let reply = json!({
        "id": format!("{reply_id}#create"), "type": "Create", "actor": chemnitz_actor,
        "object": {
            "id": reply_id, "type": "Note", "attributedTo": chemnitz_actor,
            "inReplyTo": format!("{}/federation/items/{item}", volgograd.base()),
            "published": "2026-12-01T10:00:00Z",
            "contentMap": { "en": "<p>Greetings from Chemnitz!<script>alert(1)</script></p>" },
        },
    })
    .to_string()
    .into_bytes();
    let sent = post_signed(
        &volgograd,
        &key,
        &format!("{chemnitz_actor}#main-key"),
        &reply,
        &signature::http_date(now()),
        &signature::digest(&reply),
    );
    assert_eq!(sent.status().as_u16(), 202);
    let article = |portal: &Portal| {
        http.get(format!("{}/news/generated-2", portal.base()))
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    assert!(
        !article(&volgograd).contains("Greetings from Chemnitz"),
        "held"
    );
    let volgograd_admin = login(&volgograd);
    let approved = http
        .post(format!("{}/api/moderate_post", volgograd.base()))
        .header("cookie", &volgograd_admin)
        .form(&[("object", reply_id.as_str()), ("decision", "approve")])
        .send()
        .unwrap();
    assert!(approved.status().is_success());
    let shown = article(&volgograd);
    assert!(
        shown.contains("Greetings from Chemnitz!"),
        "shown once approved"
    );
    assert!(!shown.contains("alert(1)"), "sanitised");
    assert!(shown.contains(&format!("news@127.0.0.1:{}", chemnitz.port)));

    // Unfollowing sends Undo: Volgograd has no follower left.
    let stopped = http
        .post(format!("{}/api/unfollow_partner", chemnitz.base()))
        .header("cookie", &admin)
        .form(&[("city", "volgograd")])
        .send()
        .unwrap();
    assert!(stopped.status().is_success());
    wait_for("the Undo at Volgograd", Duration::from_secs(30), || {
        volgograd.count("SELECT count(*) FROM followers") == 0
    });
}

#[test]
fn forged_replayed_tampered_and_oversized_deliveries_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let mut volgograd = Portal::new(root.path(), "volgograd");
    let mut chemnitz = Portal::new(root.path(), "chemnitz");
    volgograd.start();
    chemnitz.start();
    // Chemnitz's key is made on first use: reading its actor makes it.
    let actor: Value = client()
        .get(format!("{}/federation/actor", chemnitz.base()))
        .header("accept", "application/activity+json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(
        !actor.to_string().contains("PRIVATE"),
        "no private key in the actor"
    );
    let pem: String = chemnitz
        .sql()
        .query_row("SELECT private_pem FROM federation_key", [], |r| r.get(0))
        .unwrap();
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let key_id = format!("{}/federation/actor#main-key", chemnitz.base());
    let actor_id = format!("{}/federation/actor", chemnitz.base());
    let body = json!({
        "id": format!("{}/likes/1", chemnitz.base()), "type": "Like",
        "actor": actor_id, "object": format!("{}/federation/items/1", volgograd.base()),
    })
    .to_string()
    .into_bytes();
    let date = signature::http_date(now());
    let digest = signature::digest(&body);

    let genuine = post_signed(&volgograd, &key, &key_id, &body, &date, &digest);
    assert_eq!(
        genuine.status().as_u16(),
        202,
        "{}",
        genuine.text().unwrap()
    );
    let replay = post_signed(&volgograd, &key, &key_id, &body, &date, &digest);
    assert_eq!(replay.status().as_u16(), 401, "a replay is refused");

    let tampered = post_signed(
        &volgograd,
        &key,
        &key_id,
        b"{\"type\":\"Delete\"}",
        &date,
        &digest,
    );
    assert_eq!(
        tampered.status().as_u16(),
        400,
        "a body that is not the digest's"
    );

    let old = signature::http_date(now() - 7200);
    let stale = post_signed(&volgograd, &key, &key_id, &body, &old, &digest);
    assert_eq!(stale.status().as_u16(), 401, "a date two hours old");

    let stranger = app::federation::keys::generate().unwrap();
    let forged = post_signed(
        &volgograd,
        &stranger,
        &key_id,
        &body,
        &signature::http_date(now()),
        &digest,
    );
    assert_eq!(forged.status().as_u16(), 401, "signed by another key");

    for private in [
        "http://10.0.0.1/actor#main-key",
        "http://169.254.169.254/latest/meta-data#k",
        "http://192.168.1.1/actor#main-key",
        "file:///etc/passwd#k",
    ] {
        let response = post_signed(
            &volgograd,
            &key,
            private,
            &body,
            &signature::http_date(now()),
            &digest,
        );
        assert_eq!(response.status().as_u16(), 401, "{private}");
    }

    let huge = vec![b' '; 300 * 1024];
    let oversized = post_signed(
        &volgograd,
        &key,
        &key_id,
        &huge,
        &signature::http_date(now()),
        &signature::digest(&huge),
    );
    assert_eq!(oversized.status().as_u16(), 413);

    // Someone else's actor cannot speak through Chemnitz's key.
    let impostor = json!({
        "id": format!("{}/likes/2", chemnitz.base()), "type": "Like",
        "actor": "https://mastodon.example/users/someone", "object": "x",
    })
    .to_string()
    .into_bytes();
    let spoofed = post_signed(
        &volgograd,
        &key,
        &key_id,
        &impostor,
        &signature::http_date(now()),
        &signature::digest(&impostor),
    );
    assert_eq!(spoofed.status().as_u16(), 401);

    // An admin blocks Chemnitz's server: its genuine requests are refused until unblocked.
    let admin = login(&volgograd);
    let block = |path: &str, form: &[(&str, &str)]| {
        let answer = client()
            .post(format!("{}{path}", volgograd.base()))
            .header("cookie", &admin)
            .form(form)
            .send()
            .unwrap();
        assert!(answer.status().is_success(), "{}", answer.text().unwrap());
    };
    let like = |n: u32| {
        json!({
            "id": format!("{}/likes/b{n}", chemnitz.base()), "type": "Like",
            "actor": actor_id, "object": "x",
        })
        .to_string()
        .into_bytes()
    };
    block("/api/block_sender", &[("value", "127.0.0.1")]);
    let body = like(1);
    let refused = post_signed(
        &volgograd,
        &key,
        &key_id,
        &body,
        &signature::http_date(now()),
        &signature::digest(&body),
    );
    assert_eq!(refused.status().as_u16(), 403);
    block(
        "/api/unblock_sender",
        &[("kind", "server"), ("value", "127.0.0.1")],
    );
    let body = like(2);
    let taken = post_signed(
        &volgograd,
        &key,
        &key_id,
        &body,
        &signature::http_date(now()),
        &signature::digest(&body),
    );
    assert_eq!(taken.status().as_u16(), 202);
    drop(chemnitz);
    volgograd.kill();
}
