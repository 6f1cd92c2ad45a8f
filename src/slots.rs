//! The cap on open step-up challenges per user, sans-IO: given the slots a
//! user holds (each until a unix time in ms), the time now, the cap and a
//! slot's lifetime, whether one more may open and, if not, when to retry. The
//! host (the Worker's Durable Object) reads and stores the slots; the core
//! decides.

/// One open slot: what holds it (a challenge id, or a token while the
/// challenge is being created) and until when (unix ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSlot {
    /// The challenge id or the pending token.
    pub id: String,
    /// When the slot stops counting, in unix ms.
    pub until_ms: u64,
}

/// What [`open_slot`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotDecision {
    /// A slot was taken: `slots` are the live ones, the new one last (store them).
    Taken {
        /// The live slots, the new one included.
        slots: Vec<OpenSlot>,
    },
    /// Every slot is taken: retry in `retry_after_s` (when the soonest expires, at least 1 s).
    Full {
        /// Seconds until the soonest live slot expires, at least 1.
        retry_after_s: u64,
        /// How many slots are live.
        open: usize,
    },
}

/// Takes one of `max` slots for `token` for `ttl_ms`, after dropping the
/// slots expired at `now_ms`; or says when to retry when all are taken.
pub fn open_slot(
    slots: &[OpenSlot],
    now_ms: u64,
    max: u32,
    ttl_ms: u64,
    token: &str,
) -> SlotDecision {
    let mut live: Vec<OpenSlot> = slots
        .iter()
        .filter(|s| s.until_ms > now_ms)
        .cloned()
        .collect();
    let cap = usize::try_from(max).unwrap_or(usize::MAX);
    if live.len() >= cap {
        let soonest = live.iter().map(|s| s.until_ms).min().unwrap_or(now_ms);
        let retry_after_s = soonest.saturating_sub(now_ms).div_ceil(1000).max(1);
        return SlotDecision::Full {
            retry_after_s,
            open: live.len(),
        };
    }
    live.push(OpenSlot {
        id: token.to_owned(),
        until_ms: now_ms.saturating_add(ttl_ms),
    });
    SlotDecision::Taken { slots: live }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(id: &str, until_ms: u64) -> OpenSlot {
        OpenSlot {
            id: id.into(),
            until_ms,
        }
    }

    #[test]
    fn takes_a_slot_under_the_cap_and_drops_expired_ones() {
        let held = [slot("chl_old", 1_000), slot("chl_a", 5_000)];
        assert_eq!(
            open_slot(&held, 1_000, 2, 300_000, "pending:x"),
            SlotDecision::Taken {
                slots: vec![slot("chl_a", 5_000), slot("pending:x", 301_000)]
            }
        );
    }

    #[test]
    fn at_the_cap_retry_when_the_soonest_expires_rounded_up() {
        let held = [slot("a", 10_001), slot("b", 4_500), slot("c", 9_000)];
        assert_eq!(
            open_slot(&held, 1_000, 3, 300_000, "t"),
            SlotDecision::Full {
                retry_after_s: 4,
                open: 3
            }
        );
        // Never less than a second, and over the cap counts as full too.
        assert_eq!(
            open_slot(&held, 4_499, 2, 300_000, "t"),
            SlotDecision::Full {
                retry_after_s: 1,
                open: 3
            }
        );
        // Once one expires there is room again.
        assert!(matches!(
            open_slot(&held, 4_500, 3, 300_000, "t"),
            SlotDecision::Taken { ref slots } if slots.len() == 3
        ));
    }

    #[test]
    fn extreme_inputs_neither_overflow_nor_panic() {
        assert_eq!(
            open_slot(&[], 0, 0, 1, "t"),
            SlotDecision::Full {
                retry_after_s: 1,
                open: 0
            }
        );
        assert_eq!(
            open_slot(&[], u64::MAX - 1, 1, u64::MAX, "t"),
            SlotDecision::Taken {
                slots: vec![slot("t", u64::MAX)]
            }
        );
        let far = [slot("a", u64::MAX)];
        assert_eq!(
            open_slot(&far, 0, 1, 1, "t"),
            SlotDecision::Full {
                retry_after_s: u64::MAX.div_ceil(1000),
                open: 1
            }
        );
    }
}
