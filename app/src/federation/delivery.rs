//! The delivery queue's worker: sends each queued activity to its inbox, signed, and forgets it
//! only once the inbox accepted it. A failure is tried again later, waiting twice as long each
//! time, for a week; a server that is down or slow holds up only its own deliveries (each
//! attempt is bounded in time, a few go out at once, each freed slot is refilled at once, no
//! server gets more than two slots, every server's first delivery goes before any server's
//! second, and two slots are kept for partner portals, which go first).
//! The queue is in the database, so deliveries survive restarts.

use std::collections::HashMap;
use std::time::Duration;

use tokio::task::JoinSet;

use super::fetch::FetchError;
use super::now;
use crate::state::AppState;
use crate::store::{self, federation::Delivery};

/// Deliveries attempted at once.
const AT_ONCE: u32 = 8;
/// Of which at most this many to one server.
const PER_HOST: u32 = 2;
/// Of which this many are kept for the servers of partner portals the portal follows: however
/// many strangers' servers are slow, a partner never waits for one of them.
const KEPT_FOR_PARTNERS: usize = 2;
/// The wait after the first failure; it doubles with each further one, up to `LONGEST_WAIT`.
const FIRST_WAIT: i64 = 10;
const LONGEST_WAIT: i64 = 6 * 3600;
/// How long a delivery is tried before it is given up.
const GIVE_UP_AFTER: i64 = 7 * 24 * 3600;
/// How long the worker sleeps when nothing is due and nothing wakes it.
const IDLE: i64 = 60;

/// When delivery `delivery` is tried next after failing with `error` at `now`, or `None` to
/// give up: the inbox refused it for good (a 4xx other than one asking to wait or to
/// authenticate again), or it has been tried for a week.
pub fn next_attempt(delivery: &Delivery, error: &FetchError, now: i64) -> Option<i64> {
    let permanent = match error {
        FetchError::Status(code) => {
            (400..500).contains(code) && !matches!(code, 401 | 408 | 425 | 429)
        }
        FetchError::Scheme(_) | FetchError::Private(_) => true,
        _ => false,
    };
    if permanent || now - delivery.created_at > GIVE_UP_AFTER {
        return None;
    }
    let wait = FIRST_WAIT
        .saturating_mul(1_i64 << delivery.attempts.min(20))
        .min(LONGEST_WAIT);
    Some(now + wait)
}

/// Runs the queue until the process ends: keeps up to `AT_ONCE` attempts going, starting the
/// next due delivery whenever one ends, so a slow server never holds up a batch.
pub async fn run(state: AppState) {
    let mut running = JoinSet::new();
    // Which delivery each running task attempts (and whether to a partner), so that it is not
    // started twice.
    let mut attempting: HashMap<tokio::task::Id, (i64, bool)> = HashMap::new();
    loop {
        let now = now();
        let free = (AT_ONCE as usize).saturating_sub(attempting.len());
        if free > 0 {
            let due = state
                .store
                .call(move |c| store::federation::due_deliveries(c, now, 2 * AT_ONCE, PER_HOST))
                .await
                .unwrap_or_else(|error| {
                    tracing::error!(%error, "the delivery queue cannot be read");
                    Vec::new()
                });
            let busy: Vec<i64> = attempting.values().map(|(id, _)| *id).collect();
            let mut strangers = attempting.values().filter(|(_, partner)| !partner).count();
            let started = starts(due, &busy, free, &mut strangers);
            for delivery in started {
                let key = (delivery.id, delivery.partner);
                let state = state.clone();
                let task = running.spawn(async move { attempt(&state, delivery).await });
                attempting.insert(task.id(), key);
            }
        }
        let wait = if attempting.is_empty() {
            let next = state
                .store
                .call(|c| store::federation::next_due(c))
                .await
                .ok()
                .flatten();
            next.map_or(IDLE, |at| (at - now).clamp(0, IDLE))
        } else {
            IDLE
        };
        tokio::select! {
            Some(done) = running.join_next_with_id() => {
                let task = match done {
                    Ok((task, ())) => task,
                    Err(error) => error.id(),
                };
                attempting.remove(&task);
            }
            () = tokio::time::sleep(Duration::from_secs(wait.unsigned_abs())) => {}
            () = state.federation.deliveries_wait() => {}
        }
    }
}

