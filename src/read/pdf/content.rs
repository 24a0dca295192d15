//! A page's content stream → the glyphs it shows, each with its box in page space, and
//! the straight lines it paints (a table's ruling lines).
//!
//! Owns: the graphics and text state the text operators need (PDF 32000-1 §8.4, §9.3,
//! §9.4: `q`/`Q`/`cm`, `BT`/`ET`, `Tc`/`Tw`/`Tz`/`TL`/`Tf`/`Ts`, `Td`/`TD`/`Tm`/`T*`,
//! `Tj`/`TJ`/`'`/`"`), form XObjects (`Do`, with their `/Matrix` and `/Resources`), the
//! straight segments of painted paths (§8.5: `m`/`l`/`h`/`re`, kept when stroked or
//! filled, dropped by `n`; curves only move the pen), and the work bounds of
//! [`super::Limits`].
//! Never: paints, clips or reads images; glyphs are not checked for being visible (a
//! scan with an invisible OCR layer is read by that layer, as viewers search it), nor
//! segments for their colour or width (a thin filled rectangle, as Word draws a border,
//! gives its edges).

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::fonts::{Font, UNMAPPED, deref, get, number};
use super::{DocumentError, Limits};

/// One glyph shown, in page space (points, y up), turned so that its line runs left to
/// right (see [`super::lines`]).
#[derive(Debug, Clone)]
pub(super) struct Glyph {
    pub x0: f64,
    pub x1: f64,
    /// The baseline.
    pub y: f64,
    /// The font size in page space.
    pub size: f64,
    pub text: String,
    /// Which way the baseline runs: 0 = left to right, 1 = bottom to top, 2, 3 (a page
    /// set sideways by its content rather than by `/Rotate`).
    pub turn: u8,
}

/// A straight segment of a painted path, in page space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Segment {
    pub from: (f64, f64),
    pub to: (f64, f64),
}

/// What one page shows: its glyphs in the order shown, and its painted segments.
#[derive(Debug, Default)]
pub(super) struct Page {
    pub glyphs: Vec<Glyph>,
    pub segments: Vec<Segment>,
}

/// Segments kept a page at most (a page of tables has some thousand).
const MAX_SEGMENTS: usize = 100_000;

/// What has been read so far.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Counts {
    /// Glyphs with Unicode text (spaces included).
    pub mapped: usize,
    /// Glyphs whose font gives no Unicode for them.
    pub unmapped: usize,
    operations: usize,
    content_bytes: usize,
}

