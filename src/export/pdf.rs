//! PDF export: writes the layout's [`Page`]s as a PDF file.
//!
//! Data in, bytes out: [`pdf`] takes finished pages, the [`FontSet`] they were laid out
//! with and some metadata, and returns the file. Every glyph is placed where the layout
//! put it: one text matrix per run, then a `TJ` whose adjustments put each further glyph
//! at its layout position (the pen is tracked as the viewer will compute it, so rounding
//! does not add up along a line). Page numbers and repeated table headers are marked
//! content `/Artifact`, so a reader's text extraction gives the document's text once, in
//! reading order.
//!
//! Fonts are embedded as subsets (CID-keyed, `Identity-H`, with a ToUnicode map so text
//! can be copied and searched): CFF faces as bare CFF (`CIDFontType0C`), TrueType faces
//! as `FontFile2`. The objects are written with `pdf-writer` and the subsets made with
//! `subsetter`, the pair Typst exports with; before, printpdf did both, and its font path
//! (allsorts' subsetter and cmap lookups) was most of an export's time. The pages'
//! content streams and the faces' subsets are independent, so each face is subset on a
//! thread of its own while this one writes the pages.
//!
//! Must never: break lines, move anything, or choose fonts — `layout` decided all of it.

use std::collections::BTreeMap;
use std::io::Write as _;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use crate::layout::{Face, FaceId, FontSet, Item, Page, TextRun};

/// Document information written into the PDF.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfMeta {
    pub title: String,
    /// The issuing agency.
    pub author: String,
    pub subject: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("报告没有任何页面，无法生成 PDF")]
    NoPages,
    #[error("排版用到了字体集中没有的字体（程序错误，字体编号 {0}）")]
    UnknownFace(u16),
    #[error("字体 {name} 无法嵌入 PDF（{reason}）；请在设置中换一种字体")]
    Font { name: String, reason: String },
}

/// Stroke width of the synthetic bold outline, in em.
const BOLD_STROKE_EM: f32 = 0.03;

/// Compression of the page contents and the ToUnicode maps: zlib's default level (level 9
/// made the demo reports 1% smaller, in more time).
const LEVEL: flate2::Compression = flate2::Compression::new(6);

/// Compression of the font subsets, which are on the export's longest path (the body
/// face's subset, then its deflate, on one thread): level 2, measured on the work summary
/// (5 exports in a row, best of 7): 11.7 ms an export against 14.9 ms at level 6, for a
/// file 1% larger (196.7 against 194.7 KB); level 1 was no faster and 14% larger.
const FONT_LEVEL: flate2::Compression = flate2::Compression::new(2);

/// Writes `pages` as a PDF.
pub fn pdf(pages: &[Page], fonts: &FontSet, meta: &PdfMeta) -> Result<Vec<u8>, PdfError> {
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    let used = used_glyphs(pages, fonts)?;
    // A thread per face (subsetting the body face is the longest single piece of work);
    // the pages' contents meanwhile on this one.
    let (contents, faces) = std::thread::scope(|s| {
        let faces: Vec<_> = used
            .iter()
            .map(|(&id, glyphs)| s.spawn(move || embed(id, fonts.face(id), glyphs)))
            .collect();
        let contents: Vec<Vec<u8>> = pages
            .iter()
            .map(|p| deflate(&page_content(p, &used, fonts)))
            .collect();
        let faces: Result<Vec<_>, _> = faces
            .into_iter()
            .map(|f| f.join().expect("font embedding panicked"))
            .collect();
        (contents, faces)
    });
    Ok(assemble(pages, &contents, &faces?, meta))
}

/// The glyphs a face shows, numbered in the subset, with the character each stands for.
#[derive(Default)]
struct UsedGlyphs {
    remapper: GlyphRemapper,
    /// Indexed by the glyph's id in the subset; `None` for `.notdef` when unused.
    chars: Vec<Option<char>>,
}

impl UsedGlyphs {
    fn add(&mut self, gid: u16, ch: char) {
        let new = usize::from(self.remapper.remap(gid));
        if self.chars.len() <= new {
            self.chars.resize(new + 1, None);
        }
        self.chars[new].get_or_insert(ch);
    }

    fn cid(&self, gid: u16) -> u16 {
        self.remapper
            .get(gid)
            .expect("every shown glyph was collected")
    }
}

