//! PDF export: draws the layout's [`Page`]s with printpdf.
//!
//! Data in, bytes out: [`pdf`] takes finished pages, the [`FontSet`] they were laid out
//! with and some metadata, and returns the file. Every glyph is placed where the layout
//! put it (a text matrix per glyph, which printpdf merges into one `TJ` per line); fonts
//! are embedded as subsets with a ToUnicode map, so text can be copied and searched.
//! Page numbers and repeated table headers are marked content `/Artifact`, so a reader's
//! text extraction gives the document's text once, in reading order.
//!
//! Must never: break lines, move anything, or choose fonts — `layout` decided all of it.

use std::collections::BTreeMap;

use printpdf::{
    Codepoint, Color, FontId, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage,
    PdfParseErrorSeverity, PdfSaveOptions, Point, Pt, Rgb, TextItem, TextMatrix, TextRenderingMode,
};

use crate::layout::{FaceId, FontSet, Item, PT_PER_MM, Page, TextRun};

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
    #[error("写 PDF 时出错（{0}）")]
    Writer(String),
}

/// Stroke width of the synthetic bold outline, in em.
const BOLD_STROKE_EM: f32 = 0.03;

/// Writes `pages` as a PDF.
pub fn pdf(pages: &[Page], fonts: &FontSet, meta: &PdfMeta) -> Result<Vec<u8>, PdfError> {
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    let mut doc = PdfDocument::new(&meta.title);
    doc.metadata.info.author = meta.author.clone();
    doc.metadata.info.subject = meta.subject.clone();
    doc.metadata.info.creator = "Nianbao".into();

    // Embed only the faces the pages use.
    let mut ids: BTreeMap<FaceId, FontId> = BTreeMap::new();
    for page in pages {
        for run in page.text_runs() {
            if let std::collections::btree_map::Entry::Vacant(e) = ids.entry(run.face) {
                if usize::from(run.face.0) >= fonts.faces().count() {
                    return Err(PdfError::UnknownFace(run.face.0));
                }
                e.insert(doc.add_font(fonts.face(run.face).parsed()));
            }
        }
    }

    let pdf_pages: Vec<PdfPage> = pages
        .iter()
        .map(|p| {
            PdfPage::new(
                Mm(p.width / PT_PER_MM),
                Mm(p.height / PT_PER_MM),
                page_ops(p, &ids),
            )
        })
        .collect();
    doc.with_pages(pdf_pages);
    let mut warnings = Vec::new();
    let opts = PdfSaveOptions {
        image_optimization: None,
        ..PdfSaveOptions::default()
    };
    let bytes = doc.save(&opts, &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        return Err(PdfError::Writer(w.msg.clone()));
    }
    Ok(bytes)
}

fn black() -> Color {
    Color::Rgb(Rgb {
        r: 0.0,
        g: 0.0,
        b: 0.0,
        icc_profile: None,
    })
}

fn page_ops(page: &Page, ids: &BTreeMap<FaceId, FontId>) -> Vec<Op> {
    let h = page.height;
    let mut ops = vec![
        Op::SetFillColor { col: black() },
        Op::SetOutlineColor { col: black() },
    ];
    // Rules first (they never overlap text), then the text in reading order.
    let mut width = -1.0;
    for item in &page.items {
        if let Item::Rule(r) = item {
            if r.width != width {
                width = r.width;
                ops.push(Op::SetOutlineThickness { pt: Pt(width) });
            }
            ops.push(Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: Point {
                                x: Pt(r.x1),
                                y: Pt(h - r.y1),
                            },
                            bezier: false,
                        },
                        LinePoint {
                            p: Point {
                                x: Pt(r.x2),
                                y: Pt(h - r.y2),
                            },
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            });
        }
    }
    ops.push(Op::StartTextSection);
    let mut font: Option<(FaceId, f32)> = None;
    let mut bold: Option<f32> = None;
    for run in page.text_runs() {
        if font != Some((run.face, run.size)) {
            font = Some((run.face, run.size));
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(ids[&run.face].clone()),
                size: Pt(run.size),
            });
        }
        let stroke = run.bold.then_some(run.size * BOLD_STROKE_EM);
        if stroke != bold {
            bold = stroke;
            match stroke {
                Some(w) => {
                    ops.push(Op::SetOutlineThickness { pt: Pt(w) });
                    ops.push(Op::SetTextRenderingMode {
                        mode: TextRenderingMode::FillStroke,
                    });
                }
                None => ops.push(Op::SetTextRenderingMode {
                    mode: TextRenderingMode::Fill,
                }),
            }
        }
        if run.artifact {
            ops.push(Op::BeginMarkedContent {
                tag: "Artifact".into(),
            });
        }
        glyph_ops(run, h, &mut ops);
        if run.artifact {
            ops.push(Op::EndMarkedContent);
        }
    }
    ops.push(Op::EndTextSection);
    ops
}

fn glyph_ops(run: &TextRun, page_height: f32, ops: &mut Vec<Op>) {
    let y = page_height - run.baseline;
    for g in &run.glyphs {
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(g.x), Pt(y)),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(vec![Codepoint {
                gid: g.gid,
                offset: 0.0,
                cid: Some(g.ch.to_string()),
            }])],
        });
    }
}
