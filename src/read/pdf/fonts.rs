//! A PDF font as text extraction needs it: how a shown string splits into codes, each
//! code's Unicode text, and each code's advance width (PDF 32000-1 §9.6–9.7).
//!
//! Owns: code lengths (one byte for simple fonts; two for `Identity-H` and the UCS-2
//! CMaps; one or two, by lead byte, for the GB EUC / GBK CMaps), widths from `/Widths`
//! and `/MissingWidth`, or CID `/W` and `/DW`, and Type 3's `/FontMatrix`.
//! Never: reads glyph outlines or embedded font programs. Unicode comes from lopdf's
//! reading of the font's `ToUnicode` CMap or `/Encoding`; a code it cannot map is
//! [`UNMAPPED`], never a guess. A predefined CMap other than Identity maps codes to CIDs
//! through tables we do not ship, so there widths are taken as an em for wide
//! characters and half an em for others, which is enough for finding gaps.

use lopdf::{Dictionary, Document, Encoding, Object};
use unicode_width::UnicodeWidthStr;

use crate::input::MAX_REPORT_BYTES;

/// The text of a code the font gives no Unicode for.
pub(super) const UNMAPPED: &str = "\u{fffd}";

/// Entries of a CID font's `/W` read at most (a full CJK font has some 30,000 glyphs).
const MAX_WIDTH_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codes {
    One,
    Two,
    /// GB EUC / GBK: a lead byte 0x81–0xFE starts a two-byte code.
    Gbk,
}

enum Widths {
    Simple {
        first: u32,
        widths: Vec<f64>,
        missing: f64,
    },
    /// Sorted, non-overlapping `(first, last, width)` ranges; `identity` when codes are
    /// CIDs (`Identity-H` / `-V`), so that the ranges apply to them.
    Cid {
        ranges: Vec<(u32, u32, f64)>,
        default: f64,
        identity: bool,
    },
}

pub(super) struct Font<'a> {
    codes: Codes,
    encoding: Option<Encoding<'a>>,
    widths: Widths,
    /// Glyph space to text space: 1/1000, or Type 3's `/FontMatrix`.
    scale: f64,
}

impl<'a> Font<'a> {
    /// Reads the font; never fails: what cannot be read gives unmapped codes and default
    /// widths.
    pub(super) fn load(doc: &'a Document, font: &'a Dictionary) -> Font<'a> {
        let subtype = name(doc, font, b"Subtype").unwrap_or_default();
        let cmap = name(doc, font, b"Encoding").unwrap_or_default();
        let type0 = subtype == b"Type0";
        let codes = if !type0 {
            Codes::One
        } else if is_gbk_cmap(&cmap) {
            Codes::Gbk
        } else {
            Codes::Two
        };
        let identity = cmap.starts_with(b"Identity");
        // A `ToUnicode` CMap is the producer's own word on what each code means, so it
        // wins over `/Encoding` (lopdf reads `/Encoding` first, and for a Type0 font only
        // knows the UCS-2 CMaps); GBK codes are GBK bytes.
        let encoding = match to_unicode(doc, font) {
            Some(map) => Some(map),
            None if codes == Codes::Gbk || (type0 && !cmap.starts_with(b"Uni")) => None,
            None => font
                .get_font_encoding_with_limit(doc, MAX_REPORT_BYTES as usize)
                .ok(),
        };
        let widths = if type0 {
            cid_widths(doc, font, identity)
        } else {
            simple_widths(doc, font)
        };
        let scale = if subtype == b"Type3" {
            get(doc, font, b"FontMatrix")
                .and_then(|m| m.as_array().ok())
                .and_then(|m| m.first())
                .and_then(number)
                .filter(|s| s.is_finite() && *s != 0.0)
                .unwrap_or(0.001)
        } else {
            0.001
        };
        Font {
            codes,
            encoding,
            widths,
            scale,
        }
    }

    /// Calls `f(text, width in text space per unit of font size, is the one-byte code
    /// 32 that word spacing applies to)` for each code of `bytes`; a trailing partial code
    /// is dropped.
    pub(super) fn each(&self, bytes: &[u8], mut f: impl FnMut(String, f64, bool)) {
        let mut i = 0;
        while i < bytes.len() {
            let len = match self.codes {
                Codes::One => 1,
                Codes::Two => 2,
                Codes::Gbk if (0x81..=0xfe).contains(&bytes[i]) => 2,
                Codes::Gbk => 1,
            };
            let Some(code_bytes) = bytes.get(i..i + len) else {
                break;
            };
            i += len;
            let code = code_bytes
                .iter()
                .fold(0u32, |c, b| (c << 8) | u32::from(*b));
            let text = self.text(code, code_bytes);
            let width = self.width(code, &text) * self.scale;
            f(text, width, len == 1 && code == 32);
        }
    }

    fn text(&self, code: u32, bytes: &[u8]) -> String {
        let text = match (&self.encoding, self.codes) {
            (None, Codes::Gbk) => {
                // Adobe-GB1's EUC / GBK CMaps take GBK byte sequences as their codes.
                let (text, _, bad) = encoding_rs::GBK.decode(bytes);
                (!bad).then(|| text.into_owned())
            }
            (None, _) => None,
            (Some(Encoding::UnicodeMapEncoding(map)), _) => map
                .get(code, bytes.len() as u8)
                .map(|units| String::from_utf16_lossy(&units)),
            (Some(encoding), _) => encoding.bytes_to_string(bytes).ok(),
        };
        match text {
            Some(t) if !t.is_empty() && !t.chars().all(|c| c.is_control() && c != '\t') => t,
            Some(t) if t.is_empty() && self.codes == Codes::One => String::new(),
            _ => UNMAPPED.to_string(),
        }
    }

    /// Width in glyph space (thousandths of an em for all but Type 3).
    fn width(&self, code: u32, text: &str) -> f64 {
        match &self.widths {
            Widths::Simple {
                first,
                widths,
                missing,
            } => code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .unwrap_or(*missing),
            Widths::Cid {
                ranges,
                default,
                identity: true,
            } => {
                let i = ranges.partition_point(|r| r.1 < code);
                match ranges.get(i) {
                    Some(&(lo, hi, w)) if lo <= code && code <= hi => w,
                    _ => *default,
                }
            }
            Widths::Cid { .. } if text.width() >= 2 => 1000.0,
            Widths::Cid { .. } => 500.0,
        }
    }
}

