//! Personal names compared across spellings and scripts, for finding possible duplicate households
//! (the registry's duplicates queue lists pairs whose heads' names match *and* share another
//! attribute; this module only judges the names).
//!
//! The same person is written `Muhammad Aslam`, `Mohammad Aslam`, `Muhammed Aslam` or `محمد اسلم`,
//! with or without an honorific (`Syed`, `Mian`, `Haji`, `Bibi`, `Begum`, `Ch.`, `سید`, `حاجی`,
//! `بی بی` ...). [`NameKey::of`] reads a name into tokens in three forms, none of which is shown to
//! anyone:
//! - `latin`: lower case, honorifics dropped, the variants of *Muhammad* and a few other very common
//!   names mapped to one spelling, doubled letters collapsed, `ee`/`oo`/`ou` as `i`/`u`, `ph` as `f`,
//!   `q` as `k`, a final `h` after a vowel dropped (`Fatimah` = `Fatima`);
//! - `urdu`: Arabic-script letters unified (Arabic `ي`/`ك`/`ه` as Urdu `ی`/`ک`/`ہ`), diacritics
//!   dropped;
//! - `skeleton`: the consonants, which both scripts write (Urdu leaves most short vowels out): a
//!   Latin name's consonants, or an Urdu name's letters transliterated (`ح` `h`, `ص` `s`, `و` and
//!   `ی` as vowels after the first letter), doubled letters collapsed and a final `h` of a longer
//!   token dropped, so `Ghulam Rasool` and `غلام رسول` both read `ghlm rsl`.
//!
//! [`similarity`] compares two names in the most precise form they share: Latin with Latin, Urdu
//! with Urdu, otherwise the skeleton (less precise: `Hassan` and `حسین` share one). Every informative
//! token of each name must find a close token in the other (Jaro-Winkler, `strsim`), and the score is
//! the worst of those best matches, so `Muhammad Ali` and `Muhammad Aslam` (which share the
//! uninformative `Muhammad`) do not match, and an extra name on one side lowers the score. Names
//! written as one word in Urdu and two in English (`عبدالرحمن`, `Abdul Rehman`) are compared joined
//! as well. [`MATCH`] is the score from which two names count as the same.
//!
//! Known limits (why a name match alone never makes a case): gendered pairs (`Nasir`/`Nasira`) and
//! names differing only in a short vowel across scripts are close.

use std::collections::BTreeSet;

/// The score from which two names count as the same person's.
pub const MATCH: f64 = 0.9;

/// Honorifics and titles, in Latin lower case, dropped before comparing.
const HONORIFICS_LATIN: &[&str] = &[
    "syed",
    "sayed",
    "sayyid",
    "sayyed",
    "saiyid",
    "syeda",
    "sayeda",
    "mian",
    "haji",
    "hajji",
    "alhaj",
    "alhajj",
    "hajjan",
    "bibi",
    "bi",
    "begum",
    "mst",
    "mussammat",
    "musammat",
    "mussamat",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sheikh",
    "shaikh",
    "hafiz",
    "maulana",
    "molana",
    "maulvi",
    "molvi",
    "moulvi",
    "ch",
    "chaudhry",
    "chaudhary",
    "choudhry",
    "chaudhri",
    "sahib",
    "sahab",
    "janab",
    "mohtarma",
    "rao",
    "pir",
    "khawaja",
    "khwaja",
    "mirza",
    "qazi",
    "sardar",
];

/// The same in Urdu script (after [`unify_urdu`]).
const HONORIFICS_URDU: &[&str] = &[
    "سید",
    "سیدہ",
    "میاں",
    "حاجی",
    "الحاج",
    "بی",
    "بیبی",
    "بیگم",
    "مسماۃ",
    "مسمات",
    "مسمّاۃ",
    "شیخ",
    "حافظ",
    "مولانا",
    "مولوی",
    "چوہدری",
    "چودھری",
    "صاحب",
    "جناب",
    "محترمہ",
    "ڈاکٹر",
    "خواجہ",
    "مرزا",
    "قاضی",
    "سردار",
    "پیر",
    "راؤ",
];

