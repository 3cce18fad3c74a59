//! HTTP Signatures as Mastodon sends and checks them (draft-cavage-http-signatures, RSA with
//! SHA-256): the signing string over chosen headers, the `Signature` header, and the body's
//! `Digest`. Pure functions; the inbox and the delivery queue decide what to do with them.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest as _, Sha256};

/// The headers the portal signs in a POST, as Mastodon requires them.
pub const POST_HEADERS: &str = "(request-target) host date digest";
/// The headers the portal signs in a GET.
pub const GET_HEADERS: &str = "(request-target) host date";

/// How far a request's `Date` may be from the clock, in seconds, either way: a signed request
/// is only good for this long, and signatures are remembered for twice as long to refuse
/// replays.
pub const DATE_WINDOW: i64 = 3600;

/// Why a signature does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request is not signed")]
    Missing,
    #[error("the Signature header cannot be read: {0}")]
    Malformed(&'static str),
    #[error("the signature does not cover {0}")]
    Uncovered(&'static str),
    #[error("the signed header {0} is missing")]
    MissingHeader(String),
    #[error("the signature's date is missing or outside the accepted window")]
    Stale,
    #[error("the body does not match its Digest header")]
    Digest,
    #[error("the signature does not verify")]
    Invalid,
    #[error("the algorithm {0} is not accepted")]
    Algorithm(String),
}

/// A parsed `Signature` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHeader {
    pub key_id: String,
    /// Lower-case header names, in the signed order.
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
}

/// Reads `keyId="…",algorithm="…",headers="…",signature="…"`.
pub fn parse(value: &str) -> Result<SignatureHeader, SignatureError> {
    let mut key_id = None;
    let mut headers = None;
    let mut signature = None;
    let mut rest = value.trim();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .ok_or(SignatureError::Malformed("a parameter without a value"))?;
        let after = after
            .strip_prefix('"')
            .ok_or(SignatureError::Malformed("a value without quotes"))?;
        let end = after
            .find('"')
            .ok_or(SignatureError::Malformed("an unterminated value"))?;
        let value = &after[..end];
        match name.trim() {
            "keyId" => key_id = Some(value.to_owned()),
            "headers" => {
                headers = Some(
                    value
                        .split_whitespace()
                        .map(str::to_ascii_lowercase)
                        .collect(),
                )
            }
            "signature" => {
                signature = Some(
                    BASE64
                        .decode(value)
                        .map_err(|_| SignatureError::Malformed("the signature is not base64"))?,
                )
            }
            "algorithm" if !matches!(value, "rsa-sha256" | "hs2019") => {
                return Err(SignatureError::Algorithm(value.to_owned()))
            }
            _ => {}
        }
        rest = after[end + 1..].trim_start_matches([',', ' ']);
    }
    Ok(SignatureHeader {
        key_id: key_id.ok_or(SignatureError::Malformed("no keyId"))?,
        // The draft's default when `headers` is absent.
        headers: headers.unwrap_or_else(|| vec!["date".to_owned()]),
        signature: signature.ok_or(SignatureError::Malformed("no signature"))?,
    })
}

