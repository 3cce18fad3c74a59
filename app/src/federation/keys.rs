//! The portal actor's RSA key pair: made on first use and kept in the database. The private key
//! signs what the portal sends; only the public key is ever shown.

use std::sync::Arc;

use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};

use crate::error::AppError;
use crate::store::{self, federation::StoredKey, Store};

/// Key size: what Mastodon and the other large servers use and accept.
const BITS: usize = 2048;

/// The key pair in use.
pub struct KeyPair {
    pub private: RsaPrivateKey,
    pub public_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key, not even in a log line.
        f.debug_struct("KeyPair").finish_non_exhaustive()
    }
}

/// A new private key.
pub fn generate() -> Result<RsaPrivateKey, rsa::Error> {
    RsaPrivateKey::new(&mut rsa::rand_core::OsRng, BITS)
}

/// The stored key pair, made and stored first when there is none.
pub async fn load_or_create(store: &Store) -> Result<Arc<KeyPair>, AppError> {
    let stored = match store.call(|c| store::federation::key(c)).await? {
        Some(stored) => stored,
        None => {
            let made = tokio::task::spawn_blocking(|| -> Result<StoredKey, AppError> {
                let private = generate().map_err(internal)?;
                Ok(StoredKey {
                    private_pem: private
                        .to_pkcs8_pem(LineEnding::LF)
                        .map_err(internal)?
                        .to_string(),
                    public_pem: private
                        .to_public_key()
                        .to_public_key_pem(LineEnding::LF)
                        .map_err(internal)?,
                })
            })
            .await
            .map_err(internal)??;
            store
                .call(move |c| store::federation::keep_key(c, &made))
                .await?
        }
    };
    Ok(Arc::new(KeyPair {
        private: RsaPrivateKey::from_pkcs8_pem(&stored.private_pem).map_err(internal)?,
        public_pem: stored.public_pem,
    }))
}

/// Reads a public key as actor documents publish it: SPKI (`BEGIN PUBLIC KEY`), or PKCS#1
/// (`BEGIN RSA PUBLIC KEY`) as some older servers write it.
pub fn public_key(pem: &str) -> Option<RsaPublicKey> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::pkcs8::DecodePublicKey;
    RsaPublicKey::from_public_key_pem(pem.trim())
        .ok()
        .or_else(|| RsaPublicKey::from_pkcs1_pem(pem.trim()).ok())
}

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "the federation key pair cannot be made or read");
    AppError::Internal
}
