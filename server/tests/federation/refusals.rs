//! What the inbox refuses, sent by real processes over real sockets.

use std::io::ErrorKind;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use app::federation::signature;
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{json, Value};

use crate::{client, login, now, post_signed, post_signed_to, Portal};

/// A signed `Like` by `actor`, numbered `n` (so that no two are the same request).
fn like(actor: &str, n: usize) -> Vec<u8> {
    json!({ "id": format!("{actor}/likes/{n}"), "type": "Like", "actor": actor, "object": "x" })
        .to_string()
        .into_bytes()
}

/// POSTs `body` to `portal`'s inbox signed by `key` as `key_id`, dated now.
fn send(
    portal: &Portal,
    key: &rsa::RsaPrivateKey,
    key_id: &str,
    body: &[u8],
) -> reqwest::blocking::Response {
    let date = signature::http_date(now());
    post_signed(portal, key, key_id, body, &date, &signature::digest(body))
}

#[test]
fn a_proxy_in_the_environment_is_never_used_to_reach_other_servers() {
    let root = tempfile::tempdir().unwrap();
    let mut portal = Portal::new(root.path(), "volgograd");
    // What an attacker hopes the portal connects through: it would reach the portal's own
    // network, unchecked, on the portal's behalf.
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let mut command = portal.public_command();
    for name in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        command.env(name, &proxy_url);
    }
    portal.start_as(command);
    let key = app::federation::keys::generate().unwrap();
    for (n, key_id) in [
        "https://metadata.google.internal/computeMetadata/v1/#k",
        "https://localhost/actor#k",
        "https://portal.invalid/actor#k",
    ]
    .into_iter()
    .enumerate()
    {
        let actor = key_id.split('#').next().unwrap();
        let refused = send(&portal, &key, key_id, &like(actor, n));
        assert_eq!(refused.status().as_u16(), 401, "{key_id}");
    }
    match proxy.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("the portal connected to the proxy: {other:?}"),
    }
}

#[test]
fn slow_key_servers_cannot_hold_up_a_partners_delivery() {
    let root = tempfile::tempdir().unwrap();
    let mut volgograd = Portal::new(root.path(), "volgograd");
    let mut chemnitz = Portal::new(root.path(), "chemnitz");
    volgograd.start();
    chemnitz.start();
    client()
        .get(format!("{}/federation/actor", chemnitz.base()))
        .header("accept", "application/activity+json")
        .send()
        .unwrap();
    let pem: String = chemnitz
        .sql()
        .query_row("SELECT private_pem FROM federation_key", [], |r| r.get(0))
        .unwrap();
    let partner_key = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let partner = format!("{}/federation/actor", chemnitz.base());
    let partner_key_id = format!("{partner}#main-key");
    // Volgograd knows Chemnitz's key from an earlier delivery.
    let first = send(
        &volgograd,
        &partner_key,
        &partner_key_id,
        &like(&partner, 0),
    );
    assert_eq!(first.status().as_u16(), 202);

    // Key servers that take connections and never answer, on eight loopback addresses (eight
    // hosts to the portal), and a stranger sending 24 requests whose keys are there.
    let slow: Vec<TcpListener> = (2..10)
        .map(|n| TcpListener::bind(format!("127.0.0.{n}:0")).unwrap())
        .collect();
    let held: Vec<std::thread::JoinHandle<Vec<TcpStream>>> = slow
        .iter()
        .map(|listener| {
            let listener = listener.try_clone().unwrap();
            listener.set_nonblocking(true).unwrap();
            std::thread::spawn(move || {
                let mut open = Vec::new();
                let until = std::time::Instant::now() + Duration::from_secs(12);
                while std::time::Instant::now() < until {
                    if let Ok((stream, _)) = listener.accept() {
                        open.push(stream);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                open
            })
        })
        .collect();
    let stranger = app::federation::keys::generate().unwrap();
    let addresses: Vec<String> = slow
        .iter()
        .map(|l| l.local_addr().unwrap().to_string())
        .collect();
    let attacks: Vec<_> = (0..24)
        .map(|n| {
            let actor = format!("http://{}/users/{n}", addresses[n % addresses.len()]);
            let body = like(&actor, n);
            let key = stranger.clone();
            let port = volgograd.port;
            std::thread::spawn(move || {
                let date = signature::http_date(now());
                let digest = signature::digest(&body);
                let key_id = format!("{actor}#main-key");
                post_signed_to(port, &key, &key_id, &body, &date, &digest)
                    .status()
                    .as_u16()
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    // Meanwhile the partner delivers: taken at once, not told the inbox is busy.
    let delivered = send(
        &volgograd,
        &partner_key,
        &partner_key_id,
        &like(&partner, 1),
    );
    assert_eq!(delivered.status().as_u16(), 202);
    let answers: Vec<u16> = attacks.into_iter().map(|a| a.join().unwrap()).collect();
    assert!(
        answers.iter().all(|s| [401, 429, 503].contains(s)),
        "{answers:?}"
    );
    assert!(
        answers.iter().filter(|s| **s == 503).count() >= 16,
        "most were turned away without a fetch: {answers:?}"
    );
    let fetched: usize = held.into_iter().map(|h| h.join().unwrap().len()).sum();
    assert!(
        fetched <= 8,
        "at most one fetch per host at a time: {fetched}"
    );
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
    let oversized = send(&volgograd, &key, &key_id, &huge);
    assert_eq!(oversized.status().as_u16(), 413);

    // Someone else's actor cannot speak through Chemnitz's key.
    let impostor = json!({
        "id": format!("{}/likes/2", chemnitz.base()), "type": "Like",
        "actor": "https://mastodon.example/users/someone", "object": "x",
    })
    .to_string()
    .into_bytes();
    let spoofed = send(&volgograd, &key, &key_id, &impostor);
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
    let refused = send(&volgograd, &key, &key_id, &body);
    assert_eq!(refused.status().as_u16(), 403);
    block(
        "/api/unblock_sender",
        &[("kind", "server"), ("value", "127.0.0.1")],
    );
    let body = like(2);
    let taken = send(&volgograd, &key, &key_id, &body);
    assert_eq!(taken.status().as_u16(), 202);
    drop(chemnitz);
    volgograd.kill();
}
