//! Lexer and Pratt parser for the ODK XPath subset.
//!
//! Binding powers, loosest first: `or`, `and`, `= !=`, `< <= > >=`, `+ -`, `* div mod`, unary `-`.

use super::func::Func;
use std::fmt;

/// Where and why an expression does not parse. `position` is the 1-based character column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based character position in the expression.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.position, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `div`
    Div,
    /// `mod`
    Mod,
}

/// A compiled regular expression that compares by its pattern (so that forms compare equal).
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// The syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number literal.
    Number(f64),
    /// A string literal.
    Text(String),
    /// `${name}`
    Ref(String),
    /// `.`, the question being checked.
    Current,
    /// `..`, only as the argument of `position()`.
    Parent,
    /// A bare name: a column of the choice being filtered (only in `choice_filter`).
    ChoiceColumn(String),
    /// Unary minus.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A function call.
    Call(Func, Vec<Expr>),
    /// `regex(s, 'literal')`, compiled when the form loads.
    RegexLiteral(Box<Expr>, Pattern),
}

impl Expr {
    pub(crate) fn references<'a>(&'a self, in_agg: bool, out: &mut Vec<(&'a str, bool)>) {
        match self {
            Expr::Ref(n) => out.push((n.as_str(), in_agg)),
            Expr::Neg(e) | Expr::RegexLiteral(e, _) => e.references(in_agg, out),
            Expr::Binary(_, a, b) => {
                a.references(in_agg, out);
                b.references(in_agg, out);
            }
            Expr::Call(f, args) => {
                for (i, a) in args.iter().enumerate() {
                    // `indexed-repeat()` names a question and its repeat from anywhere, like an
                    // aggregate does; `distance()` and `area()` read a repeat's geopoints.
                    let across_rows = f.is_aggregate()
                        || (*f == Func::IndexedRepeat && (i == 0 || i % 2 == 1))
                        || matches!(f, Func::Distance | Func::Area);
                    a.references(in_agg || across_rows, out);
                }
            }
            _ => {}
        }
    }