fn used_glyphs(pages: &[Page], fonts: &FontSet) -> Result<BTreeMap<FaceId, UsedGlyphs>, PdfError> {
    let count = fonts.faces().count();
    let mut used: BTreeMap<FaceId, UsedGlyphs> = BTreeMap::new();
    for run in pages.iter().flat_map(Page::text_runs) {
        if usize::from(run.face.0) >= count {
            return Err(PdfError::UnknownFace(run.face.0));
        }
        let glyphs = used.entry(run.face).or_default();
        for g in &run.glyphs {
            glyphs.add(g.gid, g.ch);
        }
    }
    Ok(used)
}

/// The resource name of a face's font.
fn font_name(id: FaceId) -> String {
    format!("F{}", id.0)
}

/// Rounds a coordinate to a hundredth of a point (3.5 µm), which keeps the content
/// streams short and never reaches the exponent notation PDF does not allow.
fn round(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

fn page_content(page: &Page, used: &BTreeMap<FaceId, UsedGlyphs>, fonts: &FontSet) -> Vec<u8> {
    let h = page.height;
    let mut c = Content::new();
    // Rules first (they never overlap text), one path per stroke width.
    let mut width: Option<f32> = None;
    for item in &page.items {
        if let Item::Rule(r) = item {
            if width != Some(r.width) {
                if width.is_some() {
                    c.stroke();
                }
                width = Some(r.width);
                c.set_line_width(r.width);
            }
            c.move_to(round(r.x1), round(h - r.y1));
            c.line_to(round(r.x2), round(h - r.y2));
        }
    }
    if width.is_some() {
        c.stroke();
    }
    c.begin_text();
    let mut font: Option<(FaceId, f32)> = None;
    let mut bold: Option<f32> = None;
    for run in page.text_runs() {
        if run.glyphs.is_empty() {
            continue;
        }
        if font != Some((run.face, run.size)) {
            font = Some((run.face, run.size));
            c.set_font(Name(font_name(run.face).as_bytes()), run.size);
        }
        let stroke = run.bold.then_some(run.size * BOLD_STROKE_EM);
        if stroke != bold {
            bold = stroke;
            match stroke {
                Some(w) => {
                    c.set_line_width(w);
                    c.set_text_rendering_mode(TextRenderingMode::FillStroke);
                }
                None => {
                    c.set_text_rendering_mode(TextRenderingMode::Fill);
                }
            }
        }
        if run.artifact {
            c.begin_marked_content(Name(b"Artifact"));
        }
        show_run(&mut c, run, h, &used[&run.face], fonts);
        if run.artifact {
            c.end_marked_content();
        }
    }
    c.end_text();
    c.finish().into_vec()
}

/// One run: its first glyph placed by the text matrix, the others by `TJ` adjustments
/// (in thousandths of the font size) from where the viewer's pen will be.
fn show_run(c: &mut Content, run: &TextRun, page_height: f32, used: &UsedGlyphs, fonts: &FontSet) {
    let start = round(run.glyphs[0].x);
    c.set_text_matrix([1.0, 0.0, 0.0, 1.0, start, round(page_height - run.baseline)]);
    let face = fonts.face(run.face);
    let mut pen = start;
    let mut text: Vec<u8> = Vec::with_capacity(run.glyphs.len() * 2);
    let mut shown = c.show_positioned();
    let mut items = shown.items();
    for g in &run.glyphs {
        // Positive adjustments move the next glyph left.
        let adjust = ((pen - g.x) * 1000.0 / run.size * 10.0).round() / 10.0;
        if adjust != 0.0 {
            if !text.is_empty() {
                items.show(Str(&text));
                text.clear();
            }
            items.adjust(adjust);
            pen -= adjust * run.size / 1000.0;
        }
        text.extend_from_slice(&used.cid(g.gid).to_be_bytes());
        pen += width_units(face, g.gid) * run.size / 1000.0;
    }
    if !text.is_empty() {
        items.show(Str(&text));
    }
}

/// A glyph's advance in the PDF's glyph units (thousandths of an em), as its `/W` entry
/// says, rounded to a tenth so that `/W` and the pen agree exactly.
fn width_units(face: &Face, gid: u16) -> f32 {
    (face.advance_em(gid) * 10_000.0).round() / 10.0
}

fn deflate(data: &[u8]) -> Vec<u8> {
    deflate_at(data, LEVEL)
}

fn deflate_at(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::with_capacity(data.len() / 3), level);
    e.write_all(data).expect("writing to memory");
    e.finish().expect("writing to memory")
}

