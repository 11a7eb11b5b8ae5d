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

/// Whether `s` has the shape of a reference number (used to tell a reference from an id or a name).
pub fn looks_like_reference(s: &str) -> bool {
    let mut parts = s.rsplitn(3, '-');
    let (Some(seq), Some(dev), Some(area)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !area.is_empty()
        && area.starts_with("PK")
        && dev.len() == 5
        && dev.bytes().all(|b| CROCKFORD.contains(&b))
        && !seq.is_empty()
        && seq.bytes().all(|b| b.is_ascii_digit())
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
