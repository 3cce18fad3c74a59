//! Crash safety of the real binary: an editor saves a burst of edits over HTTP, the server is
//! killed with SIGKILL in the middle, and after a restart the database is intact and holds every
//! edit that was acknowledged.

#[expect(dead_code, reason = "this test reads no memory figures")]
mod process;

use std::process::Command;
use std::time::Duration;

use process::{create_draft, http, number, portal_with_editor, start, title_update};

#[test]
fn acknowledged_edits_survive_sigkill() {
    // Kept whole: its temporary directory lives as long as it does.
    let mut portal = portal_with_editor();
    let (db, port, cookie) = (portal.db.clone(), portal.port, portal.cookie.clone());
    let json = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie.as_str()),
    ];
    let (id, mut version) = create_draft(port, &cookie);

    // Kill the server from another thread while the editor keeps saving.
    let pid = portal.server.id();
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
        let body = title_update(id, version, &title);
        match http(port, "POST", "/api/update_item", &json, &body) {
            Some((200, _, saved)) => {
                version = number(&saved, "version");
                acknowledged.push((version, title));
            }
            Some((status, _, body)) => panic!("save {n}: {status} {body}"),
            None => break,
        }
    }
    killer.join().unwrap();
    portal.server.wait().unwrap();
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