/// Spellings of very common names, in Latin lower case, mapped to one.
const CANONICAL: &[(&str, &[&str])] = &[
    (
        "muhammad",
        &[
            "mohammad", "muhammed", "mohammed", "mohamad", "muhamad", "mohamed", "muhamed",
            "mohammd", "muhammd", "mohd", "muhd", "md", "mhd", "mohd.", "mahomed",
        ],
    ),
    ("ahmad", &["ahmed", "ahmd", "ehmad", "ehmed"]),
    (
        "bakhsh",
        &["bux", "baksh", "bakhash", "buksh", "bukhsh", "bakhs"],
    ),
    ("rehman", &["rahman", "rehmaan", "rahmaan"]),
    ("ullah", &["ulla", "ullha"]),
];

/// Which alphabet a name is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Latin letters only.
    Latin,
    /// Arabic-script (Urdu) letters only.
    Urdu,
    /// Both.
    Mixed,
}

/// A name read for comparison (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    /// The alphabet it is written in.
    pub script: Script,
    /// Tokens in their precise form (Latin or Urdu, as written), honorifics dropped.
    pub tokens: Vec<String>,
    /// The same tokens' consonant skeletons.
    pub skeleton: Vec<String>,
}

fn is_urdu(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{077F}').contains(&c)
}

/// Arabic-script variants as Urdu writes them; diacritics and tatweel dropped.
fn unify_urdu(word: &str) -> String {
    word.chars()
        .filter_map(|c| match c {
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => None,
            'ي' | 'ى' => Some('ی'),
            'ك' => Some('ک'),
            'ه' | 'ھ' => Some('ہ'),
            'ة' => Some('ۃ'),
            'أ' | 'إ' | 'ٱ' => Some('ا'),
            'ؤ' => Some('و'),
            'ۓ' => Some('ے'),
            c => Some(c),
        })
        .collect()
}

/// An Urdu letter in Latin consonants (`""` for letters that are vowels here, see the caller).
fn urdu_letter(c: char) -> &'static str {
    match c {
        'ب' => "b",
        'پ' => "p",
        'ت' | 'ٹ' | 'ط' => "t",
        'ث' | 'س' | 'ص' => "s",
        'ج' => "j",
        'چ' => "ch",
        'ح' | 'ہ' | 'ۃ' => "h",
        'خ' => "kh",
        'د' | 'ڈ' => "d",
        'ذ' | 'ز' | 'ض' | 'ظ' => "z",
        'ر' | 'ڑ' => "r",
        'ژ' => "zh",
        'ش' => "sh",
        'غ' => "gh",
        'ف' => "f",
        'ق' | 'ک' => "k",
        'گ' => "g",
        'ل' => "l",
        'م' => "m",
        'ن' | 'ں' => "n",
        _ => "",
    }
}

/// Letters that stand for vowels in a skeleton after the first letter.
fn is_vowelish(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'w' | 'y')
}

/// Collapses doubled letters and drops a final `h` from a token longer than two letters.
fn tidy(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    if out.chars().count() > 2 && out.ends_with('h') {
        out.pop();
    }
    out
}

/// The consonant skeleton of a Latin token: the first letter kept, vowels and `w`/`y` after it
/// dropped, `q` as `k`, `x` as `ks`.
fn latin_skeleton(token: &str) -> String {
    let mut out = String::new();
    for (i, c) in token.chars().enumerate() {
        let c = match c {
            'q' | 'c' => 'k',
            'v' => 'w',
            c => c,
        };
        if i > 0 && is_vowelish(c) {
            continue;
        }
        if c == 'x' {
            out.push_str("ks");
        } else {
            out.push(if i == 0 && "aeiou".contains(c) {
                'a'
            } else {
                c
            });
        }
    }
    tidy(out)
}

/// The consonant skeleton of an Urdu token.
fn urdu_skeleton(token: &str) -> String {
    let mut out = String::new();
    for (i, c) in token.chars().enumerate() {
        let l = urdu_letter(c);
        if l.is_empty() {
            // Alif and ain begin a name as a vowel, waw and ye as `w` and `y`; inside it all four
            // are vowels.
            if i == 0 {
                match c {
                    'ا' | 'آ' | 'ع' => out.push('a'),
                    'ی' | 'ے' => out.push('y'),
                    'و' => out.push('w'),
                    _ => {}
                }
            }
            continue;
        }
        out.push_str(l);
    }
    tidy(out)
}

