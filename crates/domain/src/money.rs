//! Money: amounts in paisa (1 rupee = 100 paisa), as integers, never floats.
//!
//! Programmes state entitlements in rupees, banks return amounts with two decimals, citizens read
//! "Rs 10,500"; all of them meet here as a whole number of paisa, so sums over a million payments
//! are exact. [`Paisa::parse_rupees`] is the one reader of a written amount ("10500", "10,500.50",
//! "Rs 9000"), and `Display` the one writer.
//!
//! ```
//! use shumari_domain::money::Paisa;
//! let a = Paisa::parse_rupees("10,500").unwrap();
//! assert_eq!(a, Paisa(1_050_000));
//! assert_eq!(a.to_string(), "Rs 10,500");
//! assert_eq!(Paisa::parse_rupees("9000.5").unwrap().to_string(), "Rs 9,000.50");
//! assert!(Paisa::parse_rupees("9000.505").is_err()); // a third decimal is no amount of paisa
//! assert!(Paisa::parse_rupees("-5").is_err());
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in paisa.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Paisa(pub i64);

/// A written amount that is not a non-negative number of rupees with at most two decimals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an amount in rupees (write it like 10500 or 10,500.50)")]
pub struct BadAmount(pub String);

impl Paisa {
    /// Zero.
    pub const ZERO: Paisa = Paisa(0);

    /// Whole rupees.
    pub fn rupees(r: i64) -> Paisa {
        Paisa(r * 100)
    }

    /// Reads a non-negative amount of rupees: digits with optional thousands commas, an optional
    /// `Rs`/`PKR` prefix and at most two decimals.
    pub fn parse_rupees(text: &str) -> Result<Paisa, BadAmount> {
        let bad = || BadAmount(text.to_string());
        let t = text.trim();
        let t = t
            .strip_prefix("PKR")
            .or_else(|| t.strip_prefix("Rs."))
            .or_else(|| t.strip_prefix("Rs"))
            .unwrap_or(t)
            .trim();
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t, ""),
        };
        let whole: String = whole.chars().filter(|&c| c != ',').collect();
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let rupees: i64 = whole.parse().map_err(|_| bad())?;
        let paisa: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        rupees
            .checked_mul(100)
            .and_then(|p| p.checked_add(paisa))
            .map(Paisa)
            .ok_or_else(bad)
    }

    /// The amount as rupees with two decimals and no separators (`10500.00`), for files.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl fmt::Display for Paisa {
    /// `Rs 10,500` (or `Rs 10,500.50` when there are paisa), grouped in thousands.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let digits = (a / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        match a % 100 {
            0 => write!(f, "{sign}Rs {grouped}"),
            p => write!(f, "{sign}Rs {grouped}.{p:02}"),
        }
    }
}

impl std::ops::Add for Paisa {
    type Output = Paisa;
    fn add(self, o: Paisa) -> Paisa {
        Paisa(self.0 + o.0)
    }
}

impl std::ops::AddAssign for Paisa {
    fn add_assign(&mut self, o: Paisa) {
        self.0 += o.0;
    }
}

impl std::iter::Sum for Paisa {
    fn sum<I: Iterator<Item = Paisa>>(it: I) -> Paisa {
        Paisa(it.map(|p| p.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_amounts_read_exactly() {
        assert_eq!(Paisa::parse_rupees("0").unwrap(), Paisa(0));
        assert_eq!(
            Paisa::parse_rupees("Rs 1,000,000").unwrap(),
            Paisa(100_000_000)
        );
        assert_eq!(Paisa::parse_rupees("PKR 10.05").unwrap(), Paisa(1005));
        assert_eq!(Paisa::parse_rupees(" 7.1 ").unwrap(), Paisa(710));
        for bad in [
            "",
            "abc",
            "1.234",
            "-1",
            "1e5",
            "Rs",
            "12.a",
            "99999999999999999999",
        ] {
            assert!(Paisa::parse_rupees(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_print_grouped_with_paisa_only_when_there_are_any() {
        assert_eq!(Paisa(0).to_string(), "Rs 0");
        assert_eq!(Paisa(99).to_string(), "Rs 0.99");
        assert_eq!(Paisa::rupees(123_456_789).to_string(), "Rs 123,456,789");
        assert_eq!(Paisa(1_050_050).plain(), "10500.50");
        let total: Paisa = [Paisa(1), Paisa(2)].into_iter().sum();
        assert_eq!(total, Paisa(3));
    }
}