    /// Visits every node (used to check where `.`, `..` and bare names may appear).
    pub fn any(&self, pred: &mut dyn FnMut(&Expr) -> bool) -> bool {
        if pred(self) {
            return true;
        }
        match self {
            Expr::Neg(e) | Expr::RegexLiteral(e, _) => e.any(pred),
            Expr::Binary(_, a, b) => a.any(pred) || b.any(pred),
            Expr::Call(_, args) => args.iter().any(|a| a.any(pred)),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ref(String),
    Name(String),
    Dot,
    DotDot,
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    End,
}

fn err(position: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        position,
        message: message.into(),
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == ':'
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '*' => Some(Tok::Star),
            '=' => Some(Tok::Eq),
            _ => None,
        };
        if let Some(t) = single {
            out.push((t, pos));
            i += 1;
            continue;
        }
        match c {
            '!' | '<' | '>' => {
                let eq = chars.get(i + 1) == Some(&'=');
                let t = match (c, eq) {
                    ('!', true) => Tok::Ne,
                    ('!', false) => return Err(err(pos, "`!` must be followed by `=`")),
                    ('<', true) => Tok::Le,
                    ('<', false) => Tok::Lt,
                    ('>', true) => Tok::Ge,
                    _ => Tok::Gt,
                };
                out.push((t, pos));
                i += if eq { 2 } else { 1 };
            }
            '\'' | '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&d| d == c)
                    .ok_or_else(|| err(pos, "unterminated string"))?;
                let s: String = chars[i + 1..i + 1 + end].iter().collect();
                out.push((Tok::Str(s), pos));
                i += end + 2;
            }
            '$' => {
                if chars.get(i + 1) != Some(&'{') {
                    return Err(err(pos, "`$` must start a `${name}` reference"));
                }
                let end = chars[i + 2..]
                    .iter()
                    .position(|&d| d == '}')
                    .ok_or_else(|| err(pos, "`${` without a closing `}`"))?;
                let name: String = chars[i + 2..i + 2 + end].iter().collect();
                if name.is_empty() || !name.chars().all(is_name_char) {
                    return Err(err(pos, format!("`${{{name}}}` is not a valid reference")));
                }
                out.push((Tok::Ref(name), pos));
                i += end + 3;
            }
            '.' if chars.get(i + 1) == Some(&'.') => {
                out.push((Tok::DotDot, pos));
                i += 2;
            }
            '.' if !chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                out.push((Tok::Dot, pos));
                i += 1;
            }
            c if c.is_ascii_digit() || c == '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                let n = s
                    .parse::<f64>()
                    .map_err(|_| err(pos, format!("`{s}` is not a number")))?;
                out.push((Tok::Num(n), pos));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && is_name_char(chars[i]) {
                    i += 1;
                }
                out.push((Tok::Name(chars[start..i].iter().collect()), pos));
            }
            other => return Err(err(pos, format!("unexpected character `{other}`"))),
        }
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    depth: usize,
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.at.min(self.toks.len() - 1)].0
    }
    fn pos(&self) -> usize {
        self.toks[self.at.min(self.toks.len() - 1)].1
    }
    fn next(&mut self) -> (Tok, usize) {
        let t = self.toks[self.at.min(self.toks.len() - 1)].clone();
        self.at += 1;
        t
    }
    fn expect(&mut self, want: &Tok, what: &str) -> Result<(), ParseError> {
        if self.peek() == want {
            self.at += 1;
            Ok(())
        } else {
            Err(err(self.pos(), format!("expected {what}")))
        }
    }

    fn infix(&self) -> Option<(BinOp, u8, u8)> {
        let op = match self.peek() {
            Tok::Name(n) if n == "or" => BinOp::Or,
            Tok::Name(n) if n == "and" => BinOp::And,
            Tok::Eq => BinOp::Eq,
            Tok::Ne => BinOp::Ne,
            Tok::Lt => BinOp::Lt,
            Tok::Le => BinOp::Le,
            Tok::Gt => BinOp::Gt,
            Tok::Ge => BinOp::Ge,
            Tok::Plus => BinOp::Add,
            Tok::Minus => BinOp::Sub,
            Tok::Star => BinOp::Mul,
            Tok::Name(n) if n == "div" => BinOp::Div,
            Tok::Name(n) if n == "mod" => BinOp::Mod,
            _ => return None,
        };
        let (l, r) = match op {
            BinOp::Or => (1, 2),
            BinOp::And => (3, 4),
            BinOp::Eq | BinOp::Ne => (5, 6),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => (7, 8),
            BinOp::Add | BinOp::Sub => (9, 10),
            BinOp::Mul | BinOp::Div | BinOp::Mod => (11, 12),
        };
        Some((op, l, r))
    }

    fn expr(&mut self, min_bp: u8) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(self.pos(), "expression nested too deeply"));
        }
        let mut lhs = self.prefix()?;
        while let Some((op, l, r)) = self.infix() {
            if l < min_bp {
                break;
            }
            self.at += 1;
            let rhs = self.expr(r)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn prefix(&mut self) -> Result<Expr, ParseError> {
        let (tok, pos) = self.next();
        match tok {
            Tok::Num(n) => Ok(Expr::Number(n)),
            Tok::Str(s) => Ok(Expr::Text(s)),
            Tok::Ref(r) => Ok(Expr::Ref(r)),
            Tok::Dot => Ok(Expr::Current),
            Tok::DotDot => Err(err(pos, "`..` is only supported as `position(..)`")),
            Tok::Minus => Ok(Expr::Neg(Box::new(self.expr(13)?))),
            Tok::LParen => {
                let e = self.expr(0)?;
                self.expect(&Tok::RParen, "`)`")?;
                Ok(e)
            }
            Tok::Name(name) => {
                if self.peek() == &Tok::LParen {
                    self.at += 1;
                    self.call(&name, pos)
                } else if matches!(name.as_str(), "and" | "or" | "div" | "mod") {
                    Err(err(pos, format!("`{name}` needs a value before it")))
                } else {
                    Ok(Expr::ChoiceColumn(name))
                }
            }
            Tok::End => Err(err(pos, "unexpected end of expression")),
            other => Err(err(pos, format!("unexpected {}", describe(&other)))),
        }
    }

    fn call(&mut self, name: &str, pos: usize) -> Result<Expr, ParseError> {
        let (func, min, max) = Func::lookup(name)
            .ok_or_else(|| err(pos, format!("unsupported function `{name}()`")))?;
        let mut args = Vec::new();
        if self.peek() != &Tok::RParen {
            loop {
                if func == Func::Position && self.peek() == &Tok::DotDot {
                    self.at += 1;
                    args.push(Expr::Parent);
                } else {
                    args.push(self.expr(0)?);
                }
                if self.peek() == &Tok::Comma {
                    self.at += 1;
                } else {
                    break;
                }
            }
        }
        self.expect(&Tok::RParen, "`,` or `)`")?;
        if args.len() < min || max.is_some_and(|m| args.len() > m) {
            let want = match max {
                Some(m) if m == min => format!("{m}"),
                Some(m) => format!("{min} to {m}"),
                None => format!("at least {min}"),
            };
            return Err(err(
                pos,
                format!("`{name}()` takes {want} argument(s), got {}", args.len()),
            ));
        }
        if func == Func::Position && args[0] != Expr::Parent {
            return Err(err(pos, "only `position(..)` is supported"));
        }
        // `min(a, b, ...)` and `max(a, b, ...)` take any values; one argument is a question's rows.
        if func.is_aggregate() && args.len() == 1 && !matches!(args[0], Expr::Ref(_)) {
            return Err(err(
                pos,
                format!("`{name}()` takes a `${{name}}` reference"),
            ));
        }
        if func == Func::ChoiceName {
            args[1] = question_path(&args[1]).ok_or_else(|| {
                err(
                    pos,
                    format!(
                        "`{name}()` takes the question as its second argument, written '${{name}}'"
                    ),
                )
            })?;
        }
        let repeats_named = args
            .iter()
            .enumerate()
            .all(|(i, a)| i % 2 == 0 || matches!(a, Expr::Ref(_)));
        if func == Func::IndexedRepeat
            && (args.len() % 2 == 0 || !matches!(args[0], Expr::Ref(_)) || !repeats_named)
        {
            return Err(err(
                pos,
                format!(
                    "`{name}()` takes `${{question}}, ${{repeat}}, row` and, for a nested repeat, \
                     more `${{repeat}}, row` pairs"
                ),
            ));
        }
        if func == Func::Regex {
            if let Expr::Text(re) = &args[1] {
                let compiled = regex::Regex::new(re)
                    .map_err(|e| err(pos, format!("invalid regular expression: {e}")))?;
                let subject = args.swap_remove(0);
                return Ok(Expr::RegexLiteral(Box::new(subject), Pattern(compiled)));
            }
        }
        Ok(Expr::Call(func, args))
    }
}