/// Of the deliveries `due` (in the order they should go), those to start in `free` slots: none
/// that is `busy` already, and strangers' only while fewer than `AT_ONCE - KEPT_FOR_PARTNERS` of
/// theirs are under way (`strangers`, counted on).
fn starts(due: Vec<Delivery>, busy: &[i64], free: usize, strangers: &mut usize) -> Vec<Delivery> {
    let mut started = Vec::new();
    for delivery in due.into_iter().filter(|d| !busy.contains(&d.id)) {
        if started.len() == free {
            break;
        }
        if !delivery.partner {
            if *strangers >= AT_ONCE as usize - KEPT_FOR_PARTNERS {
                continue;
            }
            *strangers += 1;
        }
        started.push(delivery);
    }
    started
}

async fn attempt(state: &AppState, delivery: Delivery) {
    let result = match state.federation.signer(&state.store).await {
        Ok(signer) => {
            state
                .federation
                .fetcher()
                .post(
                    &delivery.inbox,
                    delivery.activity.clone().into_bytes(),
                    &signer,
                    now(),
                )
                .await
        }
        Err(_) => Err(FetchError::Network(
            "the portal's key is unavailable".into(),
        )),
    };
    let id = delivery.id;
    let now = now();
    let outcome = match result {
        Ok(()) => {
            tracing::debug!(inbox = %delivery.inbox, "delivered");
            state
                .store
                .call(move |c| store::federation::delivered(c, id))
                .await
        }
        Err(error) => {
            let next = next_attempt(&delivery, &error, now);
            tracing::info!(inbox = %delivery.inbox, %error, retry_at = ?next, "delivery failed");
            let text = error.to_string();
            state
                .store
                .call(move |c| store::federation::failed(c, id, &text, now, next))
                .await
        }
    };
    if let Err(error) = outcome {
        tracing::error!(%error, "the delivery queue cannot be updated");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(attempts: u32, created_at: i64) -> Delivery {
        Delivery {
            id: 1,
            inbox: "https://a.example/inbox".into(),
            host: "a.example".into(),
            activity: "{}".into(),
            attempts,
            created_at,
            partner: false,
        }
    }

    #[test]
    fn slow_strangers_never_take_the_partners_slots() {
        let due = |n: i64, partner: bool| Delivery {
            id: n,
            partner,
            ..delivery(0, 0)
        };
        // Six strangers under way: a seventh waits, a partner starts.
        let mut strangers = 6;
        let started = starts(vec![due(7, false), due(8, true)], &[], 2, &mut strangers);
        assert_eq!(started.iter().map(|d| d.id).collect::<Vec<_>>(), [8]);
        // With room, strangers start up to their share, and none twice.
        let mut strangers = 0;
        let many: Vec<Delivery> = (1..=10).map(|n| due(n, false)).collect();
        let started = starts(many, &[1], 8, &mut strangers);
        assert_eq!(started.len(), 6);
        assert!(started.iter().all(|d| d.id != 1));
        assert_eq!(strangers, 6);
    }

    #[test]
    fn waits_double_up_to_a_limit_then_give_up_after_a_week() {
        let down = FetchError::Network("refused".into());
        assert_eq!(next_attempt(&delivery(0, 0), &down, 0), Some(10));
        assert_eq!(next_attempt(&delivery(3, 0), &down, 100), Some(180));
        assert_eq!(
            next_attempt(&delivery(30, 0), &down, 100),
            Some(100 + LONGEST_WAIT)
        );
        assert_eq!(
            next_attempt(&delivery(5, 0), &down, GIVE_UP_AFTER + 1),
            None
        );
    }

    #[test]
    fn a_refusal_for_good_is_not_retried() {
        let d = delivery(0, 0);
        assert_eq!(next_attempt(&d, &FetchError::Status(400), 0), None);
        assert_eq!(next_attempt(&d, &FetchError::Status(410), 0), None);
        assert_eq!(next_attempt(&d, &FetchError::Private("x".into()), 0), None);
        for again in [401, 408, 429, 500, 502, 503] {
            assert!(
                next_attempt(&d, &FetchError::Status(again), 0).is_some(),
                "{again}"
            );
        }
    }
}