/// A Latin token in its precise form.
fn latin_token(word: &str) -> String {
    let w = word
        .replace("ee", "i")
        .replace("oo", "u")
        .replace("ou", "u")
        .replace("ph", "f")
        .replace('q', "k");
    let mut out = String::with_capacity(w.len());
    for c in w.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    if out.len() > 3 && out.ends_with('h') {
        let before = out.chars().rev().nth(1);
        if before.is_some_and(|b| "aeiou".contains(b)) {
            out.pop();
        }
    }
    out
}

fn canonical(word: &str) -> &str {
    CANONICAL
        .iter()
        .find(|(_, variants)| variants.contains(&word))
        .map_or(word, |(c, _)| c)
}

impl NameKey {
    /// Reads a name (see the module docs).
    pub fn of(name: &str) -> NameKey {
        let (mut latin, mut urdu) = (false, false);
        let mut tokens = Vec::new();
        let mut skeleton = Vec::new();
        let words = name
            .split(|c: char| c.is_whitespace() || matches!(c, '-' | '.' | ',' | '_' | '،'))
            .filter(|w| !w.is_empty());
        for word in words {
            if word.chars().any(is_urdu) {
                let w = unify_urdu(&word.chars().filter(|c| is_urdu(*c)).collect::<String>());
                if w.is_empty() || HONORIFICS_URDU.contains(&w.as_str()) {
                    continue;
                }
                urdu = true;
                skeleton.push(urdu_skeleton(&w));
                tokens.push(w);
            } else {
                let w: String = word
                    .chars()
                    .filter(char::is_ascii_alphabetic)
                    .collect::<String>()
                    .to_ascii_lowercase();
                if w.is_empty() || HONORIFICS_LATIN.contains(&w.as_str()) {
                    continue;
                }
                latin = true;
                let w = canonical(&w).to_string();
                skeleton.push(latin_skeleton(&w));
                tokens.push(latin_token(&w));
            }
        }
        let script = match (latin, urdu) {
            (_, false) => Script::Latin,
            (false, true) => Script::Urdu,
            (true, true) => Script::Mixed,
        };
        NameKey {
            script,
            tokens,
            skeleton,
        }
    }

    /// The tokens to compare with `other`'s: precise when both are in one script, else skeletons;
    /// and how to compare two tokens. Urdu tokens are short and their spelling variants few, so
    /// they are held to edit distance (`حسن` is not `حسین`); Latin tokens and skeletons to
    /// Jaro-Winkler, which forgives the vowel changes of transliteration.
    fn comparable<'a>(&'a self, other: &'a NameKey) -> (&'a [String], &'a [String], TokenSim) {
        match (self.script, other.script) {
            (Script::Latin, Script::Latin) => (&self.tokens, &other.tokens, strsim::jaro_winkler),
            (Script::Urdu, Script::Urdu) => {
                (&self.tokens, &other.tokens, strsim::normalized_levenshtein)
            }
            _ => (&self.skeleton, &other.skeleton, strsim::jaro_winkler),
        }
    }
}

/// How alike two tokens are, 0 to 1.
type TokenSim = fn(&str, &str) -> f64;

/// The tokens worth comparing: without the canonical Muhammad, unless it is the whole name.
fn informative(tokens: &[String]) -> Vec<&str> {
    let muhammad = ["muhammad", "muhamad", "mhmd", "محمد"];
    let rest: Vec<&str> = tokens
        .iter()
        .map(String::as_str)
        .filter(|t| !muhammad.contains(t))
        .collect();
    if rest.is_empty() {
        tokens.iter().map(String::as_str).collect()
    } else {
        rest
    }
}

/// The worst, over every token of `a`, of its best match in `b`.
fn worst_best(a: &[&str], b: &[&str], sim: TokenSim) -> f64 {
    a.iter()
        .map(|x| b.iter().map(|y| sim(x, y)).fold(0.0, f64::max))
        .fold(1.0, f64::min)
}

