//! ODK XPath expressions as XLSForm authors write them: `${name}` references, `.`, arithmetic
//! (`+ - * div mod`), comparisons, `and`/`or`, and the functions real household forms use.
//!
//! Why hand-written: no maintained Rust crate implements ODK/JavaRosa XPath semantics (general XPath
//! crates such as `sxd-xpath` evaluate against an XML DOM, know nothing of `${}` references, and follow
//! plain XPath 1.0 conversions, not JavaRosa's: date strings become day numbers, `selected()`, ...). The
//! subset is small, so a ~300 line Pratt parser ([`parse`]) and a tree-walking evaluator ([`eval`]) keep
//! the semantics in plain sight and under test. `func.rs` names each function with its argument
//! count (checked when the form loads); `functions.rs` holds ODK's functions beyond XPath's core.
//!
//! Semantics follow JavaRosa (ODK Collect's engine):
//! - an unanswered question is the empty string `''`;
//! - `number('')` is NaN, so arithmetic with an empty value is NaN and every comparison with NaN is
//!   false: `'' = 0` is false, `'' < 5` is false, `'' = ''` is true;
//! - a string that looks like a date (`2020-01-31`) converts to its number of days since 1970-01-01,
//!   as does a date value, so `today() - ${dob}` is a number of days and `${dob} < '2000-01-01'` works;
//! - `boolean('')` and `boolean(0)` and `boolean(NaN)` are false;
//! - `sum()` of a set containing an empty value is NaN (use `coalesce(${x}, 0)` in a calculate);
//! - `regex(s, re)` is true when `re` matches somewhere in `s` (anchor with `^...$`);
//! - `uuid()` and `random()` derive from [`Env::seed`] and the repeat row (this crate reads neither
//!   the clock nor OS randomness); `once(x)` is `x` wherever there is no current value.

mod eval;
mod func;
mod functions;
mod parse;
mod value;

pub use eval::{eval, Env};
pub use func::{Func, Math};
pub use parse::{parse, Expr, ParseError};
pub use value::XValue;

use serde::{Serialize, Serializer};

/// An expression as written plus its syntax tree (parsed once, when the form loads).
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    /// The text as the form author wrote it.
    pub source: String,
    /// The parsed tree.
    pub ast: Expr,
}

impl Expression {
    /// Parses an expression.
    pub fn parse(source: &str) -> Result<Expression, ParseError> {
        Ok(Expression {
            source: source.to_string(),
            ast: parse(source)?,
        })
    }

    /// The `${name}` references in the expression, each with whether it sits inside an aggregate
    /// function argument (`count()`, `sum()`, `min()`, `max()`).
    pub fn references(&self) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        self.ast.references(false, &mut out);
        out
    }
}

impl Serialize for Expression {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}
