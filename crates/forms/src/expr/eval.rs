//! The evaluator: total (never fails, never panics). Where JavaRosa would raise an error at run time
//! (`date('garbage')`), the result is the empty string, which propagates as NaN through arithmetic and
//! as false through comparisons; load-time checks catch everything structural.

use super::func::Func;
use super::functions;
use super::parse::{BinOp, Expr};
use super::value::{from_days, parse_date, XValue};
use chrono::NaiveDate;

/// What an expression can see: the answers in its context.
pub trait Env {
    /// The value of `${name}` in the current context (own row of a repeat, or household level).
    fn value(&self, name: &str) -> XValue;
    /// The values of `${name}` for an aggregate: every row of its repeat (for a repeat itself, one
    /// entry per row), or the single value when it is in the current context.
    fn nodes(&self, name: &str) -> Vec<XValue>;
    /// `.`, the value of the question being checked.
    fn current(&self) -> XValue;
    /// `position(..)`: the 1-based row number of the current repeat row (NaN outside a repeat).
    fn position(&self) -> f64;
    /// The date `today()` returns.
    fn today(&self) -> NaiveDate;
    /// A column of the choice being filtered (`name`, `label` or an extra column).
    fn choice_column(&self, name: &str) -> XValue;
    /// The seed `uuid()` and `random()` derive their values from (see `functions::seeded`); the
    /// caller supplies it because the forms crate reads neither the clock nor OS randomness. With
    /// the default 0, values still differ between repeat rows but repeat between instances.
    fn seed(&self) -> u64 {
        0
    }
    /// The label, in the current language, of the choice `value` of `question`'s list (empty when
    /// there is none).
    fn choice_label(&self, _question: &str, _value: &str) -> XValue {
        XValue::empty()
    }
    /// `pulldata(file, column, key_column, key)`: the value of `column` in the first row of the
    /// attached CSV `file` whose `key_column` is `key` (empty when there is none).
    fn pulldata(&self, _file: &str, _column: &str, _key_column: &str, _key: &str) -> XValue {
        XValue::empty()
    }
    /// `${name}` in the 1-based `row` of its repeat, from any context (empty when there is no such
    /// row). The default reads [`Env::nodes`], which in a row of the same repeat is that row only.
    fn row_value(&self, name: &str, row: usize) -> XValue {
        row.checked_sub(1)
            .and_then(|k| self.nodes(name).into_iter().nth(k))
            .unwrap_or_else(XValue::empty)
    }
}

fn compare_eq(a: &XValue, b: &XValue) -> bool {
    use XValue::*;
    match (a, b) {
        (Nodes(v), other) | (other, Nodes(v)) => v.iter().any(|n| compare_eq(n, other)),
        (Bool(_), _) | (_, Bool(_)) => a.to_bool() == b.to_bool(),
        (Num(_), _) | (_, Num(_)) | (Date(_), _) | (_, Date(_)) => a.to_num() == b.to_num(),
        (Str(x), Str(y)) => x == y,
    }
}

/// Evaluates an expression.
pub fn eval(e: &Expr, env: &dyn Env) -> XValue {
    match e {
        Expr::Number(n) => XValue::Num(*n),
        Expr::Text(s) => XValue::Str(s.clone()),
        Expr::Ref(name) => env.value(name),
        Expr::Current => env.current(),
        Expr::Parent => XValue::empty(),
        Expr::ChoiceColumn(c) => env.choice_column(c),
        Expr::Neg(x) => XValue::Num(-eval(x, env).to_num()),
        Expr::Binary(op, a, b) => binary(*op, a, b, env),
        Expr::RegexLiteral(s, re) => XValue::Bool(re.0.is_match(&eval(s, env).as_text())),
        Expr::Call(f, args) => call(*f, args, env),
    }
}

fn binary(op: BinOp, a: &Expr, b: &Expr, env: &dyn Env) -> XValue {
    match op {
        BinOp::Or => return XValue::Bool(eval(a, env).to_bool() || eval(b, env).to_bool()),
        BinOp::And => return XValue::Bool(eval(a, env).to_bool() && eval(b, env).to_bool()),
        _ => {}
    }
    let (x, y) = (eval(a, env), eval(b, env));
    match op {
        BinOp::Eq => XValue::Bool(compare_eq(&x, &y)),
        BinOp::Ne => XValue::Bool(!compare_eq(&x, &y)),
        BinOp::Lt => XValue::Bool(x.to_num() < y.to_num()),
        BinOp::Le => XValue::Bool(x.to_num() <= y.to_num()),
        BinOp::Gt => XValue::Bool(x.to_num() > y.to_num()),
        BinOp::Ge => XValue::Bool(x.to_num() >= y.to_num()),
        BinOp::Add => XValue::Num(x.to_num() + y.to_num()),
        BinOp::Sub => XValue::Num(x.to_num() - y.to_num()),
        BinOp::Mul => XValue::Num(x.to_num() * y.to_num()),
        BinOp::Div => XValue::Num(x.to_num() / y.to_num()),
        BinOp::Mod => XValue::Num(x.to_num() % y.to_num()),
        BinOp::Or | BinOp::And => XValue::Bool(false),
    }
}

