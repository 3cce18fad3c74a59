//! The bounds on fetching the keys of senders the inbox does not know yet. A key fetch waits on
//! another server, which a stranger may make slow, so fetches have slots of their own apart
//! from the inbox's: a few at once in all, one at a time and a few a minute for any one host,
//! and none waits for a slot. A sender whose key is already known never needs one, so a
//! partner's delivery is never held up by strangers' fetches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Key fetches under way at once, from all hosts.
const AT_ONCE: usize = 4;
/// Key fetches from one host in a minute.
const PER_HOST_PER_MINUTE: usize = 6;
const MINUTE: Duration = Duration::from_secs(60);
/// Hosts remembered at once; beyond it, fetches from hosts not remembered wait for a minute to
/// pass, so that the memory stays bounded however many names a stranger uses.
const HOSTS: usize = 10_000;

/// Why a key fetch may not start now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    /// Every slot is taken, or this host's fetch is under way: try again shortly.
    Busy,
    /// This host had its fetches for this minute.
    TooMany,
}

/// The key fetches under way and recent, per host.
#[derive(Clone, Debug)]
pub struct FetchGate {
    slots: Arc<Semaphore>,
    hosts: Arc<Mutex<HashMap<String, Host>>>,
}

#[derive(Debug, Default)]
struct Host {
    running: bool,
    recent: Vec<Instant>,
}

/// A key fetch under way; dropping it frees its slots.
#[derive(Debug)]
pub struct Permit {
    hosts: Arc<Mutex<HashMap<String, Host>>>,
    host: String,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(host) = hosts.get_mut(&self.host) {
            host.running = false;
        }
    }
}

impl Default for FetchGate {
    fn default() -> Self {
        Self {
            slots: Arc::new(Semaphore::new(AT_ONCE)),
            hosts: Arc::default(),
        }
    }
}

impl FetchGate {
    /// A permit to fetch a key from `host` at `now`, or why not.
    pub fn enter(&self, host: &str, now: Instant) -> Result<Permit, Closed> {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        if hosts.len() >= HOSTS && !hosts.contains_key(host) {
            hosts.retain(|_, h| {
                h.recent.retain(|at| now.duration_since(*at) < MINUTE);
                h.running || !h.recent.is_empty()
            });
            if hosts.len() >= HOSTS {
                return Err(Closed::Busy);
            }
        }
        let entry = hosts.entry(host.to_owned()).or_default();
        entry.recent.retain(|at| now.duration_since(*at) < MINUTE);
        if entry.running {
            return Err(Closed::Busy);
        }
        if entry.recent.len() >= PER_HOST_PER_MINUTE {
            return Err(Closed::TooMany);
        }
        let slot = Arc::clone(&self.slots)
            .try_acquire_owned()
            .map_err(|_| Closed::Busy)?;
        entry.running = true;
        entry.recent.push(now);
        Ok(Permit {
            hosts: Arc::clone(&self.hosts),
            host: host.to_owned(),
            _slot: slot,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_fetch_per_host_at_a_time_a_few_a_minute_and_a_few_in_all() {
        let gate = FetchGate::default();
        let start = Instant::now();
        let first = gate.enter("slow.example", start).unwrap();
        assert_eq!(gate.enter("slow.example", start).unwrap_err(), Closed::Busy);
        drop(first);
        for _ in 1..PER_HOST_PER_MINUTE {
            drop(gate.enter("slow.example", start).unwrap());
        }
        assert_eq!(
            gate.enter("slow.example", start).unwrap_err(),
            Closed::TooMany
        );
        assert!(gate.enter("slow.example", start + MINUTE).is_ok());
        let held: Vec<Permit> = (0..AT_ONCE)
            .map(|n| gate.enter(&format!("h{n}.example"), start).unwrap())
            .collect();
        assert_eq!(
            gate.enter("partner.example", start).unwrap_err(),
            Closed::Busy
        );
        drop(held);
        assert!(gate.enter("partner.example", start).is_ok());
    }

    #[test]
    fn memory_stays_bounded_under_any_number_of_hosts() {
        let gate = FetchGate::default();
        let start = Instant::now();
        for n in 0..HOSTS {
            drop(gate.enter(&format!("h{n}.example"), start).unwrap());
        }
        assert_eq!(
            gate.enter("one-more.example", start).unwrap_err(),
            Closed::Busy
        );
        assert!(gate.enter("one-more.example", start + MINUTE).is_ok());
        assert!(gate.hosts.lock().unwrap().len() <= HOSTS);
    }
}
