//! The ODK XForms functions beyond XPath 1.0's core: select values, dates and times, digests,
//! geometry, and the seeded `uuid()`/`random()`.
//!
//! Every function here is total like the rest of the evaluator: an empty argument gives the empty
//! string (which is NaN in arithmetic and false in comparisons), as does an argument JavaRosa would
//! refuse at run time (a date that is not one, a point that is not `lat lon`, an unknown digest).

use super::eval::Env;
use super::value::{days, parse_date, XValue};
use base64::Engine as _;
use chrono::{DateTime, Datelike, NaiveDateTime, NaiveTime, Timelike};
use sha2::Digest as _;

/// JavaRosa's earth radius for `distance()` and `area()` (`GeoUtils.EARTH_EQUATORIAL_RADIUS_METERS`).
const EARTH_RADIUS_M: f64 = 6_378_100.0;

/// `selected-at(list, index)`: the `index`th (0-based) value of a space-separated list, empty when
/// the index is not a whole number in range.
pub(crate) fn selected_at(list: &XValue, index: &XValue) -> XValue {
    let i = index.to_num();
    if !i.is_finite() || i < 0.0 || i.fract() != 0.0 {
        return XValue::empty();
    }
    let text = list.as_text();
    text.split_whitespace()
        .nth(i as usize)
        .map_or_else(XValue::empty, |v| XValue::Str(v.to_string()))
}

/// `substr(s, start[, end])`: the characters from `start` up to (not including) `end`, counted
/// from 0 and clamped to the text; a start or end that is not a number gives the empty string.
pub(crate) fn substr(s: &XValue, start: f64, end: Option<f64>) -> XValue {
    let chars: Vec<char> = s.as_text().chars().collect();
    let len = chars.len() as f64;
    let end = end.unwrap_or(len);
    if start.is_nan() || end.is_nan() {
        return XValue::empty();
    }
    let (a, b) = (start.trunc().clamp(0.0, len), end.trunc().clamp(0.0, len));
    if a >= b {
        return XValue::empty();
    }
    XValue::Str(chars[a as usize..b as usize].iter().collect())
}

/// `translate(s, from, to)`: each character of `s` found in `from` becomes the character at the
/// same place in `to`, or is removed when `to` is shorter.
pub(crate) fn translate(s: &str, from: &str, to: &str) -> XValue {
    let (from, to): (Vec<char>, Vec<char>) = (from.chars().collect(), to.chars().collect());
    XValue::Str(
        s.chars()
            .filter_map(|c| match from.iter().position(|&f| f == c) {
                Some(i) => to.get(i).copied(),
                None => Some(c),
            })
            .collect(),
    )
}

/// A date or date-time value with its time zone offset in seconds, when one is written.
fn date_time(v: &XValue) -> Option<(NaiveDateTime, Option<i32>)> {
    if let XValue::Date(d) = v {
        return Some((d.and_time(NaiveTime::MIN), None));
    }
    let text = v.as_text();
    let s = text.trim();
    if s.len() == 10 {
        return parse_date(s).map(|d| (d.and_time(NaiveTime::MIN), None));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some((dt.naive_local(), Some(dt.offset().local_minus_utc())));
    }
    // ODK writes offsets as `+05:00`; some exports write `+0500`, others none at all.
    if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some((dt.naive_local(), Some(dt.offset().local_minus_utc())));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|dt| (dt, None))
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `format-date(value, format)`: ODK's specifiers `%Y` (year), `%y` (2-digit year), `%m`/`%n`
/// (month padded/unpadded), `%b` (short month name), `%d`/`%e` (day padded/unpadded), `%a` (short
/// day name), `%H`/`%h` (hour padded/unpadded), `%M` (minute), `%S` (second), `%3` (milliseconds).
/// The time is the one written (ODK shows it in the device's zone; this engine has no zone). An
/// unknown specifier is written as is.
pub(crate) fn format_date(value: &XValue, format: &XValue) -> XValue {
    let Some((dt, _)) = date_time(value) else {
        return XValue::empty();
    };
    let mut out = String::new();
    let mut chars = format.as_text().chars().collect::<Vec<_>>().into_iter();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else {
            out.push('%');
            break;
        };
        let piece = match spec {
            'Y' => format!("{:04}", dt.year()),
            'y' => format!("{:02}", dt.year().rem_euclid(100)),
            'm' => format!("{:02}", dt.month()),
            'n' => dt.month().to_string(),
            'b' => MONTHS[dt.month0() as usize].to_string(),
            'd' => format!("{:02}", dt.day()),
            'e' => dt.day().to_string(),
            'a' => DAYS[dt.weekday().num_days_from_monday() as usize].to_string(),
            'H' => format!("{:02}", dt.hour()),
            'h' => dt.hour().to_string(),
            'M' => format!("{:02}", dt.minute()),
            'S' => format!("{:02}", dt.second()),
            '3' => format!("{:03}", dt.nanosecond() / 1_000_000 % 1000),
            other => format!("%{other}"),
        };
        out.push_str(&piece);
    }
    XValue::Str(out)
}

