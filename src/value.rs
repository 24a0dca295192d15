//! Exact numbers: parsing what people type or paste (`1,725`, `１７２５`, ` 2354.48 `),
//! checking it against a metric's kind, and formatting it back. No `f64` anywhere: values
//! are [`Decimal`]s, stored by the store as integers scaled by the metric's places. Also the
//! change on last year in words ([`yoy_phrase`], 同比增长…), which the compiler prints and
//! the checks quote.
//!
//! Commas: `,` and `，` are read as thousands separators only where they cannot mean
//! anything else — between groups of exactly three digits in the integer part (`1,725`,
//! `12,345.6`, `1,234,567`). `1,5` (a European decimal comma?), `12,34`, `1,2345`, `,5`
//! and `1,,725` are refused as ambiguous rather than guessed into 15 or 1234.
//!
//! Numbers that arrive as binary doubles (an xlsx number cell) are parsed with
//! [`parse_binary`]: the shortest decimal that round-trips is taken, and when that has
//! more places than the metric allows (`0.30000000000000004` for a two-place amount) the
//! value is refused, never rounded.
//!
//! User text quoted back in an error goes through [`crate::input::excerpt`].

use rust_decimal::Decimal;
use thiserror::Error;

use crate::input::excerpt;
use crate::model::ValueKind;

/// Why a typed value was refused. The `Display` text is plain Chinese, shown as is in
/// the UI and the import report.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValueError {
    #[error("不是数字：“{0}”（只能填写数字，如 1725 或 2354.48）")]
    NotANumber(String),
    #[error("不能为负数：{0}")]
    Negative(String),
    #[error("应为整数：{0}")]
    NotInteger(String),
    #[error("小数位数过多：{value}（最多 {places} 位）")]
    TooManyPlaces { value: String, places: u32 },
    #[error("数值过大：{0}")]
    TooLarge(String),
    #[error(
        "逗号用法不明确：“{0}”（逗号只能作千位分隔符，用在整数部分每三位之间，如 1,725 或 12,345.6；小数请用小数点，如 1.5）"
    )]
    AmbiguousComma(String),
    #[error(
        "单元格中的数值 {value} 是二进制浮点数，小数位数多于指标允许的 {places} 位，不会自动四舍五入：请在 Excel/WPS 中把该单元格改为准确的数值（或用 ROUND 函数）后再导入"
    )]
    BinaryFloat { value: String, places: u32 },
}

/// Normalises typed text: full-width digits and signs to ASCII, surrounding and inner
/// spaces removed, thousands separators (`,` `，`) removed. Returns the canonical text
/// used to compare numbers (the report reader); [`parse`] also checks where the commas
/// were before it trusts this.
pub fn normalize(input: &str) -> String {
    fold(input).chars().filter(|&c| !is_comma(c)).collect()
}

