//! GSM-7 or UCS-2, and how many segments a text takes.
//!
//! An SMS carries 140 bytes. A text made only of the GSM 03.38 alphabet is packed 7 bits a
//! character: 160 characters, where the extension characters (`^ { } \ [ ~ ] | €` and form feed) take
//! two (an escape and the character). Any other character (Urdu, an emoji) sends the whole text as
//! UCS-2: 70 UTF-16 code units. A longer text is split into segments that each lose room to a
//! concatenation header: 153 GSM-7 characters or 67 UCS-2 code units each.
//!
//! ```
//! use shumari_sms::{segments, Encoding};
//! assert_eq!(segments("Rs 9,000 paid").encoding, Encoding::Gsm7);
//! assert_eq!(segments(&"a".repeat(160)).count, 1);
//! assert_eq!(segments(&"a".repeat(161)).count, 2);
//! assert_eq!(segments("{}").units, 4); // extension characters count two
//! assert_eq!(segments("شکایت").encoding, Encoding::Ucs2);
//! assert_eq!(segments(&"ش".repeat(71)).count, 2);
//! ```

use serde::Serialize;

/// The GSM 03.38 basic alphabet (the escape itself left out: nobody types it).
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The GSM 03.38 extension table: each sent as an escape and the character.
const EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// How a text is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// 7 bits a character, 160 in one segment.
    Gsm7,
    /// UTF-16, 70 code units in one segment.
    Ucs2,
}

impl Encoding {
    /// Characters (GSM-7 septets or UCS-2 code units) one segment holds alone.
    pub fn single(self) -> usize {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Characters each segment of a longer message holds.
    pub fn multi(self) -> usize {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }
}

/// A text's encoding, length in its units and number of segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Segments {
    /// GSM-7 or UCS-2.
    pub encoding: Encoding,
    /// Septets (GSM-7, extension characters two) or UTF-16 code units (UCS-2).
    pub units: usize,
    /// Segments sent (0 for the empty text).
    pub count: usize,
}

impl Segments {
    /// Whether the text goes as one SMS.
    pub fn fits_one(&self) -> bool {
        self.count <= 1
    }
}

/// How `text` is sent.
pub fn segments(text: &str) -> Segments {
    let mut septets = 0usize;
    let mut gsm = true;
    for c in text.chars() {
        if BASIC.contains(c) {
            septets += 1;
        } else if EXTENSION.contains(c) {
            septets += 2;
        } else {
            gsm = false;
            break;
        }
    }
    let (encoding, units) = if gsm {
        (Encoding::Gsm7, septets)
    } else {
        (Encoding::Ucs2, text.encode_utf16().count())
    };
    let count = if units == 0 {
        0
    } else if units <= encoding.single() {
        1
    } else {
        units.div_ceil(encoding.multi())
    };
    Segments {
        encoding,
        units,
        count,
    }
}

/// `text` cut to at most `max` characters (by `char`), for a value placed inside a message.
pub fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_counts_septets_and_splits_at_153() {
        let s = segments("Hello @ £5 Ñ");
        assert_eq!((s.encoding, s.units, s.count), (Encoding::Gsm7, 12, 1));
        assert_eq!(segments(&"x".repeat(160)).count, 1);
        assert_eq!(segments(&"x".repeat(161)).count, 2);
        assert_eq!(segments(&"x".repeat(306)).count, 2);
        assert_eq!(segments(&"x".repeat(307)).count, 3);
        assert_eq!(segments("").count, 0);
    }

    #[test]
    fn extension_characters_take_two_septets() {
        let s = segments("€[]");
        assert_eq!((s.encoding, s.units), (Encoding::Gsm7, 6));
        // 79 plain and one extension character: 81 septets in 80 characters, still one segment.
        assert_eq!(segments(&format!("{}€", "a".repeat(79))).units, 81);
        // 159 plain and one euro sign are 161 septets: two segments though 160 characters.
        assert_eq!(segments(&format!("{}€", "a".repeat(159))).count, 2);
    }

    #[test]
    fn one_character_outside_gsm7_makes_the_whole_text_ucs2() {
        let s = segments(&format!("{}ے", "a".repeat(69)));
        assert_eq!((s.encoding, s.units, s.count), (Encoding::Ucs2, 70, 1));
        assert_eq!(segments(&format!("{}ے", "a".repeat(70))).count, 2);
        assert_eq!(segments(&"ب".repeat(134)).count, 2);
        assert_eq!(segments(&"ب".repeat(135)).count, 3);
        // An emoji is two UTF-16 code units.
        assert_eq!(segments("😀").units, 2);
        // A character of another alphabet that looks Latin is not GSM-7.
        assert_eq!(segments("naïve").encoding, Encoding::Ucs2);
    }
}