/// The string a signature over `names` signs, for a request of `method` to `target` (path and
/// query) whose headers `header` looks up by lower-case name.
pub fn signing_string<'a>(
    method: &str,
    target: &str,
    names: &[String],
    header: impl Fn(&str) -> Option<&'a str>,
) -> Result<String, SignatureError> {
    let lines = names
        .iter()
        .map(|name| match name.as_str() {
            "(request-target)" => Ok(format!(
                "(request-target): {} {target}",
                method.to_ascii_lowercase()
            )),
            name => header(name)
                .map(|value| format!("{name}: {}", value.trim()))
                .ok_or_else(|| SignatureError::MissingHeader(name.to_owned())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(lines.join("\n"))
}

/// The `Digest` header value of `body`.
pub fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", BASE64.encode(Sha256::digest(body)))
}

/// Whether `header` (a `Digest` value, possibly listing several algorithms) holds the SHA-256
/// of `body`.
pub fn digest_matches(header: &str, body: &[u8]) -> bool {
    let expected = BASE64.encode(Sha256::digest(body));
    header.split(',').any(|part| {
        part.trim()
            .split_once('=')
            .is_some_and(|(alg, value)| alg.eq_ignore_ascii_case("sha-256") && value == expected)
    })
}

/// Whether the HTTP date `date` lies within `DATE_WINDOW` of `now` (unix seconds).
pub fn date_is_fresh(date: &str, now: i64) -> bool {
    httpdate::parse_http_date(date)
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .is_some_and(|t| (t - now).abs() <= DATE_WINDOW)
}

/// The HTTP date of `now` (unix seconds).
pub fn http_date(now: i64) -> String {
    let secs = u64::try_from(now).unwrap_or_default();
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

/// Signs `signing` with `key`; the `Signature` header for `key_id` over `names`.
pub fn sign(key: &RsaPrivateKey, key_id: &str, names: &str, signing: &str) -> String {
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(signing.as_bytes());
    format!(
        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{names}\",signature=\"{}\"",
        BASE64.encode(signature.to_bytes())
    )
}

/// Checks `signature` over `signing` with `key`.
pub fn verify(key: &RsaPublicKey, signing: &str, signature: &[u8]) -> Result<(), SignatureError> {
    let signature = Signature::try_from(signature).map_err(|_| SignatureError::Invalid)?;
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(signing.as_bytes(), &signature)
        .map_err(|_| SignatureError::Invalid)
}

/// Checks that a signature over `headers` covers what an inbox POST must: the target, the host,
/// the date and the digest.
pub fn covers_post(headers: &[String]) -> Result<(), SignatureError> {
    for (name, what) in [
        ("(request-target)", "the request target"),
        ("host", "the host"),
        ("date", "the date"),
        ("digest", "the digest"),
    ] {
        if !headers.iter().any(|h| h == name) {
            return Err(SignatureError::Uncovered(what));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RsaPrivateKey {
        static KEY: std::sync::OnceLock<RsaPrivateKey> = std::sync::OnceLock::new();
        KEY.get_or_init(|| crate::federation::keys::generate().unwrap())
            .clone()
    }

    #[test]
    fn a_signature_verifies_and_a_changed_string_does_not() {
        let key = key();
        let signing = "(request-target): post /inbox\nhost: a.example\ndate: x";
        let header = sign(
            &key,
            "https://a.example/actor#main-key",
            POST_HEADERS,
            signing,
        );
        let parsed = parse(&header).unwrap();
        assert_eq!(parsed.key_id, "https://a.example/actor#main-key");
        assert_eq!(
            parsed.headers,
            ["(request-target)", "host", "date", "digest"]
        );
        let public = key.to_public_key();
        verify(&public, signing, &parsed.signature).unwrap();
        assert_eq!(
            verify(
                &public,
                &signing.replace("a.example", "b.example"),
                &parsed.signature
            ),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn signing_string_follows_the_named_order() {
        let headers = [
            ("host", "a.example"),
            ("date", "Tue, 07 Jun 2014 20:51:35 GMT"),
        ];
        let names: Vec<String> = ["(request-target)", "host", "date"]
            .map(String::from)
            .to_vec();
        let s = signing_string("POST", "/inbox?x=1", &names, |n| {
            headers.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
        })
        .unwrap();
        assert_eq!(
            s,
            "(request-target): post /inbox?x=1\nhost: a.example\ndate: Tue, 07 Jun 2014 20:51:35 GMT"
        );
        let missing: Vec<String> = vec!["digest".into()];
        assert_eq!(
            signing_string("POST", "/", &missing, |_| None),
            Err(SignatureError::MissingHeader("digest".into()))
        );
    }

    #[test]
    fn unreadable_headers_and_other_algorithms_are_refused() {
        for bad in [
            "",
            "keyId=x",
            "keyId=\"x\"",
            "keyId=\"x\",signature=\"***\"",
            "keyId=\"x\",signature=\"abc",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse("keyId=\"x\",algorithm=\"hmac-sha256\",signature=\"AA==\""),
            Err(SignatureError::Algorithm("hmac-sha256".into()))
        );
    }

    #[test]
    fn digests_and_dates() {
        let d = digest(b"{}");
        assert!(digest_matches(&d, b"{}"));
        assert!(digest_matches(&format!("sha-512=xyz, {d}"), b"{}"));
        assert!(!digest_matches(&d, b"{ }"));
        let now = 1_800_000_000;
        assert!(date_is_fresh(&http_date(now - 3000), now));
        assert!(!date_is_fresh(&http_date(now - 7200), now));
        assert!(!date_is_fresh(&http_date(now + 7200), now));
        assert!(!date_is_fresh("yesterday", now));
    }

    #[test]
    fn a_post_signature_must_cover_the_digest() {
        let names: Vec<String> = ["(request-target)", "host", "date"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            covers_post(&names),
            Err(SignatureError::Uncovered("the digest"))
        );
    }
}
