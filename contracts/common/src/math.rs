//! Checked fixed-point helpers. Every function returns `None` instead of overflowing.

/// Basis points in one whole (100%): the one basis-point constant of every contract and tool.
pub const BPS: u16 = 10_000;
const WHOLE: u128 = BPS as u128;

/// `floor(a * b / denominator)`, or `None` on overflow or a zero denominator.
pub fn mul_div_floor(a: u128, b: u128, denominator: u128) -> Option<u128> {
    a.checked_mul(b)?.checked_div(denominator)
}

/// `floor(amount * bps / 10_000)`; `None` when `bps` exceeds 100% or on overflow.
pub fn bps_of(amount: u128, bps: u16) -> Option<u128> {
    let bps = u128::from(bps);
    if bps > WHOLE {
        return None;
    }
    // amount * bps can overflow for huge amounts; split into whole and partial units of 10_000.
    let whole = amount.checked_div(WHOLE)?.checked_mul(bps)?;
    let part = amount.checked_rem(WHOLE)?.checked_mul(bps)?.checked_div(WHOLE)?;
    whole.checked_add(part)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mul_div_rounds_down_and_rejects_zero_denominator() {
        assert_eq!(mul_div_floor(10, 3, 4), Some(7));
        assert_eq!(mul_div_floor(1, 1, 0), None);
        assert_eq!(mul_div_floor(u128::MAX, 2, 2), None);
    }

    #[test]
    fn bps_of_edges() {
        assert_eq!(bps_of(1_000_000, 250), Some(25_000));
        assert_eq!(bps_of(9_999, 1), Some(0));
        assert_eq!(bps_of(123, 10_000), Some(123));
        assert_eq!(bps_of(123, 10_001), None);
        assert_eq!(bps_of(u128::MAX, 10_000), Some(u128::MAX));
    }

    proptest! {
        #[test]
        fn bps_of_matches_wide_arithmetic(amount in any::<u64>(), bps in 0u16..=10_000) {
            let expected = u128::from(amount) * u128::from(bps) / 10_000;
            prop_assert_eq!(bps_of(u128::from(amount), bps), Some(expected));
        }

        #[test]
        fn bps_of_never_exceeds_amount(amount in any::<u128>(), bps in 0u16..=10_000) {
            prop_assert!(bps_of(amount, bps).unwrap() <= amount);
        }
    }
}