/// The question named by `'${name}'` (as pyxform writes `jr:choice-name`'s second argument) or by
/// an unquoted `${name}`, as a reference.
fn question_path(e: &Expr) -> Option<Expr> {
    match e {
        Expr::Ref(_) => Some(e.clone()),
        Expr::Text(t) => {
            let name = t.trim().strip_prefix("${")?.strip_suffix('}')?;
            (!name.is_empty() && name.chars().all(is_name_char))
                .then(|| Expr::Ref(name.to_string()))
        }
        _ => None,
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Str(s) => format!("string '{s}'"),
        Tok::Ref(r) => format!("reference ${{{r}}}"),
        Tok::Name(n) => format!("name `{n}`"),
        Tok::RParen => "`)`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Star => "`*`".into(),
        Tok::Eq => "`=`".into(),
        Tok::Ne => "`!=`".into(),
        Tok::Lt => "`<`".into(),
        Tok::Le => "`<=`".into(),
        Tok::Gt => "`>`".into(),
        Tok::Ge => "`>=`".into(),
        _ => format!("{t:?}"),
    }
}

/// Parses an expression. Errors carry the 1-based character position.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        at: 0,
        depth: 0,
    };
    let e = p.expr(0)?;
    if p.peek() != &Tok::End {
        return Err(err(p.pos(), format!("unexpected {}", describe(p.peek()))));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence() {
        let e = parse("1 + 2 * 3 = 7 and not(${a} = '') or ${b} div 2 mod 3 > 1").unwrap();
        let Expr::Binary(BinOp::Or, l, _) = e else {
            panic!("or is loosest")
        };
        assert!(matches!(*l, Expr::Binary(BinOp::And, _, _)));
        assert_eq!(
            parse("-2 - 3").unwrap(),
            Expr::Binary(
                BinOp::Sub,
                Box::new(Expr::Neg(Box::new(Expr::Number(2.0)))),
                Box::new(Expr::Number(3.0))
            )
        );
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("${a} + ").unwrap_err();
        assert_eq!(e.position, 8);
        let e = parse("foo(1)").unwrap_err();
        assert_eq!(e.position, 1);
        assert!(e.message.contains("unsupported function `foo()`"));
        let e = parse("1 = 'abc").unwrap_err();
        assert_eq!(e.position, 5);
        let e = parse("if(1, 2)").unwrap_err();
        assert!(e.message.contains("takes 3"));
        let e = parse("regex(., '[')").unwrap_err();
        assert!(e.message.contains("invalid regular expression"));
        assert!(parse("position(.)").is_err());
        assert!(parse("sum(1)").is_err());
        assert_eq!(parse("(1").unwrap_err().position, 3);
    }

    #[test]
    fn names_and_paths() {
        assert_eq!(
            parse("count-selected(.)").unwrap(),
            Expr::Call(Func::CountSelected, vec![Expr::Current])
        );
        assert_eq!(
            parse("position(..)").unwrap(),
            Expr::Call(Func::Position, vec![Expr::Parent])
        );
        assert_eq!(
            parse("district = ${province}").unwrap(),
            Expr::Binary(
                BinOp::Eq,
                Box::new(Expr::ChoiceColumn("district".into())),
                Box::new(Expr::Ref("province".into()))
            )
        );
        assert_eq!(parse(".5").unwrap(), Expr::Number(0.5));
    }
}
