//! Mixed load on the real binary: visitors read pages while an editor saves, for a fixed time.
//! No response may be a 5xx, and memory must stay flat. Short by default (CI); set
//! `TWINCITY_LOAD_SECONDS=600` for the ten-minute run.

mod process;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use process::{create_draft, http, number, portal_with_editor, rss_kb, title_update};

/// Concurrent visitors: a steady load well under what two cores serve, not a stress test.
const VISITORS: usize = 6;

const PAGES: [&str; 8] = [
    "/",
    "/news",
    "/news?page=3",
    "/news/mayors-for-peace-letter-against-nuclear-tests",
    "/events",
    "/cities/chemnitz",
    "/search?q=peace",
    "/news/rss.xml",
];

#[test]
fn mixed_load_has_no_server_errors_and_flat_memory() {
    let seconds: u64 = std::env::var("TWINCITY_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    // Kept whole: its temporary directory lives as long as it does.
    let mut portal = portal_with_editor();
    let (port, cookie) = (portal.port, portal.cookie.clone());
    let (id, version) = create_draft(port, &cookie);

    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for v in 0..VISITORS {
        let (stop, served, failures) = (stop.clone(), served.clone(), failures.clone());
        workers.push(std::thread::spawn(move || {
            let mut n = v;
            while !stop.load(Ordering::Relaxed) {
                let page = PAGES[n % PAGES.len()];
                match http(port, "GET", page, &[], "") {
                    Some((status, _, _)) if status < 500 => {
                        served.fetch_add(1, Ordering::Relaxed);
                    }
                    other => failures
                        .lock()
                        .unwrap()
                        .push(format!("{page}: {:?}", other.map(|r| r.0))),
                }
                n += 1;
            }
        }));
    }
    {
        let (stop, failures) = (stop.clone(), failures.clone());
        workers.push(std::thread::spawn(move || {
            let json = [
                ("Content-Type", "application/json"),
                ("Cookie", cookie.as_str()),
            ];
            let mut version = version;
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = title_update(id, version, &format!("Under load {n}"));
                match http(port, "POST", "/api/update_item", &json, &body) {
                    Some((200, _, saved)) => version = number(&saved, "version"),
                    other => failures
                        .lock()
                        .unwrap()
                        .push(format!("save {n}: {:?}", other.map(|r| r.0))),
                }
                n += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
        }));
    }

    let started = Instant::now();
    let total = Duration::from_secs(seconds);
    std::thread::sleep(total / 3);
    let warm = rss_kb(portal.server.id());
    std::thread::sleep(total - total / 3);
    let end = rss_kb(portal.server.id());
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    portal.server.kill().unwrap();
    portal.server.wait().unwrap();
    let conn = app::store::open_connection(&portal.db).unwrap();
    app::store::backup::check(&conn).expect("the database is intact after the load");

    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        failures.first()
    );
    let served = served.load(Ordering::Relaxed);
    assert!(
        served > 50,
        "the load ran: {served} responses in {elapsed:.0} s"
    );
    // Flat: allocator arenas settle after warm-up; a leak grows with the number of requests.
    assert!(
        end <= warm + warm / 4 + 8 * 1024,
        "memory grew from {warm} kB to {end} kB"
    );
    eprintln!("{served} responses in {elapsed:.0} s, memory {warm} kB → {end} kB");
}
