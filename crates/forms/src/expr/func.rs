//! The functions an expression may call: each name with its argument count, checked when the
//! expression is parsed.

/// The supported functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `if(cond, then, else)`
    If,
    /// `selected(list, value)`
    Selected,
    /// `count-selected(list)`
    CountSelected,
    /// `string-length(s)`
    StringLength,
    /// `regex(s, re)`
    Regex,
    /// `concat(a, b, ...)`
    Concat,
    /// `coalesce(a, b)`
    Coalesce,
    /// `int(x)`: truncates toward zero.
    Int,
    /// `round(x[, digits])`
    Round,
    /// `today()`
    Today,
    /// `date(x)`
    Date,
    /// `count(${repeat or question})`
    Count,
    /// `sum(${question})`
    Sum,
    /// `min(${question})` or `min(a, b, ...)`
    Min,
    /// `max(${question})` or `max(a, b, ...)`
    Max,
    /// `position(..)`
    Position,
    /// `not(x)`
    Not,
    /// `number(x)`
    Number,
    /// `string(x)`
    String,
    /// `boolean(x)`
    Boolean,
    /// `true()`
    True,
    /// `false()`
    False,
    /// `selected-at(list, index)`: the 0-based `index`th value of a select_multiple answer.
    SelectedAt,
    /// `once(x)`: the current value when it is not empty, else `x`.
    Once,
    /// `format-date(date, format)` with ODK's `%Y %y %m %n %d %e %H %h %M %S %3 %a %b` subset.
    FormatDate,
    /// `decimal-date-time(x)`: days since 1970-01-01 with the time of day as a fraction.
    DecimalDateTime,
    /// `uuid()`: a version 4 UUID derived from the context's seed.
    Uuid,
    /// `random()`: a number in [0, 1) derived from the context's seed.
    Random,
    /// `digest(data, algorithm[, 'base64' | 'hex'])`
    Digest,
    /// `distance(geotrace)`: metres along the points (or along a repeat's geopoints).
    Distance,
    /// `area(geoshape)`: square metres inside the points (or a repeat's geopoints).
    Area,
    /// `pulldata(file, column, key_column, key)`: read from an attached CSV (empty until attachments
    /// are evaluated).
    Pulldata,
    /// `jr:choice-name(value, '${question}')`: the label of the choice `value` of the question's
    /// list, in the current language.
    ChoiceName,
    /// `indexed-repeat(${question}, ${repeat}, row[, ${inner}, row2[, ${inner2}, row3]])`: the
    /// question's value in a 1-based row of its repeat. Inner repeats load as groups of the outer
    /// row (see `build::nested`), so an inner row number other than 1 gives an empty value.
    IndexedRepeat,
    /// `contains(s, t)`
    Contains,
    /// `starts-with(s, t)`
    StartsWith,
    /// `ends-with(s, t)`
    EndsWith,
    /// `substr(s, start[, end])`: characters `start..end`, counted from 0.
    Substr,
    /// `substring-before(s, t)`
    SubstringBefore,
    /// `substring-after(s, t)`
    SubstringAfter,
    /// `translate(s, from, to)`
    Translate,
    /// `normalize-space(s)`
    NormalizeSpace,
    /// `boolean-from-string(s)`: true for `true` and `1`.
    BooleanFromString,
    /// `pow(x, y)`
    Pow,
    /// `atan2(y, x)`
    Atan2,
    /// `pi()`
    Pi,
    /// A function of one number.
    Math(Math),
    /// `count-non-empty(${question})`: how many rows answer it.
    CountNonEmpty,
    /// `join(separator, ${question})`: the values of every row (or the arguments) joined.
    Join,
    /// `now()`: the date-time of the evaluation (the engine is given a date: midnight of it).
    Now,
    /// `decimal-time(time)`: the time of day as a fraction of a day.
    DecimalTime,
    /// `randomize(${question}[, seed])`: the values of every row in a seeded random order.
    Randomize,
}

/// The functions of one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Math {
    /// `floor(x)`
    Floor,
    /// `ceiling(x)`
    Ceiling,
    /// `abs(x)`
    Abs,
    /// `sqrt(x)`
    Sqrt,
    /// `exp(x)`
    Exp,
    /// `exp10(x)`
    Exp10,
    /// `log(x)`, the natural logarithm.
    Log,
    /// `log10(x)`
    Log10,
    /// `sin(x)` (radians)
    Sin,
    /// `cos(x)`
    Cos,
    /// `tan(x)`
    Tan,
    /// `asin(x)`
    Asin,
    /// `acos(x)`
    Acos,
    /// `atan(x)`
    Atan,
}

impl Math {
    /// The function's value (NaN in, NaN out: an empty argument stays NaN).
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Math::Floor => x.floor(),
            Math::Ceiling => x.ceil(),
            Math::Abs => x.abs(),
            Math::Sqrt => x.sqrt(),
            Math::Exp => x.exp(),
            Math::Exp10 => 10f64.powf(x),
            Math::Log => x.ln(),
            Math::Log10 => x.log10(),
            Math::Sin => x.sin(),
            Math::Cos => x.cos(),
            Math::Tan => x.tan(),
            Math::Asin => x.asin(),
            Math::Acos => x.acos(),
            Math::Atan => x.atan(),
        }
    }
}

