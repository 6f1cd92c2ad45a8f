//! IP addresses and CIDR blocks, parsed once and matched without allocation.
//!
//! IPv4 and IPv6 live in separate tables: an IPv4 block never matches an
//! IPv6 address, except that an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`)
//! is matched as the IPv4 address it carries, so a dual-stack host that
//! reports mapped addresses gets the same answer.

use std::net::IpAddr;

/// A compiled list of CIDR blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct CidrSet {
    /// `(network, mask)` with the host bits of `network` cleared.
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl CidrSet {
    /// Adds one block written `addr/len` (or a bare address, meaning /32 or /128).
    pub(super) fn push(&mut self, text: &str) -> Result<(), String> {
        let (addr, len) = match text.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (text, None),
        };
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{text}` is not an ip address or cidr block"))?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let len: u32 = match len {
            None => max,
            Some(l) if !l.is_empty() && l.len() <= 3 && l.bytes().all(|b| b.is_ascii_digit()) => l
                .parse()
                .map_err(|_| format!("`{text}` has a bad prefix length"))?,
            Some(_) => return Err(format!("`{text}` has a bad prefix length")),
        };
        if len > max {
            return Err(format!(
                "`{text}` has prefix length {len}, the most for this address family is {max}"
            ));
        }
        match ip {
            IpAddr::V4(a) => {
                let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
                let net = u32::from(a);
                if net & !mask != 0 {
                    return Err(format!(
                        "`{text}` has bits set after the first {len}; clear them to name the network"
                    ));
                }
                self.v4.push((net, mask));
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
                let net = u128::from(a);
                if net & !mask != 0 {
                    return Err(format!(
                        "`{text}` has bits set after the first {len}; clear them to name the network"
                    ));
                }
                self.v6.push((net, mask));
            }
        }
        Ok(())
    }

    /// Whether `ip` falls in any block.
    pub(super) fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(v6),
            },
            v4 => v4,
        };
        match ip {
            IpAddr::V4(a) => {
                let a = u32::from(a);
                self.v4.iter().any(|&(net, mask)| a & mask == net)
            }
            IpAddr::V6(a) => {
                let a = u128::from(a);
                self.v6.iter().any(|&(net, mask)| a & mask == net)
            }
        }
    }

    /// Number of blocks.
    pub(super) fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(blocks: &[&str]) -> CidrSet {
        let mut s = CidrSet::default();
        for b in blocks {
            s.push(b).unwrap();
        }
        s
    }

    #[test]
    fn matches_table() {
        let s = set(&[
            "10.0.0.0/8",
            "192.168.1.7",
            "2001:db8::/32",
            "fe80::/10",
            "0.0.0.0/0",
        ]);
        let only_v6 = set(&["2001:db8::/32", "::/0"]);
        let none = set(&[]);
        let cases: &[(&CidrSet, &str, bool)] = &[
            (&s, "10.1.2.3", true),
            (&s, "8.8.8.8", true), // 0.0.0.0/0
            (&s, "2001:db8:1::1", true),
            (&s, "2001:db9::1", false),
            (&s, "fe80::1", true),
            (&s, "febf:ffff::1", true),
            (&s, "fec0::1", false),
            (&s, "::ffff:10.9.9.9", true), // v4-mapped
            (&only_v6, "10.0.0.1", false),
            (&only_v6, "::1", true),
            (&none, "10.0.0.1", false),
        ];
        for (set, ip, want) in cases {
            assert_eq!(set.contains(ip.parse().unwrap()), *want, "{ip}");
        }
        let exact = set(&["192.168.1.7/32"]);
        assert!(exact.contains("192.168.1.7".parse().unwrap()));
        assert!(!exact.contains("192.168.1.8".parse().unwrap()));
        let edge = set(&["10.0.0.0/31"]);
        assert!(edge.contains("10.0.0.1".parse().unwrap()));
        assert!(!edge.contains("10.0.0.2".parse().unwrap()));
    }

    #[test]
    fn rejects_bad_blocks() {
        for bad in [
            "10.0.0.0/33",
            "2001:db8::/129",
            "10.0.0.1/8",
            "10.0.0/8",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/8/8",
            "nope",
            "",
            "2001:db8::1/32",
            "10.0.0.0/0008",
        ] {
            assert!(CidrSet::default().push(bad).is_err(), "{bad}");
        }
    }
}
