//! A flood of wrong passwords on the real binary: a burst for one account gets at most the limit
//! of password checks, the rest a quick 429, and the server's memory stays near idle.

#[expect(dead_code, reason = "this test edits nothing")]
mod process;

use std::sync::{Arc, Barrier};

use process::{http, portal_with_editor, rss_kb};

const BURST: usize = 100;
/// The per-account limit (`app::auth::api::MAX_FAILURES_PER_ACCOUNT`).
const LIMIT: usize = app::auth::api::MAX_FAILURES_PER_ACCOUNT as usize;

#[test]
fn a_burst_of_wrong_logins_is_checked_at_most_the_limit_and_memory_stays_bounded() {
    let mut portal = portal_with_editor();
    let port = portal.port;
    let idle = rss_kb(portal.server.id());
    let start = Arc::new(Barrier::new(BURST));
    let attempts: Vec<_> = (0..BURST)
        .map(|_| {
            let start = start.clone();
            std::thread::spawn(move || {
                let form = [("Content-Type", "application/x-www-form-urlencoded")];
                start.wait();
                http(
                    port,
                    "POST",
                    "/api/login",
                    &form,
                    "username=olga&password=wrong+password+here",
                )
                .map(|(status, head, _)| (status, head))
            })
        })
        .collect();
    let answers: Vec<_> = attempts.into_iter().map(|t| t.join().unwrap()).collect();
    let peak = rss_kb(portal.server.id());
    let count = |wanted: u16| {
        answers
            .iter()
            .flatten()
            .filter(|(s, _)| *s == wanted)
            .count()
    };
    let (checked, refused) = (count(401), count(429));
    let right_password_now = http(
        port,
        "POST",
        "/api/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "username=olga&password=correct+horse+battery",
    )
    .map(|r| r.0);
    portal.server.kill().unwrap();
    portal.server.wait().unwrap();

    assert!(
        answers.iter().all(Option::is_some),
        "every attempt was answered"
    );
    assert!(checked <= LIMIT, "{checked} passwords were checked");
    assert_eq!(
        checked + refused,
        BURST,
        "the others were refused: {answers:?}"
    );
    assert!(
        answers
            .iter()
            .flatten()
            .filter(|(s, _)| *s == 429)
            .all(|(_, head)| head.to_ascii_lowercase().contains("retry-after:")),
        "a refusal says when to come back"
    );
    assert_eq!(
        right_password_now,
        Some(429),
        "the name stays locked, even for the right password"
    );
    assert!(
        peak <= idle + 64 * 1024,
        "memory went from {idle} kB to {peak} kB"
    );
    eprintln!("{checked} checked, {refused} refused; memory {idle} kB → {peak} kB");
}
