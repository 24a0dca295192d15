//! Exact numbers: parsing what people type or paste (`1,725`, `１７２５`, ` 2354.48 `),
//! checking it against a metric's kind, and formatting it back. No `f64` anywhere: values
//! are [`Decimal`]s, stored by the store as integers scaled by the metric's places. Also the
//! change on last year in words ([`yoy_phrase`], 同比增长…), which the compiler prints and
//! the checks quote.

use rust_decimal::Decimal;
use thiserror::Error;

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
}

/// Normalises typed text: full-width digits and signs to ASCII, surrounding and inner
/// spaces removed, thousands separators (`,` `，`) removed. Returns the canonical text
/// that is then parsed strictly.
pub fn normalize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        let c = match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            '－' | '−' => '-',
            '＋' => '+',
            _ => c,
        };
        if c.is_whitespace() || c == ',' || c == '，' || c == '\u{3000}' {
            continue;
        }
        out.push(c);
    }
    out
}

/// Parses typed text as a value of `kind`: normalised, then strictly a decimal number
/// (optional sign, digits, optional fraction). Anything else — `约800`, `800余`, `1e3`,
/// `12.5%` — is refused with the reason. The result keeps the scale the user typed.
pub fn parse(input: &str, kind: ValueKind) -> Result<Decimal, ValueError> {
    let text = normalize(input);
    let shown = input.trim().to_string();
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
}