/// One face, ready to be written: its subset and what the font dictionaries say of it.
struct EmbeddedFace {
    id: FaceId,
    /// `ABCDEF+PostScriptName`.
    base_font: String,
    cff: bool,
    /// The subset, deflated: bare CFF for a CFF face, the TrueType file otherwise.
    data: Vec<u8>,
    /// The ToUnicode CMap, deflated.
    to_unicode: Vec<u8>,
    /// Advance of each glyph of the subset, in glyph units.
    widths: Vec<f32>,
    bbox: Rect,
    ascent: f32,
    descent: f32,
    cap_height: f32,
    italic_angle: f32,
    stem_v: f32,
    /// [`FontFlags`] bits.
    flags: u32,
}

fn embed(id: FaceId, face: &Face, used: &UsedGlyphs) -> Result<EmbeddedFace, PdfError> {
    let fail = |reason: String| PdfError::Font {
        name: face.name.clone(),
        reason,
    };
    let ttf = face.ttf();
    let cff = ttf.tables().cff.is_some();
    let subset = subsetter::subset(face.bytes(), face.index(), &used.remapper)
        .map_err(|e| fail(format!("取子集：{e}")))?;
    let data = if cff {
        let raw =
            ttf_parser::RawFace::parse(&subset, 0).map_err(|e| fail(format!("读取子集：{e}")))?;
        let table = raw
            .table(ttf_parser::Tag::from_bytes(b"CFF "))
            .ok_or_else(|| fail("子集中没有 CFF 表".into()))?;
        deflate_at(table, FONT_LEVEL)
    } else {
        deflate_at(&subset, FONT_LEVEL)
    };

    let mut cmap = UnicodeCmap::new(Name(b"Nianbao-UCS"), system_info());
    for (cid, ch) in used.chars.iter().enumerate() {
        if let Some(ch) = ch {
            cmap.pair(cid as u16, *ch);
        }
    }
    let to_unicode = deflate(&cmap.finish().into_vec());

    // In the subset's order: the `n`th glyph is CID `n`.
    let widths: Vec<f32> = used
        .remapper
        .remapped_gids()
        .map(|gid| width_units(face, gid))
        .collect();

    let scale = 1000.0 / f32::from(ttf.units_per_em().max(1));
    let b = ttf.global_bounding_box();
    let ps_name = ttf
        .names()
        .into_iter()
        .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME && n.is_unicode())
        .and_then(|n| n.to_string())
        .map(|n| {
            n.chars()
                .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
                .collect::<String>()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("NianbaoFont{}", id.0));
    let mut flags = FontFlags::SYMBOLIC;
    if ttf.is_monospaced() {
        flags |= FontFlags::FIXED_PITCH;
    }
    if ttf.is_italic() {
        flags |= FontFlags::ITALIC;
    }
    let ascent = f32::from(ttf.ascender()) * scale;
    Ok(EmbeddedFace {
        id,
        base_font: format!("{}+{ps_name}", subset_tag(id, used)),
        cff,
        data,
        to_unicode,
        widths,
        bbox: Rect::new(
            f32::from(b.x_min) * scale,
            f32::from(b.y_min) * scale,
            f32::from(b.x_max) * scale,
            f32::from(b.y_max) * scale,
        ),
        ascent,
        descent: f32::from(ttf.descender()) * scale,
        cap_height: ttf
            .capital_height()
            .map_or(ascent, |h| f32::from(h) * scale),
        italic_angle: ttf.italic_angle(),
        stem_v: 10.0 + 0.244 * (f32::from(ttf.weight().to_number()) - 50.0),
        flags: flags.bits(),
    })
}

fn system_info() -> SystemInfo<'static> {
    SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    }
}

/// The six capital letters that mark a subset (ISO 32000 9.6.4), from the face and its
/// glyphs, so that the same report gives the same file.
fn subset_tag(id: FaceId, used: &UsedGlyphs) -> String {
    // FNV-1a over the face number and the subset's glyphs in order.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |b: u8| {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    id.0.to_be_bytes().into_iter().for_each(&mut feed);
    for gid in used.remapper.remapped_gids() {
        gid.to_be_bytes().into_iter().for_each(&mut feed);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 8)) % 26) as u8))
        .collect()
}