/// The font's `ToUnicode` CMap as lopdf reads it, bounded like every stream.
fn to_unicode<'a>(doc: &Document, font: &Dictionary) -> Option<Encoding<'a>> {
    if !font.has(b"ToUnicode") {
        return None;
    }
    let mut only_map = font.clone();
    only_map.remove(b"Encoding");
    only_map.set("Type", Object::Name(b"Font".to_vec()));
    match only_map.get_font_encoding_with_limit(doc, MAX_REPORT_BYTES as usize) {
        Ok(Encoding::UnicodeMapEncoding(map)) => Some(Encoding::UnicodeMapEncoding(map)),
        _ => None,
    }
}

fn is_gbk_cmap(name: &[u8]) -> bool {
    [
        &b"GB-EUC-"[..],
        b"GBpc-EUC-",
        b"GBK-EUC-",
        b"GBKp-EUC-",
        b"GBK2K-",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

fn simple_widths(doc: &Document, font: &Dictionary) -> Widths {
    let first = get(doc, font, b"FirstChar")
        .and_then(number)
        .filter(|f| (0.0..=255.0).contains(f))
        .unwrap_or(0.0) as u32;
    let widths: Vec<f64> = get(doc, font, b"Widths")
        .and_then(|w| w.as_array().ok())
        .map(|w| {
            w.iter()
                .take(256)
                .map(|o| deref(doc, o).and_then(number).unwrap_or(0.0))
                .collect()
        })
        .unwrap_or_default();
    let descriptor = get(doc, font, b"FontDescriptor").and_then(|d| d.as_dict().ok());
    let missing = descriptor
        .and_then(|d| get(doc, d, b"MissingWidth"))
        .and_then(number)
        // A standard 14 font without /Widths: an average Latin glyph.
        .unwrap_or(if widths.is_empty() { 500.0 } else { 0.0 });
    Widths::Simple {
        first,
        widths,
        missing,
    }
}

fn cid_widths(doc: &Document, font: &Dictionary, identity: bool) -> Widths {
    let descendant = get(doc, font, b"DescendantFonts")
        .and_then(|d| d.as_array().ok())
        .and_then(|d| d.first())
        .and_then(|d| deref(doc, d))
        .and_then(|d| d.as_dict().ok());
    let default = descendant
        .and_then(|d| get(doc, d, b"DW"))
        .and_then(number)
        .unwrap_or(1000.0);
    let mut ranges = Vec::new();
    let w = descendant
        .and_then(|d| get(doc, d, b"W"))
        .and_then(|w| w.as_array().ok());
    if let Some(w) = w {
        let mut items = w.iter().map(|o| deref(doc, o)).take(MAX_WIDTH_ENTRIES);
        while let Some(Some(first)) = items.next() {
            let Some(first) = number(first).filter(|f| *f >= 0.0) else {
                break;
            };
            let first = first as u32;
            match items.next().flatten() {
                Some(Object::Array(list)) => {
                    for (i, w) in list.iter().take(MAX_WIDTH_ENTRIES).enumerate() {
                        let w = deref(doc, w).and_then(number).unwrap_or(default);
                        let cid = first.saturating_add(i as u32);
                        ranges.push((cid, cid, w));
                    }
                }
                Some(last) => {
                    let (Some(last), Some(Some(w))) =
                        (number(last), items.next().map(|w| w.and_then(number)))
                    else {
                        break;
                    };
                    if last >= f64::from(first) {
                        ranges.push((first, last.min(f64::from(u32::MAX)) as u32, w));
                    }
                }
                None => break,
            }
        }
    }
    ranges.sort_by_key(|r| (r.0, r.1));
    // Overlaps (invalid, but seen) would break the binary search: the first wins.
    let mut kept: Vec<(u32, u32, f64)> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match kept.last() {
            Some(last) if r.0 <= last.1 => {}
            _ => kept.push(r),
        }
    }
    Widths::Cid {
        ranges: kept,
        default,
        identity,
    }
}

/// A number operand or entry.
pub(super) fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)).filter(|r| r.is_finite()),
        _ => None,
    }
}

/// One level of indirection followed (a reference to a reference is not a PDF anyone writes).
pub(super) fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        o => Some(o),
    }
}

pub(super) fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().and_then(|o| deref(doc, o))
}

fn name(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<Vec<u8>> {
    get(doc, dict, key)
        .and_then(|o| o.as_name().ok())
        .map(<[u8]>::to_vec)
}
