//! Short household reference numbers, unique without coordination.
//!
//! A reference is `<area>-<device>-<sequence>`, e.g. `PK60301-K7QD2-42`: the area code the household was
//! registered in, the device's short id (5 Crockford base32 characters, chosen at random when the store is
//! created: about 33 million values), and that device's own counter. Two devices never need to talk to
//! produce distinct references, and a surveyor can read one out over a bad phone line: Crockford's alphabet
//! has no I, L, O or U.

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Makes a device short id from 25 random bits (the low 25 bits of `random` are used).
pub fn device_short_id(random: u32) -> String {
    (0..5)
        .rev()
        .map(|i| CROCKFORD[((random >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// Formats a reference number.
pub fn reference_number(area: &str, device_short: &str, sequence: u64) -> String {
    format!("{area}-{device_short}-{sequence}")
}

/// Whether `s` is a device short id: 5 Crockford base32 characters.
pub fn is_short_id(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| CROCKFORD.contains(&b))
}

/// A reference number's parts: area, device short id, sequence. `None` when `s` is not shaped like one.
///
/// The short id is what makes a reference unique: the registry grants each enrolled device its own, and
/// refuses a new household whose reference carries another device's.
pub fn split_reference(s: &str) -> Option<(&str, &str, u64)> {
    let mut parts = s.rsplitn(3, '-');
    let (Some(seq), Some(dev), Some(area)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let digits = !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit());
    if area.starts_with("PK") && is_short_id(dev) && digits {
        Some((area, dev, seq.parse().ok()?))
    } else {
        None
    }
}

/// Whether `s` has the shape of a reference number (used to tell a reference from an id or a name).
pub fn looks_like_reference(s: &str) -> bool {
    split_reference(s).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_use_crockford_and_are_five_chars() {
        assert_eq!(device_short_id(0), "00000");
        assert_eq!(device_short_id(u32::MAX), "ZZZZZ");
        let id = device_short_id(0x0123_4567);
        assert_eq!(id.len(), 5);
        assert!(!id.contains(['I', 'L', 'O', 'U']));
    }

    #[test]
    fn a_reference_splits_into_area_device_and_sequence() {
        assert_eq!(
            split_reference("PK60301-UC012-K7QD2-42"),
            Some(("PK60301-UC012", "K7QD2", 42))
        );
        assert_eq!(
            split_reference("PK60301-K7QL2-42"),
            None,
            "L is not Crockford"
        );
        assert_eq!(split_reference("PK60301-K7QD2-"), None);
        assert_eq!(split_reference("K7QD2-42"), None);
        assert!(is_short_id("00000") && !is_short_id("0000") && !is_short_id("k7qd2"));
    }

    #[test]
    fn reference_shape() {
        let r = reference_number("PK60301-UC012", "K7QD2", 42);
        assert_eq!(r, "PK60301-UC012-K7QD2-42");
        assert!(looks_like_reference(&r));
        assert!(looks_like_reference("PK60301-K7QD2-1"));
        assert!(!looks_like_reference(
            "0190d4c2-0000-7000-8000-000000000000"
        ));
        assert!(!looks_like_reference("Ayesha"));
        assert!(!looks_like_reference("PK60301-K7QD-1"));
    }
}
