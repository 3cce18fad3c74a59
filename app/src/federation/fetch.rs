//! Requests the portal makes to other servers: fetching actor documents and WebFinger answers,
//! and posting activities to inboxes. Only https to public addresses (never the portal's own
//! network: no loopback, private, link-local or other special ranges, also when a name resolves
//! to one), no redirects, bounded time and size. Tests allow http and loopback with one switch.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use super::keys::KeyPair;
use super::signature;

/// Largest document read from another server.
const MAX_DOCUMENT: usize = 1024 * 1024;
/// How long one request to another server may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(15);

/// Why a request to another server failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0} is not an address the portal fetches from (https only)")]
    Scheme(String),
    #[error("{0} is not a public address")]
    Private(String),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the answer is larger than the portal reads")]
    TooLarge,
    #[error("the answer is not a JSON document")]
    NotJson,
    #[error("{0}")]
    Network(String),
}

/// Whether an address belongs to the public internet: not in any block of IANA's
/// special-purpose address registries that is not globally reachable (IPv4 and IPv6), and for
/// IPv6 only global unicast (`2000::/3`), so that no embedding of an IPv4 address (mapped,
/// compatible, 6to4, Teredo, NAT64) and no site- or link-scoped block slips through.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || a == 0
        || a >= 240
        // Shared address space (carrier-grade NAT), IETF protocol assignments, benchmarking,
        // the deprecated 6to4 relay anycast.
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 192 && b == 88 && c == 99))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [first, second, ..] = ip.segments();
    // Global unicast only: this leaves out ::/8 (loopback, unspecified, IPv4-compatible and
    // the rest of ::/96), 64:ff9b::/96 and 64:ff9b:1::/48 (NAT64), 100::/64 (discard),
    // 5f00::/16 (SRv6), fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10 (site-local)
    // and ff00::/8 (multicast).
    let global_unicast = (first & 0xe000) == 0x2000;
    let special = [
        // IETF protocol assignments: Teredo, benchmarking, ORCHID and the rest of 2001::/23.
        first == 0x2001 && second < 0x0200,
        // Documentation.
        first == 0x2001 && second == 0x0db8,
        // 6to4, which reaches any IPv4 address, private ones too.
        first == 0x2002,
        // Documentation (RFC 9637), 3fff::/20.
        first == 0x3fff && second < 0x1000,
    ];
    global_unicast && !special.contains(&true)
}

/// Who may be connected to: public addresses, and loopback when tests allow it.
#[derive(Clone, Copy, Debug)]
struct Reachable {
    loopback: bool,
}

impl Reachable {
    fn allows(self, ip: IpAddr) -> bool {
        is_public(ip) || (self.loopback && ip.is_loopback())
    }
}

impl Resolve for Reachable {
    fn resolve(&self, name: Name) -> Resolving {
        let reachable = *self;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| reachable.allows(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{} has no public address", name.as_str()).into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// The portal's key as it signs requests.
#[derive(Clone, Debug)]
pub struct Signer {
    pub key: Arc<KeyPair>,
    pub key_id: String,
}

/// The portal's HTTP client for other servers.
#[derive(Clone, Debug)]
pub struct Fetcher {
    client: reqwest::Client,
    reachable: Reachable,
}

impl Fetcher {
    /// A client; `loopback` also allows http and loopback addresses (for tests on one machine).
    pub fn new(loopback: bool, user_agent: &str) -> Self {
        let reachable = Reachable { loopback };
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(reachable))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment (`HTTPS_PROXY` and the like) would connect where the
            // address check never looks: the proxy resolves the name, not this resolver.
            .no_proxy()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(user_agent)
            .build()
            .unwrap_or_default();
        Self { client, reachable }
    }

    /// `url` if the portal may send a request to it.
    pub fn check(&self, url: &str) -> Result<Url, FetchError> {
        let parsed = Url::parse(url).map_err(|_| FetchError::Scheme(url.to_owned()))?;
        let scheme_ok =
            parsed.scheme() == "https" || (self.reachable.loopback && parsed.scheme() == "http");
        if !scheme_ok || !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(FetchError::Scheme(url.to_owned()));
        }
        let ip = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(FetchError::Scheme(url.to_owned())),
        };
        if ip.is_some_and(|ip| !self.reachable.allows(ip)) {
            return Err(FetchError::Private(url.to_owned()));
        }
        Ok(parsed)
    }

