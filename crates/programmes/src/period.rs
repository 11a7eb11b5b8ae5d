//! Instalment periods and their names: `2026` (yearly), `2026-H2` (half-yearly), `2026-Q4`
//! (quarterly), `2026-11` (monthly). A period's name is what a payment cycle, a compliance record and
//! a bank file carry; its first day is the date ages are counted against.

use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// One instalment period of a programme's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Period {
    /// The year.
    pub year: i32,
    /// The instalment within the year, 1-based.
    pub index: u32,
    /// Instalments per year (1, 2, 4 or 12).
    pub per_year: u32,
}

/// A period name that does not fit the schedule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a period of this programme; {hint}")]
pub struct BadPeriod {
    /// The name as given.
    pub name: String,
    /// How this programme names its periods.
    pub hint: String,
}

/// How periods are named for `per_year` instalments a year, with an example.
pub fn naming(per_year: u32) -> &'static str {
    match per_year {
        1 => "name a year, e.g. 2026",
        2 => "name a half-year, e.g. 2026-H2",
        12 => "name a month, e.g. 2026-11",
        _ => "name a quarter, e.g. 2026-Q4",
    }
}

impl Period {
    /// Reads a period name for a schedule of `per_year` instalments.
    pub fn parse(name: &str, per_year: u32) -> Result<Period, BadPeriod> {
        let bad = || BadPeriod {
            name: name.to_string(),
            hint: naming(per_year).to_string(),
        };
        let t = name.trim();
        let (year, rest) = match t.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (t, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let index = match (per_year, rest) {
            (1, None) => 1,
            (2, Some(r)) => r
                .strip_prefix('H')
                .and_then(|n| n.parse().ok())
                .ok_or_else(bad)?,
            (4, Some(r)) => r
                .strip_prefix('Q')
                .and_then(|n| n.parse().ok())
                .ok_or_else(bad)?,
            (12, Some(r)) if r.len() == 2 => r.parse().map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        if !(1..=per_year).contains(&index) {
            return Err(bad());
        }
        Ok(Period {
            year,
            index,
            per_year,
        })
    }

    /// The period's first day.
    pub fn start(&self) -> NaiveDate {
        let month = (self.index - 1) * (12 / self.per_year) + 1;
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or_default()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.per_year {
            1 => write!(f, "{}", self.year),
            2 => write!(f, "{}-H{}", self.year, self.index),
            12 => write!(f, "{}-{:02}", self.year, self.index),
            _ => write!(f, "{}-Q{}", self.year, self.index),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_named_by_the_schedule_and_start_on_their_first_day() {
        let q = Period::parse("2026-Q4", 4).unwrap();
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.start(), NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(
            Period::parse("2026-11", 12).unwrap().start(),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(
            Period::parse("2026-H2", 2).unwrap().start(),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
        );
        assert_eq!(Period::parse("2026", 1).unwrap().to_string(), "2026");
        for (bad, n) in [
            ("2026-Q5", 4),
            ("2026-11", 4),
            ("2026", 4),
            ("26-Q1", 4),
            ("2026-13", 12),
        ] {
            let e = Period::parse(bad, n).unwrap_err();
            assert!(e.to_string().contains(bad), "{bad}");
        }
    }
}