/// Full-width digits, signs and points to ASCII, whitespace removed; commas kept.
fn fold(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            '－' | '−' => '-',
            '＋' => '+',
            '，' => ',',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn is_comma(c: char) -> bool {
    c == ',' || c == '，'
}

/// Whether the commas of `folded` (after [`fold`]) are all thousands separators: only in
/// the integer part, each followed by exactly three digits, the first group 1–3 digits.
fn commas_are_thousands(folded: &str) -> bool {
    let body = folded.strip_prefix(['+', '-']).unwrap_or(folded);
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    if frac_part.contains(',') {
        return false;
    }
    if !int_part.contains(',') {
        return true;
    }
    let mut groups = int_part.split(',');
    let first = groups.next().unwrap_or_default();
    (1..=3).contains(&first.len())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses typed text as a value of `kind`: normalised, then strictly a decimal number
/// (optional sign, digits, optional fraction). Anything else — `约800`, `800余`, `1e3`,
/// `12.5%` — is refused with the reason. The result keeps the scale the user typed.
pub fn parse(input: &str, kind: ValueKind) -> Result<Decimal, ValueError> {
    let folded = fold(input);
    let shown = excerpt(input);
    if !commas_are_thousands(&folded) {
        return Err(ValueError::AmbiguousComma(shown));
    }
    let text: String = folded.chars().filter(|&c| !is_comma(c)).collect();
    let body = text.strip_prefix(['+', '-']).unwrap_or(&text);
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok(int_part) || frac_part.is_some_and(|f| !digits_ok(f)) {
        return Err(ValueError::NotANumber(shown));
    }
    let value: Decimal = text
        .parse()
        .map_err(|_| ValueError::TooLarge(shown.clone()))?;
    if value.is_sign_negative() && !value.is_zero() && !matches!(kind, ValueKind::Ratio { .. }) {
        return Err(ValueError::Negative(shown));
    }
    let places = kind.places();
    let frac_digits = frac_part.map_or(0, |f| f.trim_end_matches('0').len() as u32);
    if frac_digits > places {
        return Err(if places == 0 {
            ValueError::NotInteger(shown)
        } else {
            ValueError::TooManyPlaces {
                value: shown,
                places,
            }
        });
    }
    // Fits the store's scaled i64?
    to_scaled(value, places).ok_or(ValueError::TooLarge(shown))?;
    Ok(value.normalize())
}

/// Parses a number that was a binary double (an xlsx number cell), given as Rust's
/// shortest round-trip text of it (`{}` of the `f64`): like [`parse`], but a value
/// with more places than `kind` allows is refused as a binary float, not rounded.
pub fn parse_binary(text: &str, kind: ValueKind) -> Result<Decimal, ValueError> {
    parse(text, kind).map_err(|e| match e {
        ValueError::NotInteger(value) | ValueError::TooManyPlaces { value, .. } => {
            ValueError::BinaryFloat {
                value,
                places: kind.places(),
            }
        }
        other => other,
    })
}

/// `value × 10^places` as an integer, or `None` when it has more places or does not fit.
pub fn to_scaled(value: Decimal, places: u32) -> Option<i64> {
    let scaled = value.checked_mul(Decimal::from(10i64.checked_pow(places)?))?;
    if scaled.fract() != Decimal::ZERO {
        return None;
    }
    i64::try_from(scaled).ok()
}

/// Inverse of [`to_scaled`].
pub fn from_scaled(scaled: i64, places: u32) -> Decimal {
    Decimal::new(scaled, places).normalize()
}

/// Formats a value for a report: counts bare (`1725`), amounts and ratios with exactly
/// `places` decimals (`2354.48`, `98.1`). Rounds half away from zero only when the value
/// has more places than asked for — callers ask for fewer places only for display of
/// derived figures, never for stored ones.
pub fn format(value: Decimal, places: u32) -> String {
    let v =
        value.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let mut s = v.to_string();
    if places > 0 {
        let have = s.split_once('.').map_or(0, |(_, f)| f.len() as u32);
        if have == 0 {
            s.push('.');
        }
        for _ in have..places {
            s.push('0');
        }
    }
    s
}

/// Formats a stored value exactly as entered, without padding or rounding (`2354.48`,
/// `24252.311082`, `1725`): the form used in exports meant for re-import.
pub fn format_exact(value: Decimal) -> String {
    value.normalize().to_string()
}

/// The change on last year in words.
pub fn yoy_phrase(this: Decimal, prev: Decimal, places: u32) -> String {
    if prev.is_zero() {
        return if this.is_zero() {
            "与上年持平".into()
        } else {
            "上年为0".into()
        };
    }
    let pct = (this - prev) / prev.abs() * Decimal::ONE_HUNDRED;
    let rounded =
        pct.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        "与上年持平".into()
    } else if rounded > Decimal::ZERO {
        format!("同比增长{}%", format(rounded, places))
    } else {
        format!("同比下降{}%", format(-rounded, places))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNT: ValueKind = ValueKind::Count;
    const MONEY: ValueKind = ValueKind::Amount { places: 2 };

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn accepts_what_people_type_and_normalises_it() {
        assert_eq!(parse("1,725", COUNT), Ok(d("1725")));
        assert_eq!(parse("１７２５", COUNT), Ok(d("1725")));
        assert_eq!(parse("  1725 ", COUNT), Ok(d("1725")));
        assert_eq!(parse("1，725", COUNT), Ok(d("1725")));
        assert_eq!(parse("2354.48", MONEY), Ok(d("2354.48")));
        assert_eq!(parse("2354.4", MONEY), Ok(d("2354.4")));
        assert_eq!(parse("12.00", COUNT), Ok(d("12")));
        assert_eq!(parse("0", COUNT), Ok(d("0")));
    }

    #[test]
    fn refuses_text_negatives_and_extra_places_with_reasons() {
        assert!(matches!(
            parse("约800", COUNT),
            Err(ValueError::NotANumber(_))
        ));
        assert!(matches!(
            parse("800余", COUNT),
            Err(ValueError::NotANumber(_))
        ));
        assert!(matches!(parse("", COUNT), Err(ValueError::NotANumber(_))));
        assert!(matches!(
            parse("1e3", COUNT),
            Err(ValueError::NotANumber(_))
        ));
        assert!(matches!(parse("-3", COUNT), Err(ValueError::Negative(_))));
        assert!(matches!(
            parse("1.5", COUNT),
            Err(ValueError::NotInteger(_))
        ));
        assert!(matches!(
            parse("2354.481", MONEY),
            Err(ValueError::TooManyPlaces { places: 2, .. })
        ));
        assert!(matches!(
            parse("99999999999999999999", COUNT),
            Err(ValueError::TooLarge(_))
        ));
        assert_eq!(
            parse("约800", COUNT).unwrap_err().to_string(),
            "不是数字：“约800”（只能填写数字，如 1725 或 2354.48）"
        );
    }

    #[test]
    fn commas_only_as_thousands_separators() {
        for (s, v) in [
            ("1,725", "1725"),
            ("12,345.6", "12345.6"),
            ("1,234,567", "1234567"),
            ("１，７２５", "1725"),
            ("-1,725.50", "-1725.5"),
        ] {
            assert_eq!(parse(s, ValueKind::Ratio { places: 2 }), Ok(d(v)), "{s}");
        }
        for s in [
            "1,5", "12,34", "1,2345", ",5", "1,,725", "1,725,", "1.5,0", "1234,567",
        ] {
            assert_eq!(
                parse(s, MONEY),
                Err(ValueError::AmbiguousComma(s.to_string())),
                "{s}"
            );
        }
        assert!(
            parse("1,5", MONEY)
                .unwrap_err()
                .to_string()
                .starts_with("逗号用法不明确：“1,5”")
        );
    }

    #[test]
    fn binary_floats_are_taken_exactly_or_refused_never_rounded() {
        let f = 0.1f64 + 0.2;
        let err = parse_binary(&f.to_string(), MONEY).unwrap_err();
        assert_eq!(
            err,
            ValueError::BinaryFloat {
                value: "0.30000000000000004".into(),
                places: 2
            }
        );
        assert!(err.to_string().contains("二进制浮点数"), "{err}");
        assert_eq!(parse_binary(&1725.0f64.to_string(), COUNT), Ok(d("1725")));
        assert_eq!(
            parse_binary(&2354.48f64.to_string(), MONEY),
            Ok(d("2354.48"))
        );
        assert!(matches!(
            parse_binary("1.5", COUNT),
            Err(ValueError::BinaryFloat { places: 0, .. })
        ));
    }

    #[test]
    fn long_input_is_quoted_short() {
        let long = "1".repeat(1_000_000) + "x";
        let message = parse(&long, COUNT).unwrap_err().to_string();
        assert!(message.len() < 300, "{}", message.len());
        assert!(message.contains("共 1000001 个字符"), "{message}");
    }

    #[test]
    fn scaled_integers_round_trip_exactly() {
        for (s, places) in [
            ("2354.48", 2),
            ("24252.311082", 6),
            ("1725", 0),
            ("0.01", 2),
        ] {
            let v = d(s);
            let scaled = to_scaled(v, places).unwrap();
            assert_eq!(format_exact(from_scaled(scaled, places)), s);
        }
        assert_eq!(to_scaled(d("1.234"), 2), None);
    }

    #[test]
    fn formats_for_reports() {
        assert_eq!(format(d("1725"), 0), "1725");
        assert_eq!(format(d("2354.48"), 2), "2354.48");
        assert_eq!(format(d("2354.4"), 2), "2354.40");
        assert_eq!(format(d("98.127"), 1), "98.1");
        assert_eq!(format(d("98.15"), 1), "98.2");
        assert_eq!(format(d("98"), 1), "98.0");
    }

    #[test]
    fn year_on_year_phrases() {
        assert_eq!(yoy_phrase(d("112.3"), d("100"), 1), "同比增长12.3%");
        assert_eq!(yoy_phrase(d("96"), d("100"), 1), "同比下降4.0%");
        assert_eq!(yoy_phrase(d("100"), d("100"), 1), "与上年持平");
        assert_eq!(yoy_phrase(d("100001"), d("100000"), 1), "与上年持平");
        assert_eq!(yoy_phrase(d("5"), d("0"), 1), "上年为0");
        assert_eq!(yoy_phrase(d("0"), d("0"), 1), "与上年持平");
    }

    /// Fuzz: arbitrary text never panics; what is accepted round-trips through
    /// [`format_exact`] and has no more places than the kind allows.
    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        fn kinds() -> impl Strategy<Value = ValueKind> {
            prop_oneof![
                Just(ValueKind::Count),
                (0u32..=6).prop_map(|places| ValueKind::Amount { places }),
                (0u32..=3).prop_map(|places| ValueKind::Ratio { places }),
            ]
        }

        /// Mostly number-like text: digits (both widths), signs, points, commas, spaces.
        fn texts() -> impl Strategy<Value = String> {
            prop_oneof!["[-+ 0-9０-９,，.．。]{0,24}", any::<String>(),]
        }

        fn accepted_is_exact(text: &str, kind: ValueKind, parsed: Decimal) {
            let again = parse(&format_exact(parsed), kind);
            assert_eq!(again, Ok(parsed), "{text:?} → {parsed}");
            assert!(
                parsed.normalize().scale() <= kind.places(),
                "{text:?} → {parsed}"
            );
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn parse_never_panics_and_accepted_values_round_trip(
                text in texts(),
                kind in kinds(),
            ) {
                let _ = normalize(&text);
                if let Ok(v) = parse(&text, kind) {
                    accepted_is_exact(&text, kind, v);
                }
                if let Ok(v) = parse_binary(&text, kind) {
                    accepted_is_exact(&text, kind, v);
                }
            }

            #[test]
            fn doubles_are_taken_exactly_or_refused(f in any::<f64>(), kind in kinds()) {
                if let Ok(v) = parse_binary(&f.to_string(), kind) {
                    accepted_is_exact(&f.to_string(), kind, v);
                    // The shortest text of the double, exactly: nothing rounded.
                    let back: f64 = format_exact(v).parse().unwrap();
                    prop_assert_eq!(back, f);
                }
            }
        }
    }
}