/// `decimal-date-time(value)`: days since 1970-01-01T00:00Z, the time of day as the fraction. A
/// written offset is honoured; a date-time without one is read as UTC (the engine has no zone).
pub(crate) fn decimal_date_time(value: &XValue) -> XValue {
    let Some((dt, offset)) = date_time(value) else {
        return XValue::empty();
    };
    let seconds = f64::from(dt.num_seconds_from_midnight())
        + f64::from(dt.nanosecond() % 1_000_000_000) / 1e9
        - f64::from(offset.unwrap_or(0));
    XValue::Num(days(dt.date()) + seconds / 86_400.0)
}

/// `digest(data, algorithm, encoding)`: `MD5`, `SHA-1`, `SHA-256`, `SHA-384` or `SHA-512` (names
/// in any case) of the text's UTF-8 bytes, as `base64` (the default) or `hex`. Empty data gives the
/// empty string, so an unanswered question has no digest.
pub(crate) fn digest(data: &XValue, algorithm: &XValue, encoding: Option<&XValue>) -> XValue {
    let data = data.as_text();
    if data.is_empty() {
        return XValue::empty();
    }
    let bytes = data.as_bytes();
    let hash: Vec<u8> = match algorithm.as_text().to_ascii_uppercase().as_str() {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        _ => return XValue::empty(),
    };
    let encoding = encoding.map_or_else(|| "base64".to_string(), |e| e.to_text());
    match encoding.to_ascii_lowercase().as_str() {
        "base64" => XValue::Str(base64::engine::general_purpose::STANDARD.encode(hash)),
        "hex" => XValue::Str(hex::encode(hash)),
        _ => XValue::empty(),
    }
}

/// The `(lat, lon)` of each point of `lat lon [alt [acc]];...` (radians), or `None` when a point
/// is not a latitude and longitude.
fn points(value: &XValue) -> Option<Vec<(f64, f64)>> {
    let text = value.as_text();
    text.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut it = p.split_whitespace().map(str::parse::<f64>);
            let lat = it.next()?.ok()?;
            let lon = it.next()?.ok()?;
            ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
                .then(|| (lat.to_radians(), lon.to_radians()))
        })
        .collect()
}

/// `distance(trace)`: metres along the points, each leg the great-circle distance on JavaRosa's
/// sphere (it uses the spherical law of cosines; the haversine form here is the same distance,
/// without the law of cosines' rounding on legs of a few metres).
/// Fewer than two points are 0 m; an empty or malformed value is empty.
pub(crate) fn distance(value: &XValue) -> XValue {
    match points(value) {
        Some(p) if !p.is_empty() => XValue::Num(
            p.windows(2)
                .map(|w| {
                    let ((la1, lo1), (la2, lo2)) = (w[0], w[1]);
                    let h = ((la2 - la1) / 2.0).sin().powi(2)
                        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
                    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
                })
                .sum(),
        ),
        _ => XValue::empty(),
    }
}