    /// GETs the JSON document at `url` as `accept`, signed by `signer` (servers in "authorized
    /// fetch" mode answer only signed requests).
    pub async fn get_json(
        &self,
        url: &str,
        accept: &str,
        signer: &Signer,
        now: i64,
    ) -> Result<serde_json::Value, FetchError> {
        let url = self.check(url)?;
        let request = self
            .signed(reqwest::Method::GET, &url, None, signer, now)
            .header(reqwest::header::ACCEPT, accept);
        let response = request.send().await.map_err(network)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let body = read_bounded(response).await?;
        serde_json::from_slice(&body).map_err(|_| FetchError::NotJson)
    }

    /// POSTs `body` (an activity) to the inbox at `url`, signed by `signer`.
    pub async fn post(
        &self,
        url: &str,
        body: Vec<u8>,
        signer: &Signer,
        now: i64,
    ) -> Result<(), FetchError> {
        let url = self.check(url)?;
        let response = self
            .signed(reqwest::Method::POST, &url, Some(&body), signer, now)
            .header(reqwest::header::CONTENT_TYPE, super::ACTIVITY_JSON)
            .body(body)
            .send()
            .await
            .map_err(network)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        Ok(())
    }

    fn signed(
        &self,
        method: reqwest::Method,
        url: &Url,
        body: Option<&[u8]>,
        signer: &Signer,
        now: i64,
    ) -> reqwest::RequestBuilder {
        let host = authority(url);
        let target = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let date = signature::http_date(now);
        let digest = body.map(signature::digest);
        let names = if digest.is_some() {
            signature::POST_HEADERS
        } else {
            signature::GET_HEADERS
        };
        let list: Vec<String> = names.split(' ').map(str::to_owned).collect();
        let headers = [
            ("host", host.as_str()),
            ("date", date.as_str()),
            ("digest", digest.as_deref().unwrap_or_default()),
        ];
        let signing = signature::signing_string(method.as_str(), &target, &list, |name| {
            headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
        })
        .unwrap_or_default();
        let mut request = self
            .client
            .request(method, url.clone())
            .header(reqwest::header::HOST, host)
            .header(reqwest::header::DATE, date)
            .header(
                "signature",
                signature::sign(&signer.key.private, &signer.key_id, names, &signing),
            );
        if let Some(digest) = digest {
            request = request.header("digest", digest);
        }
        request
    }
}

/// The host of `url` with its port when it names one: what `Host` carries and signatures cover.
pub fn authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

fn network(error: reqwest::Error) -> FetchError {
    // The resolver's refusal reaches here as a connection error; say what it was.
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    if text.contains("no public address") {
        return FetchError::Private(error.url().map(Url::to_string).unwrap_or_default());
    }
    FetchError::Network(text)
}

async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_DOCUMENT as u64)
    {
        return Err(FetchError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        if body.len() + chunk.len() > MAX_DOCUMENT {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::a00:1",
            // IPv4-compatible, site-local, 6to4 of 10.0.0.1, Teredo, documentation, discard.
            "::a00:1",
            "::7f00:1",
            "fec0::1",
            "2002:a00:1::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:db8::1",
            "3fff::1",
            "100::1",
            "5f00::1",
            "ff02::1",
            "192.88.99.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "2a00:1450:4001:80b::200e",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_are_checked_before_any_connection() {
        let strict = Fetcher::new(false, "test");
        assert!(strict.check("https://example.org/actor").is_ok());
        for refused in [
            "http://example.org/actor",
            "https://127.0.0.1/actor",
            "https://[::1]/actor",
            "https://10.0.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://user:pw@example.org/",
            "file:///etc/passwd",
            "gopher://example.org/",
        ] {
            assert!(strict.check(refused).is_err(), "{refused}");
        }
        let tests = Fetcher::new(true, "test");
        assert!(tests.check("http://127.0.0.1:3001/actor").is_ok());
        assert!(tests.check("http://10.0.0.1/").is_err());
    }
}