/// Writes the objects: catalog, page tree, pages with their contents, fonts, info.
fn assemble(
    pages: &[Page],
    contents: &[Vec<u8>],
    faces: &[EmbeddedFace],
    meta: &PdfMeta,
) -> Vec<u8> {
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();
    // type0, cid font, descriptor, font file, to-unicode
    let font_ids: Vec<[Ref; 5]> = faces
        .iter()
        .map(|_| [alloc(), alloc(), alloc(), alloc(), alloc()])
        .collect();

    let mut pdf = Pdf::new();
    pdf.set_version(1, 7);
    pdf.catalog(catalog_id)
        .pages(tree_id)
        .lang(TextStr("zh-CN"));
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|&(p, _)| p))
        .count(pages.len() as i32);

    for ((page, content), &(page_id, content_id)) in pages.iter().zip(contents).zip(&page_ids) {
        let mut p = pdf.page(page_id);
        p.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, page.width, page.height))
            .contents(content_id);
        let mut resources = p.resources();
        let mut dict = resources.fonts();
        for (face, ids) in faces.iter().zip(&font_ids) {
            if page.text_runs().any(|r| r.face == face.id) {
                dict.pair(Name(font_name(face.id).as_bytes()), ids[0]);
            }
        }
        dict.finish();
        resources.finish();
        p.finish();
        pdf.stream(content_id, content).filter(Filter::FlateDecode);
    }

    for (face, &[type0, cid, descriptor, file, to_unicode]) in faces.iter().zip(&font_ids) {
        let base = Name(face.base_font.as_bytes());
        pdf.type0_font(type0)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(to_unicode);
        let mut font = pdf.cid_font(cid);
        font.subtype(if face.cff {
            CidFontType::Type0
        } else {
            CidFontType::Type2
        })
        .base_font(base)
        .system_info(system_info())
        .font_descriptor(descriptor);
        let default = most_common(&face.widths);
        font.default_width(default);
        write_widths(&mut font, &face.widths, default);
        if !face.cff {
            font.cid_to_gid_map_predefined(Name(b"Identity"));
        }
        font.finish();
        let mut d = pdf.font_descriptor(descriptor);
        d.name(base)
            .flags(FontFlags::from_bits_truncate(face.flags))
            .bbox(face.bbox)
            .italic_angle(face.italic_angle)
            .ascent(face.ascent)
            .descent(face.descent)
            .cap_height(face.cap_height)
            .stem_v(face.stem_v);
        if face.cff {
            d.font_file3(file);
        } else {
            d.font_file2(file);
        }
        d.finish();
        let mut stream = pdf.stream(file, &face.data);
        stream.filter(Filter::FlateDecode);
        if face.cff {
            stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
        }
        stream.finish();
        pdf.cmap(to_unicode, &face.to_unicode)
            .name(Name(b"Nianbao-UCS"))
            .system_info(system_info())
            .filter(Filter::FlateDecode);
    }

    let mut info = pdf.document_info(info_id);
    info.title(TextStr(&meta.title))
        .author(TextStr(&meta.author))
        .creator(TextStr("Nianbao"))
        .producer(TextStr("Nianbao"));
    if !meta.subject.is_empty() {
        info.subject(TextStr(&meta.subject));
    }
    info.finish();
    pdf.finish()
}