/// `area(shape)`: square metres inside the points, as a polygon on JavaRosa's sphere (the
/// spherical-excess sum). JavaRosa projects the points onto a plane at the first point instead
/// (`GeoUtils.calculateAreaOfGPSPolygonOnEarthInSquareMeters`); for a plot of a few kilometres the
/// two agree to within one part in a million, and this one stays right for large shapes. The shape
/// is closed whether or not its last point repeats the first. Fewer than three points are 0 m²;
/// an empty or malformed value is empty.
pub(crate) fn area(value: &XValue) -> XValue {
    match points(value) {
        Some(p) if !p.is_empty() => {
            let n = p.len();
            let sum: f64 = (0..n)
                .map(|i| {
                    let ((la1, lo1), (la2, lo2)) = (p[i], p[(i + 1) % n]);
                    (lo2 - lo1) * (2.0 + la1.sin() + la2.sin())
                })
                .sum();
            XValue::Num(if n < 3 {
                0.0
            } else {
                (sum * EARTH_RADIUS_M * EARTH_RADIUS_M / 2.0).abs()
            })
        }
        _ => XValue::empty(),
    }
}

/// 32 pseudo-random bytes for `uuid()`/`random()`. The forms crate does no IO, so it neither reads
/// the clock nor asks the OS for randomness: the bytes are SHA-256 of the context's
/// [`Env::seed`], the repeat row and the function's name. So a value is stable across the repeated
/// evaluation passes of one instance (what `once(uuid())` needs) and differs between rows and
/// between seeds; the caller chooses the seed (per instance) to make values differ between
/// instances.
fn seeded(env: &dyn Env, name: &str) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    h.update(name.as_bytes());
    h.update(env.seed().to_le_bytes());
    h.update(env.position().to_bits().to_le_bytes());
    h.finalize().into()
}

/// `uuid()`: a version 4 UUID from [`seeded`] bytes.
pub(crate) fn uuid(env: &dyn Env) -> XValue {
    let b = seeded(env, "uuid");
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&b[..16]);
    XValue::Str(
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string(),
    )
}

/// `random()`: a number in [0, 1) from [`seeded`] bytes (53 bits, as a double holds).
pub(crate) fn random(env: &dyn Env) -> XValue {
    let b = seeded(env, "random");
    let mut first = [0u8; 8];
    first.copy_from_slice(&b[..8]);
    XValue::Num((u64::from_le_bytes(first) >> 11) as f64 / (1u64 << 53) as f64)
}

/// `decimal-time(time)`: `HH:MM[:SS[.sss]]` (any zone suffix ignored: the time is read as written)
/// as a fraction of a day; empty for anything else.
pub(crate) fn decimal_time(value: &XValue) -> XValue {
    let text = value.as_text();
    let t = text.trim();
    let clock = t.split(['+', 'Z']).next().unwrap_or(t);
    let clock = match clock.rfind('-') {
        Some(i) if i >= 5 => &clock[..i],
        _ => clock,
    };
    let parsed = chrono::NaiveTime::parse_from_str(clock, "%H:%M:%S%.f")
        .or_else(|_| chrono::NaiveTime::parse_from_str(clock, "%H:%M"));
    match parsed {
        Ok(time) => {
            use chrono::Timelike;
            let secs =
                f64::from(time.num_seconds_from_midnight()) + f64::from(time.nanosecond()) / 1e9;
            XValue::Num(secs / 86_400.0)
        }
        Err(_) => XValue::empty(),
    }
}

/// `randomize(nodes[, seed])`: the nodes in a random order, a Fisher-Yates shuffle driven by
/// SHA-256 of the seed (the given number, else [`seeded`]'s context), so the order is the same on
/// every evaluation of one instance.
pub(crate) fn randomize(mut nodes: Vec<XValue>, seed: Option<f64>, env: &dyn Env) -> XValue {
    let key = match seed {
        Some(s) if s.is_finite() => sha2::Sha256::digest(s.to_bits().to_le_bytes()).into(),
        Some(_) => return XValue::Nodes(nodes),
        None => seeded(env, "randomize"),
    };
    let mut state = u64::from_le_bytes(key[..8].try_into().unwrap_or_default());
    for i in (1..nodes.len()).rev() {
        // SplitMix64 steps: enough spread for shuffling a list; not for secrets.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        nodes.swap(i, (z % (i as u64 + 1)) as usize);
    }
    XValue::Nodes(nodes)
}