impl Func {
    pub(crate) fn lookup(name: &str) -> Option<(Func, usize, Option<usize>)> {
        // (function, minimum arguments, maximum arguments or None for any)
        Some(match name {
            "if" => (Func::If, 3, Some(3)),
            "selected" => (Func::Selected, 2, Some(2)),
            "count-selected" => (Func::CountSelected, 1, Some(1)),
            "string-length" => (Func::StringLength, 1, Some(1)),
            "regex" => (Func::Regex, 2, Some(2)),
            "concat" => (Func::Concat, 1, None),
            "coalesce" => (Func::Coalesce, 2, Some(2)),
            "int" => (Func::Int, 1, Some(1)),
            "round" => (Func::Round, 1, Some(2)),
            "today" => (Func::Today, 0, Some(0)),
            "date" => (Func::Date, 1, Some(1)),
            "count" => (Func::Count, 1, Some(1)),
            "sum" => (Func::Sum, 1, Some(1)),
            "min" => (Func::Min, 1, None),
            "max" => (Func::Max, 1, None),
            "position" => (Func::Position, 1, Some(1)),
            "not" => (Func::Not, 1, Some(1)),
            "number" => (Func::Number, 1, Some(1)),
            "string" => (Func::String, 1, Some(1)),
            "boolean" => (Func::Boolean, 1, Some(1)),
            "true" => (Func::True, 0, Some(0)),
            "false" => (Func::False, 0, Some(0)),
            "selected-at" => (Func::SelectedAt, 2, Some(2)),
            "once" => (Func::Once, 1, Some(1)),
            "format-date" => (Func::FormatDate, 2, Some(2)),
            "decimal-date-time" => (Func::DecimalDateTime, 1, Some(1)),
            "uuid" => (Func::Uuid, 0, Some(0)),
            "random" => (Func::Random, 0, Some(0)),
            "digest" => (Func::Digest, 2, Some(3)),
            "distance" => (Func::Distance, 1, Some(1)),
            "area" => (Func::Area, 1, Some(1)),
            "pulldata" => (Func::Pulldata, 4, Some(4)),
            "jr:choice-name" => (Func::ChoiceName, 2, Some(2)),
            "indexed-repeat" => (Func::IndexedRepeat, 3, Some(7)),
            "join" => (Func::Join, 2, None),
            "now" => (Func::Now, 0, Some(0)),
            "decimal-time" => (Func::DecimalTime, 1, Some(1)),
            "randomize" => (Func::Randomize, 1, Some(2)),
            "contains" => (Func::Contains, 2, Some(2)),
            "starts-with" => (Func::StartsWith, 2, Some(2)),
            "ends-with" => (Func::EndsWith, 2, Some(2)),
            "substr" => (Func::Substr, 2, Some(3)),
            "substring-before" => (Func::SubstringBefore, 2, Some(2)),
            "substring-after" => (Func::SubstringAfter, 2, Some(2)),
            "translate" => (Func::Translate, 3, Some(3)),
            "normalize-space" => (Func::NormalizeSpace, 1, Some(1)),
            "boolean-from-string" => (Func::BooleanFromString, 1, Some(1)),
            "pow" => (Func::Pow, 2, Some(2)),
            "atan2" => (Func::Atan2, 2, Some(2)),
            "pi" => (Func::Pi, 0, Some(0)),
            "count-non-empty" => (Func::CountNonEmpty, 1, Some(1)),
            // ODK's name for the same function on a date-time.
            "format-date-time" => (Func::FormatDate, 2, Some(2)),
            "floor" => (Func::Math(Math::Floor), 1, Some(1)),
            "ceiling" => (Func::Math(Math::Ceiling), 1, Some(1)),
            "abs" => (Func::Math(Math::Abs), 1, Some(1)),
            "sqrt" => (Func::Math(Math::Sqrt), 1, Some(1)),
            "exp" => (Func::Math(Math::Exp), 1, Some(1)),
            "exp10" => (Func::Math(Math::Exp10), 1, Some(1)),
            "log" => (Func::Math(Math::Log), 1, Some(1)),
            "log10" => (Func::Math(Math::Log10), 1, Some(1)),
            "sin" => (Func::Math(Math::Sin), 1, Some(1)),
            "cos" => (Func::Math(Math::Cos), 1, Some(1)),
            "tan" => (Func::Math(Math::Tan), 1, Some(1)),
            "asin" => (Func::Math(Math::Asin), 1, Some(1)),
            "acos" => (Func::Math(Math::Acos), 1, Some(1)),
            "atan" => (Func::Math(Math::Atan), 1, Some(1)),
            _ => return None,
        })
    }

    /// Whether the function aggregates over the rows of a repeat.
    pub fn is_aggregate(self) -> bool {
        matches!(
            self,
            Func::Count
                | Func::CountNonEmpty
                | Func::Sum
                | Func::Min
                | Func::Max
                | Func::Join
                | Func::Randomize
        )
    }
}
