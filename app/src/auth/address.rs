//! The client's address, for throttling logins and barrier reports: the peer's, or behind a
//! trusted reverse proxy the one that proxy reports in `X-Forwarded-For`. Nothing else a request
//! says is believed: a client that is not a trusted proxy can write any `X-Forwarded-For` it likes.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

/// A network in CIDR notation (`127.0.0.1/32`, `10.0.0.0/8`, `::1/128`; a bare address is one
/// host).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| {
            format!("{text:?} is not an IP address or network (such as 10.0.0.0/8)")
        })?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { network, prefix })
    }
}

/// Written as it is parsed: `192.0.2.1/32`, `2001:db8::/64`.
impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl Cidr {
    /// The network that counts as one sender where anybody may send without an account: an IPv4
    /// address alone (also when it arrives mapped into IPv6), and for IPv6 the /64 the address
    /// is in, since a provider gives each subscriber at least a whole /64 to pick addresses from.
    pub fn sender_of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self {
                network: IpAddr::V4(v4),
                prefix: 32,
            },
            IpAddr::V6(v6) => Self {
                network: IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
                prefix: 64,
            },
        }
    }

    /// Whether `ip` lies in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| -> Option<u128> {
            match (self.network, ip) {
                (IpAddr::V4(_), IpAddr::V4(v4)) => Some(u128::from(u32::from(v4)) << 96),
                (IpAddr::V6(_), IpAddr::V6(v6)) => Some(u128::from(v6)),
                (IpAddr::V4(_), IpAddr::V6(v6)) => v6
                    .to_ipv4_mapped()
                    .map(|v4| u128::from(u32::from(v4)) << 96),
                (IpAddr::V6(_), IpAddr::V4(_)) => None,
            }
        };
        let (Some(net), Some(ip)) = (bits(self.network), bits(ip)) else {
            return false;
        };
        // IPv4 addresses sit in the top 32 bits, so a prefix counts from the top for both.
        let mask = u128::MAX
            .checked_shl(128 - u32::from(self.prefix))
            .unwrap_or(0);
        net & mask == ip & mask
    }
}

/// The client of a request that `peer` sent with `forwarded_for` (every `X-Forwarded-For` value,
/// in order): `peer` itself unless it is one of the `trusted` proxies; else the nearest address
/// in `X-Forwarded-For` that is not a trusted proxy (each proxy appends the address it was
/// reached from, so entries further left were written by whoever sent them).
pub fn client_addr(peer: IpAddr, forwarded_for: &[&str], trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer;
    if !is_trusted(peer) {
        return client;
    }
    let hops = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .rev();
    for hop in hops {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

/// The client of the request `parts` behind the `trusted` proxies (see [`client_addr`]); `None`
/// for a request that reached the server without a peer address.
pub fn client_of(parts: &http::request::Parts, trusted: &[Cidr]) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
        .0
        .ip();
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(client_addr(peer, &forwarded, trusted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_contain_their_addresses() {
        let lan: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(lan.contains(ip("10.1.2.3")));
        assert!(!lan.contains(ip("11.0.0.1")));
        let host: Cidr = "127.0.0.1".parse().unwrap();
        assert!(host.contains(ip("127.0.0.1")));
        assert!(!host.contains(ip("127.0.0.2")));
        assert!(
            host.contains(ip("::ffff:127.0.0.1")),
            "a mapped IPv4 address"
        );
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("proxy".parse::<Cidr>().is_err());
    }

    #[test]
    fn a_sender_is_an_ipv4_address_or_an_ipv6_64() {
        let sender = |text: &str| Cidr::sender_of(ip(text)).to_string();
        assert_eq!(sender("192.0.2.1"), "192.0.2.1/32");
        assert_eq!(sender("::ffff:192.0.2.1"), "192.0.2.1/32", "mapped IPv4");
        assert_eq!(sender("::ffff:1.2.3.4"), sender("1.2.3.4"));
        assert_ne!(sender("192.0.2.1"), sender("192.0.2.2"));
        assert_eq!(sender("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(
            sender("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            sender("2001:db8:1:2:a:b:c:d"),
            "any address of a /64"
        );
        assert_ne!(sender("2001:db8:1:2::1"), sender("2001:db8:1:3::1"));
        assert_eq!(sender("::1"), "::/64");
        let net = Cidr::sender_of(ip("2001:db8:1:2:3:4:5:6"));
        assert_eq!(
            net.to_string().parse::<Cidr>(),
            Ok(net),
            "read back as written"
        );
        assert!(net.contains(ip("2001:db8:1:2::9")) && !net.contains(ip("2001:db8:1:3::9")));
    }

    #[test]
    fn only_a_trusted_proxy_is_believed() {
        let trusted = ["127.0.0.1/32".parse().unwrap()];
        let proxy = ip("127.0.0.1");
        assert_eq!(
            client_addr(ip("198.51.100.7"), &["203.0.113.1"], &trusted),
            ip("198.51.100.7"),
            "a client cannot name itself someone else"
        );
        assert_eq!(
            client_addr(proxy, &["203.0.113.1"], &trusted),
            ip("203.0.113.1")
        );
        assert_eq!(
            client_addr(proxy, &["1.1.1.1, 203.0.113.1"], &trusted),
            ip("203.0.113.1"),
            "what the client wrote before the proxy's entry is not believed"
        );
        assert_eq!(
            client_addr(proxy, &["203.0.113.1", "127.0.0.1"], &trusted),
            ip("203.0.113.1"),
            "trusted hops are skipped"
        );
        assert_eq!(client_addr(proxy, &[], &trusted), proxy);
        assert_eq!(client_addr(proxy, &["junk"], &trusted), proxy);
        assert_eq!(
            client_addr(proxy, &["203.0.113.1"], &[]),
            proxy,
            "no proxy is trusted unless configured"
        );
    }
}