fn ref_nodes(args: &[Expr], env: &dyn Env) -> Vec<XValue> {
    match args.first() {
        Some(Expr::Ref(name)) => env.nodes(name),
        Some(other) => vec![eval(other, env)],
        None => Vec::new(),
    }
}

/// The points `distance()` and `area()` measure: a trace or shape, or (as in ODK) a question
/// answered in several repeat rows, one geopoint a row; a row left empty makes the whole empty.
fn geometry(args: &[Expr], env: &dyn Env) -> XValue {
    let nodes = ref_nodes(args, env);
    match nodes.as_slice() {
        [one] => one.clone(),
        many if many.iter().any(|n| n.as_text().trim().is_empty()) => XValue::empty(),
        many => XValue::Str(
            many.iter()
                .map(|n| n.to_text())
                .collect::<Vec<_>>()
                .join(";"),
        ),
    }
}

fn arg(args: &[Expr], i: usize, env: &dyn Env) -> XValue {
    args.get(i).map_or_else(XValue::empty, |a| eval(a, env))
}

fn call(f: Func, args: &[Expr], env: &dyn Env) -> XValue {
    match f {
        Func::If => {
            if arg(args, 0, env).to_bool() {
                arg(args, 1, env)
            } else {
                arg(args, 2, env)
            }
        }
        Func::Selected => {
            let list = arg(args, 0, env);
            let want = arg(args, 1, env);
            let want = want.as_text();
            let want = want.trim();
            XValue::Bool(list.as_text().split_whitespace().any(|v| v == want))
        }
        Func::CountSelected => {
            XValue::Num(arg(args, 0, env).as_text().split_whitespace().count() as f64)
        }
        Func::StringLength => XValue::Num(arg(args, 0, env).as_text().chars().count() as f64),
        Func::Regex => {
            let s = arg(args, 0, env);
            let re = arg(args, 1, env);
            XValue::Bool(regex::Regex::new(&re.as_text()).is_ok_and(|r| r.is_match(&s.as_text())))
        }
        Func::Concat => {
            let mut out = String::new();
            for a in args {
                out.push_str(&eval(a, env).as_text());
            }
            XValue::Str(out)
        }
        Func::Coalesce => {
            let a = arg(args, 0, env);
            if a.as_text().is_empty() {
                arg(args, 1, env)
            } else {
                a
            }
        }
        Func::Int => XValue::Num(arg(args, 0, env).to_num().trunc()),
        Func::Round => {
            let x = arg(args, 0, env).to_num();
            let digits = if args.len() > 1 {
                arg(args, 1, env).to_num()
            } else {
                0.0
            };
            if !digits.is_finite() {
                return XValue::Num(f64::NAN);
            }
            let scale = 10f64.powi(digits.clamp(-15.0, 15.0) as i32);
            XValue::Num((x * scale).round() / scale)
        }
        Func::Today => XValue::Date(env.today()),
        Func::Date => {
            let d = match arg(args, 0, env) {
                XValue::Date(d) => Some(d),
                XValue::Num(n) => from_days(n),
                XValue::Str(s) => parse_date(&s),
                other => from_days(other.to_num()),
            };
            d.map_or_else(XValue::empty, XValue::Date)
        }
        Func::Count => XValue::Num(ref_nodes(args, env).len() as f64),
        Func::CountNonEmpty => XValue::Num(
            ref_nodes(args, env)
                .iter()
                .filter(|v| !v.as_text().is_empty())
                .count() as f64,
        ),
        Func::Sum => XValue::Num(ref_nodes(args, env).iter().map(XValue::to_num).sum()),
        Func::Min | Func::Max => {
            let nums: Vec<f64> = (0..args.len())
                .flat_map(|i| ref_nodes(&args[i..], env))
                .map(|v| v.to_num())
                .collect();
            if nums.is_empty() || nums.iter().any(|n| n.is_nan()) {
                return XValue::Num(f64::NAN);
            }
            let fold = if f == Func::Min { f64::min } else { f64::max };
            XValue::Num(nums.into_iter().reduce(fold).unwrap_or(f64::NAN))
        }
        Func::Position => XValue::Num(env.position()),
        Func::Join => {
            let sep = arg(args, 0, env).as_text().to_string();
            let parts: Vec<String> = (1..args.len())
                .flat_map(|i| ref_nodes(&args[i..], env))
                .map(|v| v.to_text())
                .collect();
            XValue::Str(parts.join(&sep))
        }
        Func::Now => XValue::Str(format!("{}T00:00:00.000", env.today())),
        Func::DecimalTime => functions::decimal_time(&arg(args, 0, env)),
        Func::Randomize => {
            let seed = args.get(1).map(|e| eval(e, env).to_num());
            functions::randomize(ref_nodes(args, env), seed, env)
        }
        Func::Not => XValue::Bool(!arg(args, 0, env).to_bool()),
        Func::Number => XValue::Num(arg(args, 0, env).to_num()),
        Func::String => XValue::Str(arg(args, 0, env).to_text()),
        Func::Boolean => XValue::Bool(arg(args, 0, env).to_bool()),
        Func::True => XValue::Bool(true),
        Func::False => XValue::Bool(false),
        Func::SelectedAt => functions::selected_at(&arg(args, 0, env), &arg(args, 1, env)),
        // The current value is the question's own answer where the caller supplies one (`.`);
        // where it does not (calculations), `once(x)` is `x`.
        Func::Once => {
            let current = env.current();
            if current.as_text().is_empty() {
                arg(args, 0, env)
            } else {
                current
            }
        }
        Func::FormatDate => functions::format_date(&arg(args, 0, env), &arg(args, 1, env)),
        Func::DecimalDateTime => functions::decimal_date_time(&arg(args, 0, env)),
        Func::Uuid => functions::uuid(env),
        Func::Random => functions::random(env),
        Func::Digest => {
            let encoding = args.get(2).map(|e| eval(e, env));
            functions::digest(&arg(args, 0, env), &arg(args, 1, env), encoding.as_ref())
        }
        Func::Distance => functions::distance(&geometry(args, env)),
        Func::Area => functions::area(&geometry(args, env)),
        Func::Pulldata => {
            let [file, column, key_column, key] =
                [0, 1, 2, 3].map(|k| arg(args, k, env).as_text().to_string());
            env.pulldata(&file, &column, &key_column, &key)
        }
        Func::ChoiceName => match args.get(1) {
            Some(Expr::Ref(question)) => {
                let value = arg(args, 0, env);
                let value = value.as_text();
                match value.trim() {
                    "" => XValue::empty(),
                    v => env.choice_label(question, v),
                }
            }
            _ => XValue::empty(),
        },
        Func::Contains | Func::StartsWith | Func::EndsWith => {
            let (s, t) = (arg(args, 0, env), arg(args, 1, env));
            let (s, t) = (s.as_text(), t.as_text());
            XValue::Bool(match f {
                Func::Contains => s.contains(&*t),
                Func::StartsWith => s.starts_with(&*t),
                _ => s.ends_with(&*t),
            })
        }
        Func::Substr => {
            let end = args.get(2).map(|e| eval(e, env).to_num());
            functions::substr(&arg(args, 0, env), arg(args, 1, env).to_num(), end)
        }
        Func::SubstringBefore | Func::SubstringAfter => {
            let (s, t) = (arg(args, 0, env), arg(args, 1, env));
            let (s, t) = (s.as_text(), t.as_text());
            let part = s.split_once(&*t).map_or("", |(before, after)| {
                if f == Func::SubstringBefore {
                    before
                } else {
                    after
                }
            });
            XValue::Str(part.to_string())
        }
        Func::Translate => {
            let (s, from, to) = (arg(args, 0, env), arg(args, 1, env), arg(args, 2, env));
            functions::translate(&s.as_text(), &from.as_text(), &to.as_text())
        }
        Func::NormalizeSpace => XValue::Str(
            arg(args, 0, env)
                .as_text()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Func::BooleanFromString => {
            let s = arg(args, 0, env);
            XValue::Bool(matches!(s.as_text().trim(), "true" | "1"))
        }
        Func::Pow => XValue::Num(arg(args, 0, env).to_num().powf(arg(args, 1, env).to_num())),
        Func::Atan2 => XValue::Num(arg(args, 0, env).to_num().atan2(arg(args, 1, env).to_num())),
        Func::Pi => XValue::Num(std::f64::consts::PI),
        Func::Math(m) => XValue::Num(m.apply(arg(args, 0, env).to_num())),
        // The row is looked up in the question's own repeat (the parser has checked both are
        // references; the repeat argument documents which repeat the row number counts in).
        Func::IndexedRepeat => {
            let row = arg(args, 2, env).to_num();
            let inner_rows_first = (4..args.len())
                .step_by(2)
                .all(|k| arg(args, k, env).to_num() == 1.0);
            if !inner_rows_first {
                return XValue::empty();
            }
            match args.first() {
                Some(Expr::Ref(name)) if row >= 1.0 && row.fract() == 0.0 && row < 1e9 => {
                    env.row_value(name, row as usize)
                }
                _ => XValue::empty(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, XValue>, XValue);
    impl Env for Map {
        fn value(&self, n: &str) -> XValue {
            self.0.get(n).cloned().unwrap_or_else(XValue::empty)
        }
        fn nodes(&self, n: &str) -> Vec<XValue> {
            match self.0.get(n) {
                Some(XValue::Nodes(v)) => v.clone(),
                Some(v) => vec![v.clone()],
                None => vec![],
            }
        }
        fn current(&self) -> XValue {
            self.1.clone()
        }
        fn position(&self) -> f64 {
            2.0
        }
        fn today(&self) -> NaiveDate {
            NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
        }
        fn choice_column(&self, _: &str) -> XValue {
            XValue::empty()
        }
    }

    fn ev(src: &str) -> XValue {
        let env = Map(
            HashMap::from([
                ("empty", XValue::empty()),
                ("zero", XValue::Num(0.0)),
                ("n", XValue::Num(5.0)),
                ("multi", XValue::Str("tv fridge".into())),
                (
                    "dob",
                    XValue::Date(NaiveDate::from_ymd_opt(1990, 6, 1).unwrap()),
                ),
                (
                    "incomes",
                    XValue::Nodes(vec![XValue::Num(10.0), XValue::Str("5".into())]),
                ),
                (
                    "gappy",
                    XValue::Nodes(vec![XValue::Num(10.0), XValue::empty()]),
                ),
            ]),
            XValue::Str("35202-1234567-1".into()),
        );
        eval(&parse(src).unwrap(), &env)
    }

    fn b(src: &str) -> bool {
        ev(src).to_bool()
    }

    #[test]
    fn empty_versus_zero() {
        assert!(!b("${empty} = 0"));
        assert!(b("${empty} = ''"));
        assert!(!b("${empty} < 5") && !b("${empty} >= 5"));
        assert!(b("${empty} != 0"));
        assert!(ev("${empty} + 1").to_num().is_nan());
        assert!(b("${zero} = 0") && !b("${zero} = ''"));
        assert!(!b("${zero}"), "0 is false");
        assert_eq!(ev("coalesce(${empty}, 7)").to_num(), 7.0);
        assert_eq!(ev("coalesce(${zero}, 7)").to_num(), 0.0);
    }

    #[test]
    fn selects_and_strings() {
        assert!(b("selected(${multi}, 'fridge')"));
        assert!(!b("selected(${multi}, 'fri')"));
        assert!(!b("selected(${empty}, 'tv')"));
        assert_eq!(ev("count-selected(${multi})").to_num(), 2.0);
        assert_eq!(ev("count-selected(${empty})").to_num(), 0.0);
        assert_eq!(ev("string-length('نام')").to_num(), 3.0);
        assert!(b("regex(., '^[0-9]{5}-?[0-9]{7}-?[0-9]$')"));
        assert!(!b("regex('1234', '^[0-9]{5}$')"));
        assert_eq!(ev("concat('a', 1, ${empty}, 2.5)").to_text(), "a12.5");
    }

    #[test]
    fn numbers_and_dates() {
        assert_eq!(ev("7 div 2").to_num(), 3.5);
        assert_eq!(ev("7 mod 3").to_num(), 1.0);
        assert_eq!(ev("int(-3.7)").to_num(), -3.0);
        assert_eq!(ev("round(2.5)").to_num(), 3.0);
        assert_eq!(ev("round(2.71828, 2)").to_num(), 2.72);
        assert_eq!(ev("int((today() - ${dob}) div 365.25)").to_num(), 35.0);
        assert!(b("${dob} < date('2000-01-01')"));
        assert!(b("${dob} < '2000-01-01'"), "date strings compare as dates");
        assert!(b("today() = date('2025-06-01')"));
        assert_eq!(ev("date('2020-01-01') + 1").to_num(), 18263.0);
        assert_eq!(ev("if(${n} > 3, 'big', 'small')").to_text(), "big");
        assert!(b("not(${empty})"));
        assert_eq!(ev("position(..)").to_num(), 2.0);
    }

    #[test]
    fn aggregates() {
        assert_eq!(ev("sum(${incomes})").to_num(), 15.0);
        assert_eq!(ev("count(${incomes})").to_num(), 2.0);
        assert!(
            ev("sum(${gappy})").to_num().is_nan(),
            "JavaRosa: empty in sum is NaN"
        );
        assert_eq!(ev("max(${incomes})").to_num(), 10.0);
    }
}
