//! Formula metrics (`Aggregation::Formula`), e.g. `100 * (1 - food.sampling.unqualified /
//! food.sampling.batches)`: parsed into a small tree and evaluated exactly with
//! [`Decimal`].
//!
//! Hand-written on purpose: the grammar is five operators, parentheses, numbers and metric
//! codes (which contain dots, so they are not identifiers in most expression crates), and
//! the template engine's own expressions (minijinja) compute in `f64`/`i64`, which would
//! turn 98.1274…% into a binary approximation. A recursive-descent parser of fifty lines is
//! smaller than any dependency that would do this exactly.
//!
//! This module only parses and evaluates; it never looks values up itself — the caller
//! passes a closure that resolves metric codes. `check` uses [`Expr::bounds`] to derive
//! catalogue rules such as 不合格批次 ≤ 抽检批次 from `1 - a / b`.

use rust_decimal::Decimal;

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(Decimal),
    Metric(String),
    Neg(Box<Expr>),
    Binary(Box<Expr>, Op, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// Why a formula could not be parsed or evaluated. Messages are plain Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormulaError {
    #[error("公式“{formula}”第 {position} 个字符处有误：{message}")]
    Syntax {
        formula: String,
        position: usize,
        message: String,
    },
    #[error("除数为零")]
    DivisionByZero,
    #[error("计算结果超出范围")]
    Overflow,
}

impl Expr {
    /// Parses `+ - * / ( )`, decimal numbers and metric codes (`[A-Za-z_][A-Za-z0-9_.]*`).
    pub fn parse(formula: &str) -> Result<Expr, FormulaError> {
        let mut p = Parser {
            src: formula,
            chars: formula.char_indices().collect(),
            pos: 0,
        };
        let e = p.sum()?;
        p.skip_space();
        if p.pos < p.chars.len() {
            return Err(p.error("多余的内容"));
        }
        Ok(e)
    }

    /// The metric codes the formula refers to, in order of appearance, without repeats.
    pub fn metrics(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Metric(m) = e
                && !out.contains(&m.as_str())
            {
                out.push(m.as_str());
            }
        });
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Neg(e) => e.walk(f),
            Expr::Binary(a, _, b) => {
                a.walk(f);
                b.walk(f);
            }
            _ => {}
        }
    }

    /// Evaluates exactly; `lookup` gives each metric's value.
    pub fn eval(&self, lookup: &mut impl FnMut(&str) -> Decimal) -> Result<Decimal, FormulaError> {
        Ok(match self {
            Expr::Number(n) => *n,
            Expr::Metric(code) => lookup(code),
            Expr::Neg(e) => -e.eval(lookup)?,
            Expr::Binary(a, op, b) => {
                let (a, b) = (a.eval(lookup)?, b.eval(lookup)?);
                match op {
                    Op::Add => a.checked_add(b).ok_or(FormulaError::Overflow)?,
                    Op::Sub => a.checked_sub(b).ok_or(FormulaError::Overflow)?,
                    Op::Mul => a.checked_mul(b).ok_or(FormulaError::Overflow)?,
                    Op::Div if b.is_zero() => return Err(FormulaError::DivisionByZero),
                    Op::Div => a.checked_div(b).ok_or(FormulaError::Overflow)?,
                }
            }
        })
    }

    /// Bounds the formula implies between its inputs: for every `1 - a / b` (a share
    /// taken away from the whole, as in a pass rate) the pair `(a, b)`, meaning a ≤ b.
    pub fn bounds(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Binary(one, Op::Sub, frac) = e
                && **one == Expr::Number(Decimal::ONE)
                && let Expr::Binary(a, Op::Div, b) = &**frac
                && let (Expr::Metric(a), Expr::Metric(b)) = (&**a, &**b)
            {
                out.push((a.clone(), b.clone()));
            }
        });
        out
    }
}

struct Parser<'a> {
    src: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> FormulaError {
        FormulaError::Syntax {
            formula: self.src.to_string(),
            position: self.pos + 1,
            message: message.to_string(),
        }
    }

    fn skip_space(&mut self) {
        while self
            .chars
            .get(self.pos)
            .is_some_and(|(_, c)| c.is_whitespace())
        {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.get(self.pos).map(|(_, c)| *c)
    }

    fn sum(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.product()?;
        while let Some(c @ ('+' | '-')) = self.peek() {
            self.pos += 1;
            let op = if c == '+' { Op::Add } else { Op::Sub };
            left = Expr::Binary(Box::new(left), op, Box::new(self.product()?));
        }
        Ok(left)
    }

    fn product(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.unary()?;
        while let Some(c @ ('*' | '/')) = self.peek() {
            self.pos += 1;
            let op = if c == '*' { Op::Mul } else { Op::Div };
            left = Expr::Binary(Box::new(left), op, Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FormulaError> {
        match self.peek() {
            Some('-') => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.unary()?)))
            }
            Some('(') => {
                self.pos += 1;
                let e = self.sum()?;
                if self.peek() != Some(')') {
                    return Err(self.error("缺少右括号“)”"));
                }
                self.pos += 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() => {
                let text = self.take_while(|c| c.is_ascii_digit() || c == '.');
                text.parse()
                    .map(Expr::Number)
                    .map_err(|_| self.error("数字有误"))
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                Ok(Expr::Metric(self.take_while(|c| {
                    c.is_ascii_alphanumeric() || c == '_' || c == '.'
                })))
            }
            Some(_) => Err(self.error("应为数字、指标代码或括号")),
            None => Err(self.error("公式不完整")),
        }
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.chars.get(self.pos).is_some_and(|(_, c)| f(*c)) {
            self.pos += 1;
        }
        let from = self.chars[start].0;
        let to = self.chars.get(self.pos).map_or(self.src.len(), |(i, _)| *i);
        self.src[from..to].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn evaluates_the_pass_rate_exactly() {
        let e =
            Expr::parse("100 * (1 - food.sampling.unqualified / food.sampling.batches)").unwrap();
        assert_eq!(
            e.metrics(),
            ["food.sampling.unqualified", "food.sampling.batches"]
        );
        let v = e
            .eval(&mut |code| match code {
                "food.sampling.unqualified" => d("255"),
                _ => d("13618"),
            })
            .unwrap();
        assert_eq!(v.round_dp(1).to_string(), "98.1");
        assert_eq!(
            e.bounds(),
            [(
                "food.sampling.unqualified".to_string(),
                "food.sampling.batches".to_string()
            )]
        );
    }

    #[test]
    fn precedence_unary_minus_and_errors() {
        let e = Expr::parse("-a + 2 * (b - 0.5) / c").unwrap();
        let v = e
            .eval(&mut |c| match c {
                "a" => d("1"),
                "b" => d("3"),
                _ => d("5"),
            })
            .unwrap();
        assert_eq!(v, d("0"));
        assert!(matches!(
            Expr::parse("a / (b"),
            Err(FormulaError::Syntax { .. })
        ));
        assert!(matches!(
            Expr::parse("a +"),
            Err(FormulaError::Syntax { .. })
        ));
        assert!(matches!(
            Expr::parse("a b"),
            Err(FormulaError::Syntax { .. })
        ));
        assert_eq!(
            Expr::parse("a / b").unwrap().eval(&mut |_| Decimal::ZERO),
            Err(FormulaError::DivisionByZero)
        );
    }
}