type M = [f64; 6];
const IDENTITY: M = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a × b` for PDF's row-vector matrices.
fn mul(a: &M, b: &M) -> M {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &M, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

#[derive(Clone)]
struct State<'a> {
    ctm: M,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
    rise: f64,
    font: Option<Rc<Font<'a>>>,
    size: f64,
}

impl Default for State<'_> {
    fn default() -> Self {
        State {
            ctm: IDENTITY,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
            font: None,
            size: 0.0,
        }
    }
}

/// Graphics states saved deeper than this are not kept (`q` is still matched by `Q`).
const MAX_SAVED: usize = 256;
/// Fonts loaded at most (a report uses a handful).
const MAX_FONTS: usize = 2_000;

pub(super) struct Reader<'a> {
    doc: &'a Document,
    limits: &'a Limits,
    fonts: HashMap<ObjectId, Rc<Font<'a>>>,
    counts: Counts,
    page: Page,
}

impl<'a> Reader<'a> {
    pub(super) fn new(doc: &'a Document, limits: &'a Limits) -> Reader<'a> {
        Reader {
            doc,
            limits,
            fonts: HashMap::new(),
            counts: Counts::default(),
            page: Page::default(),
        }
    }

    pub(super) fn counts(&self) -> Counts {
        self.counts
    }

    /// Bytes of page content still allowed to be decompressed.
    fn content_left(&self) -> usize {
        self.limits
            .content_bytes
            .saturating_sub(self.counts.content_bytes)
    }

    /// The error for page content that would decompress past the limit.
    fn content_too_large(&self) -> DocumentError {
        DocumentError::PdfTooLarge {
            what: "页面内容解压后字节数",
            limit: self.limits.content_bytes,
        }
    }

    /// The glyphs and segments of one page.
    pub(super) fn page(&mut self, page_id: ObjectId) -> Result<Page, DocumentError> {
        let remaining = self.content_left();
        let content = match self.doc.get_page_content_with_limit(page_id, remaining) {
            Ok(c) => c,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => return Err(self.content_too_large()),
            // A page whose content cannot be had shows nothing (as in viewers).
            Err(_) => Vec::new(),
        };
        self.counts.content_bytes += content.len();
        let resources = page_resources(self.doc, page_id);
        self.run(&content, &resources, IDENTITY, 0)?;
        Ok(std::mem::take(&mut self.page))
    }

    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        ctm: M,
        depth: usize,
    ) -> Result<(), DocumentError> {
        let mut state = State {
            ctm,
            ..State::default()
        };
        let mut saved: Vec<State<'a>> = Vec::new();
        let mut unsaved_depth = 0usize;
        let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
        let mut path = Path::default();
        for op in Content::decode_iter(content) {
            // A broken operation ends the stream, as in viewers: what came before stays.
            let Ok(op) = op else { break };
            self.counts.operations += 1;
            if self.counts.operations > self.limits.operations {
                return Err(DocumentError::PdfTooLarge {
                    what: "内容操作数",
                    limit: self.limits.operations,
                });
            }
            let n: Vec<f64> = op.operands.iter().filter_map(number).collect();
            match op.operator.as_str() {
                "q" if saved.len() < MAX_SAVED => saved.push(state.clone()),
                "q" => unsaved_depth += 1,
                "Q" if unsaved_depth > 0 => unsaved_depth -= 1,
                "Q" => {
                    if let Some(s) = saved.pop() {
                        state = s;
                    }
                }
                "cm" if n.len() == 6 => {
                    state.ctm = mul(&[n[0], n[1], n[2], n[3], n[4], n[5]], &state.ctm);
                }
                "BT" => (tm, tlm) = (IDENTITY, IDENTITY),
                "Tc" if n.len() == 1 => state.char_spacing = n[0],
                "Tw" if n.len() == 1 => state.word_spacing = n[0],
                "Tz" if n.len() == 1 => state.scale = n[0] / 100.0,
                "TL" if n.len() == 1 => state.leading = n[0],
                "Ts" if n.len() == 1 => state.rise = n[0],
                "Tf" if n.len() == 1 => {
                    state.size = n[0];
                    state.font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| self.font(resources, name));
                }
                "Td" | "TD" if n.len() == 2 => {
                    if op.operator == "TD" {
                        state.leading = -n[1];
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n[0], n[1]], &tlm);
                    tm = tlm;
                }
                "Tm" if n.len() == 6 => {
                    tlm = [n[0], n[1], n[2], n[3], n[4], n[5]];
                    tm = tlm;
                }
                "T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -state.leading], &tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator == "\"" && n.len() >= 2 {
                        state.word_spacing = n[0];
                        state.char_spacing = n[1];
                    }
                    if op.operator != "Tj" {
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -state.leading], &tlm);
                        tm = tlm;
                    }
                    if let Some(Object::String(bytes, _)) = op.operands.last() {
                        self.show(&state, &mut tm, bytes)?;
                    }
                }
                "TJ" => {
                    let Some(Object::Array(items)) = op.operands.first() else {
                        continue;
                    };
                    for item in items {
                        match item {
                            Object::String(bytes, _) => self.show(&state, &mut tm, bytes)?,
                            item => {
                                if let Some(adjust) = number(item) {
                                    let tx = -adjust / 1000.0 * state.size * state.scale;
                                    tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                }
                            }
                        }
                    }
                }
                "m" if n.len() == 2 => path.move_to(apply(&state.ctm, n[0], n[1])),
                "l" if n.len() == 2 => path.line_to(apply(&state.ctm, n[0], n[1])),
                "c" if n.len() == 6 => path.pen = apply(&state.ctm, n[4], n[5]),
                "v" | "y" if n.len() == 4 => path.pen = apply(&state.ctm, n[2], n[3]),
                "h" => path.close(),
                "re" if n.len() == 4 => {
                    let (x, y, w, h) = (n[0], n[1], n[2], n[3]);
                    path.move_to(apply(&state.ctm, x, y));
                    path.line_to(apply(&state.ctm, x + w, y));
                    path.line_to(apply(&state.ctm, x + w, y + h));
                    path.line_to(apply(&state.ctm, x, y + h));
                    path.close();
                }
                "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" => {
                    if matches!(op.operator.as_str(), "s" | "b" | "b*") {
                        path.close();
                    }
                    let room = MAX_SEGMENTS.saturating_sub(self.page.segments.len());
                    let segments = std::mem::take(&mut path.segments);
                    self.page.segments.extend(segments.into_iter().take(room));
                }
                "n" => path.segments.clear(),
                "Do" => {
                    if let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) {
                        self.form(resources, name, &state.ctm, depth)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Shows `bytes` at `tm`, moving it past them (§9.4.4).
    fn show(&mut self, state: &State<'a>, tm: &mut M, bytes: &[u8]) -> Result<(), DocumentError> {
        let Some(font) = state.font.clone() else {
            return Ok(());
        };
        let (size, h) = (state.size, state.scale);
        let mut result = Ok(());
        font.each(bytes, |text, w0, space| {
            let trm = mul(
                &mul(&[size * h, 0.0, 0.0, size, 0.0, state.rise], tm),
                &state.ctm,
            );
            let (x0, y0) = apply(&trm, 0.0, 0.0);
            let (x1, y1) = apply(&trm, w0, 0.0);
            let (ux, uy) = apply(&trm, 0.0, 1.0);
            let page_size = ((ux - x0).powi(2) + (uy - y0).powi(2)).sqrt();
            if text == UNMAPPED {
                self.counts.unmapped += 1;
            } else {
                self.counts.mapped += 1;
            }
            if self.counts.mapped + self.counts.unmapped > self.limits.glyphs {
                result = Err(DocumentError::PdfTooLarge {
                    what: "字符数",
                    limit: self.limits.glyphs,
                });
            }
            if result.is_ok() && !text.trim().is_empty() && page_size > 0.0 {
                self.page
                    .glyphs
                    .push(turned(x0, y0, x1, y1, page_size, text));
            }
            let tx =
                (w0 * size + state.char_spacing + if space { state.word_spacing } else { 0.0 }) * h;
            *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
        });
        result
    }

    fn font(&mut self, resources: &[&'a Dictionary], name: &[u8]) -> Option<Rc<Font<'a>>> {
        let doc = self.doc;
        let (id, dict) = resources.iter().find_map(|r| {
            let fonts = get(doc, r, b"Font")?.as_dict().ok()?;
            match fonts.get(name).ok()? {
                Object::Reference(id) => Some((Some(*id), doc.get_dictionary(*id).ok()?)),
                Object::Dictionary(d) => Some((None, d)),
                _ => None,
            }
        })?;
        if let Some(id) = id
            && let Some(font) = self.fonts.get(&id)
        {
            return Some(font.clone());
        }
        if self.fonts.len() >= MAX_FONTS {
            return None;
        }
        let font = Rc::new(Font::load(doc, dict));
        if let Some(id) = id {
            self.fonts.insert(id, font.clone());
        }
        Some(font)
    }

    /// Runs form XObject `name` (images and others are skipped).
    fn form(
        &mut self,
        resources: &[&'a Dictionary],
        name: &[u8],
        ctm: &M,
        depth: usize,
    ) -> Result<(), DocumentError> {
        if depth >= self.limits.form_depth {
            return Ok(());
        }
        let doc = self.doc;
        let Some(stream) = resources.iter().find_map(|r| {
            let xobjects = get(doc, r, b"XObject")?.as_dict().ok()?;
            deref(doc, xobjects.get(name).ok()?)?.as_stream().ok()
        }) else {
            return Ok(());
        };
        if stream.dict.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Form") {
            return Ok(());
        }
        let remaining = self.content_left();
        let content = match stream.decompressed_content_with_limit(remaining) {
            Ok(c) => c,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => return Err(self.content_too_large()),
            Err(_) if stream.content.len() <= remaining => stream.content.clone(),
            Err(_) => return Ok(()),
        };
        self.counts.content_bytes += content.len();
        let matrix = get(doc, &stream.dict, b"Matrix")
            .and_then(|m| m.as_array().ok())
            .map(|m| m.iter().filter_map(number).collect::<Vec<f64>>())
            .filter(|m| m.len() == 6)
            .map_or(IDENTITY, |m| [m[0], m[1], m[2], m[3], m[4], m[5]]);
        // A form without resources of its own uses its page's (§7.8.3).
        let own = get(doc, &stream.dict, b"Resources").and_then(|r| r.as_dict().ok());
        let inner: Vec<&'a Dictionary> = own.into_iter().chain(resources.iter().copied()).collect();
        self.run(&content, &inner, mul(&matrix, ctm), depth + 1)
    }
}

/// The path being built: its segments so far, the pen, where its subpath began.
#[derive(Default)]
struct Path {
    segments: Vec<Segment>,
    pen: (f64, f64),
    start: (f64, f64),
}

impl Path {
    fn move_to(&mut self, p: (f64, f64)) {
        (self.pen, self.start) = (p, p);
    }

    fn line_to(&mut self, p: (f64, f64)) {
        // One path is bounded by the page's operations; a path never painted is dropped
        // with the next `n` or paint, so this holds at most one path's segments.
        if self.segments.len() < MAX_SEGMENTS {
            self.segments.push(Segment {
                from: self.pen,
                to: p,
            });
        }
        self.pen = p;
    }

    fn close(&mut self) {
        if self.pen != self.start {
            self.line_to(self.start);
        }
    }
}

/// The page's resource dictionaries, nearest first (inherited ones after).
fn page_resources(doc: &Document, page_id: ObjectId) -> Vec<&Dictionary> {
    let Ok((inline, ids)) = doc.get_page_resources(page_id) else {
        return Vec::new();
    };
    inline
        .into_iter()
        .chain(ids.into_iter().filter_map(|id| doc.get_dictionary(id).ok()))
        .collect()
}

/// Point `(x, y)` of the page turned by `turn` quarter turns (see [`Glyph::turn`]), so
/// that text running that way runs left to right.
pub(super) fn rotate(turn: u8, x: f64, y: f64) -> (f64, f64) {
    match turn {
        0 => (x, y),
        1 => (y, -x),
        2 => (-x, -y),
        _ => (-y, x),
    }
}

/// A glyph from its baseline's two ends, turned by a multiple of 90° so that its
/// baseline runs left to right.
fn turned(x0: f64, y0: f64, x1: f64, y1: f64, size: f64, text: String) -> Glyph {
    let (dx, dy) = (x1 - x0, y1 - y0);
    let turn = if dx.abs() >= dy.abs() {
        if dx >= 0.0 { 0 } else { 2 }
    } else if dy > 0.0 {
        1
    } else {
        3
    };
    // Rotate the page so that this direction becomes left to right.
    let (a, y) = rotate(turn, x0, y0);
    let (b, _) = rotate(turn, x1, y1);
    Glyph {
        x0: a,
        x1: b.max(a),
        y,
        size,
        text,
        turn,
    }
}