/// The width most glyphs have (the CIDFont's `/DW`): 1000 for a CJK face.
fn most_common(widths: &[f32]) -> f32 {
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for w in widths {
        *counts.entry(w.to_bits()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .map_or(1000.0, |(bits, _)| f32::from_bits(bits))
}

/// `/W`: the widths that differ from `/DW`, as runs of consecutive CIDs.
fn write_widths(font: &mut pdf_writer::writers::CidFont, widths: &[f32], default: f32) {
    let mut w = font.widths();
    let mut i = 0;
    while i < widths.len() {
        if widths[i] == default {
            i += 1;
            continue;
        }
        let start = i;
        while i < widths.len() && widths[i] != default {
            i += 1;
        }
        w.consecutive(start as u16, widths[start..i].iter().copied());
    }
}

#[cfg(test)]
mod tests {
    use lopdf::{Document, Object};

    use super::*;
    use crate::compile::{CompileOptions, Template, compile};

    fn demo(id: &str, fonts: &FontSet) -> Vec<Page> {
        let data = crate::demo::data::year_data(2019);
        let doc = compile(
            &Template::builtin(id).unwrap(),
            &data,
            &CompileOptions::default(),
        )
        .unwrap()
        .document;
        crate::layout::layout(&doc, fonts)
    }

    fn dict<'a>(doc: &'a Document, o: &'a Object) -> &'a lopdf::Dictionary {
        match o {
            Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
            Object::Dictionary(d) => d,
            Object::Array(a) => dict(doc, &a[0]),
            o => panic!("not a dictionary: {o:?}"),
        }
    }

    /// Each face the pages use once, as a tagged CID subset far smaller than the face,
    /// with widths and a ToUnicode map; the same pages give the same bytes.
    #[test]
    fn fonts_are_embedded_once_as_small_cid_subsets() {
        let fonts = FontSet::bundled().unwrap();
        let pages = demo("annual-report", &fonts);
        let meta = PdfMeta {
            title: "报告".into(),
            author: "某局".into(),
            subject: String::new(),
        };
        let bytes = pdf(&pages, &fonts, &meta).unwrap();
        assert_eq!(bytes, pdf(&pages, &fonts, &meta).unwrap(), "deterministic");
        let doc = Document::load_mem(&bytes).unwrap();
        let mut seen = Vec::new();
        for (_, page) in doc.get_pages() {
            for (name, font) in doc.get_page_fonts(page).unwrap() {
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name);
                let base = font.get(b"BaseFont").unwrap().as_name().unwrap().to_vec();
                let base = String::from_utf8(base).unwrap();
                assert!(
                    base.len() > 7
                        && base[..6].bytes().all(|b| b.is_ascii_uppercase())
                        && &base[6..7] == "+",
                    "{base}"
                );
                assert_eq!(
                    font.get(b"Encoding").unwrap().as_name().unwrap(),
                    b"Identity-H"
                );
                assert!(font.get(b"ToUnicode").unwrap().as_reference().is_ok());
                let cid = dict(&doc, font.get(b"DescendantFonts").unwrap());
                let kind = cid.get(b"Subtype").unwrap().as_name().unwrap();
                assert!(cid.get(b"W").is_ok() && cid.get(b"DW").is_ok());
                let descriptor = dict(&doc, cid.get(b"FontDescriptor").unwrap());
                let (file, subtype) = match kind {
                    b"CIDFontType0" => (b"FontFile3".as_slice(), Some(b"CIDFontType0C".as_slice())),
                    b"CIDFontType2" => {
                        assert_eq!(
                            cid.get(b"CIDToGIDMap").unwrap().as_name().unwrap(),
                            b"Identity"
                        );
                        (b"FontFile2".as_slice(), None)
                    }
                    k => panic!("{}", String::from_utf8_lossy(k)),
                };
                let stream = doc
                    .get_object(descriptor.get(file).unwrap().as_reference().unwrap())
                    .unwrap()
                    .as_stream()
                    .unwrap();
                if let Some(subtype) = subtype {
                    assert_eq!(
                        stream.dict.get(b"Subtype").unwrap().as_name().unwrap(),
                        subtype
                    );
                }
                let data = stream.decompressed_content().unwrap();
                assert!(
                    data.len() < 400_000,
                    "{base}: a subset of {} bytes",
                    data.len()
                );
            }
        }
        assert_eq!(seen.len(), 3, "serif, sans and kai");
        let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
        let info = doc.get_dictionary(info).unwrap();
        let title = info.get(b"Title").unwrap().as_str().unwrap();
        let utf16: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("报告".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(title, utf16.as_slice(), "the title as UTF-16");
    }

    #[test]
    fn no_pages_and_a_face_outside_the_set_are_errors() {
        let fonts = FontSet::bundled().unwrap();
        assert!(matches!(
            pdf(&[], &fonts, &PdfMeta::default()),
            Err(PdfError::NoPages)
        ));
        let mut pages = demo("annual-report", &fonts);
        for item in &mut pages[0].items {
            if let Item::Text(run) = item {
                run.face = FaceId(99);
                break;
            }
        }
        assert!(matches!(
            pdf(&pages, &fonts, &PdfMeta::default()),
            Err(PdfError::UnknownFace(99))
        ));
    }
}