/// How alike two names are, 0 to 1 (see the module docs); [`MATCH`] and above: the same name.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (ka, kb) = (NameKey::of(a), NameKey::of(b));
    let (ta, tb, sim) = ka.comparable(&kb);
    let (ia, ib) = (informative(ta), informative(tb));
    if ia.is_empty() || ib.is_empty() {
        return 0.0;
    }
    if ia.iter().collect::<BTreeSet<_>>() == ib.iter().collect::<BTreeSet<_>>() {
        return 1.0;
    }
    let tokenwise = worst_best(&ia, &ib, sim).min(worst_best(&ib, &ia, sim));
    // One word in one script, two in the other: compare them joined, strictly (edit distance).
    let joined = if ia.len() == ib.len() {
        0.0
    } else {
        strsim::normalized_levenshtein(&ia.concat(), &ib.concat())
    };
    tokenwise.max(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spellings of one person's name met in Pakistani registers.
    const SAME: &[(&str, &str)] = &[
        ("Muhammad Aslam", "Mohammad Aslam"),
        ("Muhammad Aslam", "Muhammed Aslam"),
        ("Muhammad Aslam", "Mohd. Aslam"),
        ("Muhammad Aslam", "محمد اسلم"),
        ("Syed Ali Raza", "Ali Raza"),
        ("Syed Ali Raza", "سید علی رضا"),
        ("Haji Ghulam Rasool", "Ghulam Rasul"),
        ("Ghulam Rasool", "غلام رسول"),
        ("Fatima Bibi", "Fatimah"),
        ("Fatima Bibi", "فاطمہ بی بی"),
        ("Allah Ditta", "Allah Dittah"),
        ("Allah Ditta", "اللہ دتہ"),
        ("Abdul Rehman", "Abdul Rahman"),
        ("Abdul Rehman", "عبدالرحمن"),
        ("Mian Muhammad Yousaf", "Muhammad Yusuf"),
        ("Muhammad Yousaf", "محمد یوسف"),
        ("Karim Bakhsh", "Karim Bux"),
        ("Begum Nasreen Akhtar", "Nasreen Akhtar"),
        ("Ch. Muhammad Iqbal", "Muhammad Iqbal"),
        ("Zubair Ahmed", "Zubair Ahmad"),
        ("Naseem Akhtar", "Nasim Akhtar"),
        ("Shazia Bibi", "شازیہ بی بی"),
        ("محمد اسلم", "محمد اسلم"),
        ("حاجی غلام رسول", "غلام رسول"),
    ];

    /// Different people whose names look alike.
    const DIFFERENT: &[(&str, &str)] = &[
        ("Muhammad Ali", "Muhammad Aslam"),
        ("Muhammad Asif", "Muhammad Arif"),
        ("Hassan Raza", "Hussain Raza"),
        ("Imran Khan", "Irfan Khan"),
        ("Fatima Bibi", "Fatima Zahra"),
        ("Ghulam Rasool", "Ghulam Nabi"),
        ("Muhammad Iqbal", "Muhammad Akbar"),
        ("Nasreen Akhtar", "Parveen Akhtar"),
        ("Abdul Rehman", "Abdul Rasheed"),
        ("Allah Ditta", "Allah Rakha"),
        ("محمد علی", "محمد اسلم"),
        ("حسن رضا", "حسین رضا"),
        ("Muhammad Tariq", "محمد طاہر"),
        ("Shahid Mehmood", "Khalid Mehmood"),
        ("Bilal", "Bilal Ahmad Khan"),
    ];

    #[test]
    fn spellings_of_one_name_match() {
        for (a, b) in SAME {
            let s = similarity(a, b);
            assert!(
                s >= MATCH,
                "{a} / {b}: {s:.3} ({:?} / {:?})",
                NameKey::of(a),
                NameKey::of(b)
            );
            assert_eq!(similarity(b, a), s, "symmetric: {a} / {b}");
        }
    }

    #[test]
    fn near_misses_do_not_match() {
        for (a, b) in DIFFERENT {
            let s = similarity(a, b);
            assert!(
                s < MATCH,
                "{a} / {b}: {s:.3} ({:?} / {:?})",
                NameKey::of(a),
                NameKey::of(b)
            );
        }
    }

    #[test]
    fn honorifics_and_punctuation_are_not_names() {
        let k = NameKey::of("Syed  Haji Mian-Ali, Raza.");
        assert_eq!(k.tokens, ["ali", "raza"]);
        assert_eq!(k.script, Script::Latin);
        assert_eq!(NameKey::of("سید علی").tokens, ["علی"]);
        assert_eq!(similarity("Syed", "Haji"), 0.0, "nothing left to compare");
    }

    #[test]
    fn both_scripts_reduce_to_one_skeleton() {
        assert_eq!(NameKey::of("Ghulam Rasool").skeleton, ["ghlm", "rsl"]);
        assert_eq!(NameKey::of("غلام رسول").skeleton, ["ghlm", "rsl"]);
        assert_eq!(
            NameKey::of("محمد").skeleton,
            NameKey::of("Muhammad").skeleton
        );
    }
}
