//! Password hashing with argon2id (the crate's default parameters: 19 MiB, two passes), and the
//! few threads that check passwords for logins.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Shortest password an account may have.
pub const MIN_LENGTH: usize = 10;

/// Hashes `password` with a fresh random salt into a PHC string.
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC string `hash`. A missing or malformed hash (an unknown
/// name; an imported account that has no password yet) matches nothing, after the same work as
/// a real check against a decoy, so that a failed login takes as long whatever the account.
pub fn verify(password: &str, hash: Option<&str>) -> bool {
    verify_in(&mut Vec::new(), password, hash)
}

/// `verify` with `memory` as argon2's working memory, grown to what the hash asks for and kept
/// by the caller: an allocation of that size made and freed for every check is not given back
/// to the system by the allocator (it retained one per check, without bound).
fn verify_in(memory: &mut Vec<Block>, password: &str, hash: Option<&str>) -> bool {
    let (against, real) = checked_against(hash);
    let matches = check(memory, password, &against).unwrap_or(false);
    matches && real
}

/// Whether `password` hashes to `hash`'s output with its algorithm, version, parameters and
/// salt; `None` when the hash cannot be checked.
fn check(memory: &mut Vec<Block>, password: &str, hash: &PasswordHash<'_>) -> Option<bool> {
    let algorithm = Algorithm::try_from(hash.algorithm).ok()?;
    let version = match hash.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(hash).ok()?;
    let expected = hash.hash?;
    let mut salt = [0u8; 64];
    let salt = hash.salt?.decode_b64(&mut salt).ok()?;
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..])
        .ok()?;
    // `Output`'s comparison takes the same time wherever the bytes differ.
    Some(Output::new(&out).ok()? == expected)
}

/// The hash a password is checked against: `hash` when it is a whole PHC string, with its salt
/// and output (and `true`), else the decoy.
fn checked_against(hash: Option<&str>) -> (PasswordHash<'_>, bool) {
    match hash.map(PasswordHash::new) {
        Some(Ok(parsed)) if parsed.salt.is_some() && parsed.hash.is_some() => (parsed, true),
        _ => (decoy(), false),
    }
}

fn decoy() -> PasswordHash<'static> {
    PasswordHash::new(DECOY_HASH).expect("the decoy is a valid PHC string")
}

/// A hash, with the default parameters, of a password nobody has.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$WbRkIiE7EoSPzCXjNUO7C3hC52VqfsiW8jUq7LY0nFg";

/// The threads that check passwords for logins, behind a short queue. Each check takes 19 MiB
/// and tens of milliseconds of a core, so how many run at once is bounded here and not by how
/// many requests arrive; each thread keeps its working memory for the next check.
#[derive(Clone, Debug)]
pub struct Checker {
    jobs: SyncSender<Job>,
}

/// A check, given its thread's working memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The checker's queue is full; the client should try again shortly.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

impl Checker {
    /// Starts `threads` checking threads, with room for `queue` waiting checks. The threads end
    /// when the last clone of the checker is dropped.
    pub fn start(threads: usize, queue: usize) -> Self {
        let (jobs, waiting) = sync_channel::<Job>(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for i in 0..threads {
            let waiting = Arc::clone(&waiting);
            let started = std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || run_jobs(&waiting, &mut Vec::new()));
            if let Err(e) = started {
                tracing::error!(error = %e, "cannot start a password-checking thread");
            }
        }
        Self { jobs }
    }

    /// Whether `password` matches `hash` (see `verify`), checked on one of the threads; `Busy`
    /// when the queue is full.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, Busy> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = answer.send(verify_in(memory, &password, hash.as_deref()));
        });
        match self.jobs.try_send(job) {
            Ok(()) => answered.await.map_err(|_| Busy),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Busy),
        }
    }
}

fn run_jobs(waiting: &Mutex<Receiver<Job>>, memory: &mut Vec<Block>) {
    loop {
        let next = waiting.lock().unwrap_or_else(|e| e.into_inner()).recv();
        match next {
            Ok(job) => job(memory),
            Err(_) => return,
        }
    }
}

/// Checks a new password against the minimum rules, with a message for the person choosing it.
pub fn check_new(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LENGTH {
        return Err(format!(
            "The password must have at least {MIN_LENGTH} characters."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse battery", Some(&a)));
        assert!(!verify("correct horse batterY", Some(&a)));
        assert!(!verify("anything", Some("not a hash")));
        assert!(!verify("anything", None));
    }

    #[test]
    fn a_missing_or_malformed_hash_costs_a_real_check() {
        let real = hash("correct horse battery").unwrap();
        let real = PasswordHash::new(&real).unwrap();
        for hash in [None, Some(""), Some("$argon2id$broken")] {
            let (against, is_real) = checked_against(hash);
            assert!(!is_real);
            assert_eq!(against.algorithm, real.algorithm, "{hash:?}");
            assert_eq!(
                against.params, real.params,
                "same memory and passes: {hash:?}"
            );
        }
        assert!(!verify("", Some(DECOY_HASH)));
        assert!(!verify("password", Some(DECOY_HASH)));
    }

    #[tokio::test]
    async fn the_checker_answers_and_refuses_past_its_queue() {
        let real = hash("correct horse battery").unwrap();
        let checker = Checker::start(1, 1);
        assert_eq!(
            checker
                .verify("correct horse battery".into(), Some(real.clone()))
                .await,
            Ok(true)
        );
        let burst: Vec<_> = (0..6)
            .map(|_| checker.verify("wrong".into(), Some(real.clone())))
            .collect();
        let answers = poll_together(burst).await;
        assert!(answers.contains(&Err(Busy)), "{answers:?}");
        assert!(answers.contains(&Ok(false)), "{answers:?}");
    }

    /// Polls every future of `all` once (each `verify` queues its job then), then awaits them.
    async fn poll_together<F: std::future::Future>(all: Vec<F>) -> Vec<F::Output> {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut pending = Vec::new();
        let mut answers = Vec::new();
        for mut f in all.into_iter().map(Box::pin) {
            match f.as_mut().poll(&mut cx) {
                std::task::Poll::Ready(answer) => answers.push(answer),
                std::task::Poll::Pending => pending.push(f),
            }
        }
        for f in pending {
            answers.push(f.await);
        }
        answers
    }
}
