//! Reading a DOCX back for tests: unzip, parse each part into a small element tree, get
//! text the way `Document::plain_text` writes it; and the LibreOffice round trip.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::Event;

/// The parts of a DOCX package, by path.
pub struct Package {
    parts: HashMap<String, String>,
}

impl Package {
    pub fn read(bytes: &[u8]) -> Package {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
        let mut parts = HashMap::new();
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).unwrap();
            if file.is_dir() {
                continue;
            }
            let mut text = String::new();
            file.read_to_string(&mut text).expect("UTF-8 part");
            parts.insert(file.name().to_owned(), text);
        }
        Package { parts }
    }

    /// The root element of an XML part.
    pub fn xml(&self, path: &str) -> Element {
        let text = self
            .parts
            .get(path)
            .unwrap_or_else(|| panic!("no part {path}"));
        parse(text)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    /// Character data directly inside this element.
    text: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn attr_u32(&self, name: &str) -> u32 {
        self.attr(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{} has no number {name}", self.name))
    }

    pub fn children(&self) -> impl Iterator<Item = &Element> {
        self.children.iter()
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All elements called `name` below this one, in document order.
    pub fn descendants(&self, name: &str) -> Vec<&Element> {
        let mut out = Vec::new();
        fn walk<'a>(e: &'a Element, name: &str, out: &mut Vec<&'a Element>) {
            for c in &e.children {
                if c.name == name {
                    out.push(c);
                }
                walk(c, name, out);
            }
        }
        walk(self, name, &mut out);
        out
    }
}

pub fn parse(xml: &str) -> Element {
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Element::default()];
    let decoder = reader.decoder();
    let element = |e: &quick_xml::events::BytesStart<'_>| Element {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("attribute");
                (
                    String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                    a.decoded_and_normalized_value(XmlVersion::Implicit1_0, decoder)
                        .expect("attribute value")
                        .into_owned(),
                )
            })
            .collect(),
        ..Element::default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let e = element(&e);
                stack.last_mut().unwrap().children.push(e);
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&t.decode().expect("text")),
            Event::CData(t) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().expect("char ref") {
                    Some(c) => c,
                    None => match r.decode().expect("entity").as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("unknown entity {other}"),
                    },
                };
                stack.last_mut().unwrap().text.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut root = stack.pop().unwrap();
    root.children.pop().expect("a root element")
}

/// The text a paragraph (or any element holding paragraphs) shows: `w:t` text, `w:br`
/// as a line break, `w:tab` in runs as a tab; paragraphs joined by line breaks. Field
/// codes (`w:instrText`) are not shown text.
pub fn text(e: &Element) -> String {
    match e.name.as_str() {
        "w:t" => e.text.clone(),
        "w:br" | "w:cr" => "\n".into(),
        "w:tab" => "\t".into(),
        "w:instrText" => e.text.clone(),
        "w:pPr" | "w:rPr" | "w:tcPr" | "w:trPr" | "w:tblPr" | "w:tblGrid" => String::new(),
        "w:r" => e
            .children
            .iter()
            .filter(|c| c.name != "w:instrText")
            .map(text)
            .collect(),
        _ if e.children.is_empty() => e.text.clone(),
        _ => {
            let parts: Vec<String> = e.children.iter().map(text).collect();
            let paragraphs = e.children.iter().filter(|c| c.name == "w:p").count();
            if paragraphs > 1 {
                parts.join("\n").trim_matches('\n').to_owned()
            } else {
                parts.concat()
            }
        }
    }
}

/// `w:pStyle` of a paragraph.
pub fn paragraph_style(p: &Element) -> Option<String> {
    p.child("w:pPr")?
        .child("w:pStyle")?
        .attr("w:val")
        .map(str::to_owned)
}

pub fn grid_span(tc: &Element) -> usize {
    tc.child("w:tcPr")
        .and_then(|p| p.child("w:gridSpan"))
        .map_or(1, |s| s.attr_u32("w:val") as usize)
}

/// The body as `Document::plain_text` would write it: a line per paragraph, a line per
/// table row with the cells that start in it (not `w:vMerge` continuations) tab-separated.
pub fn plain_text(body: &Element) -> String {
    let mut out = String::new();
    for e in body.children() {
        match e.name.as_str() {
            "w:p" => {
                out.push_str(&text(e));
                out.push('\n');
            }
            "w:tbl" => {
                for tr in e.children().filter(|c| c.name == "w:tr") {
                    let cells: Vec<String> = tr
                        .children()
                        .filter(|c| c.name == "w:tc")
                        .filter(|tc| {
                            let merge = tc.child("w:tcPr").and_then(|p| p.child("w:vMerge"));
                            merge.is_none_or(|m| m.attr("w:val") == Some("restart"))
                        })
                        .map(text)
                        .collect();
                    out.push_str(&cells.join("\t"));
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    out
}

/// The first of `names` found on the PATH.
pub fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// LibreOffice's `soffice` for the round-trip tests, which are `#[ignore]`d and run by
/// `.ci/run` (`cargo test --test docx_export -- --ignored`): there a missing tool is a
/// failure, never a quiet pass. They read the PDF back with poppler's `pdftotext`.
pub fn libreoffice() -> PathBuf {
    let soffice = find_program(&["soffice", "libreoffice"]).unwrap_or_else(|| {
        panic!("LibreOffice (soffice) is not on the PATH: run scripts/install-test-deps.sh")
    });
    if find_program(&["pdftotext"]).is_none() {
        panic!("pdftotext (poppler-utils) is not on the PATH: run scripts/install-test-deps.sh");
    }
    soffice
}

/// Writes `bytes` as `dir/name` and converts it with LibreOffice; returns the PDF path.
/// A private user profile keeps parallel runs from fighting over one. LibreOffice finds
/// stand-ins for the Windows faces the DOCX names (仿宋, 黑体 …) as fontconfig pleases
/// (here DejaVu Sans and Noto Sans CJK JP).
pub fn convert_to_pdf(soffice: &Path, dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    run_libreoffice(soffice, dir, name, bytes, None)
}

/// [`convert_to_pdf`] with LibreOffice set to draw the faces the DOCX names with the
/// faces our layout measured when it lacked them (`layout::fonts::Bundled`): 仿宋, 宋体
/// and the title's 小标宋 as Noto Serif CJK SC, 黑体 as Noto Sans CJK SC, 楷体 as our
/// bundled Kai — as Word on an office PC draws 仿宋 with the very file our layout read
/// there. A fontconfig file of the test's own (`FONTCONFIG_FILE`, for this LibreOffice
/// only) adds `assets/fonts` and the aliases.
pub fn convert_to_pdf_with_our_faces(
    soffice: &Path,
    dir: &Path,
    name: &str,
    bytes: &[u8],
) -> PathBuf {
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts");
    let alias = |windows: &str, ours: &str| {
        format!(
            r#"<alias binding="strong"><family>{windows}</family><prefer><family>{ours}</family></prefer></alias>"#
        )
    };
    let conf = format!(
        r#"<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd"><fontconfig><cachedir>{cache}</cachedir><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{assets}</dir>{}{}{}{}{}</fontconfig>"#,
        alias("仿宋", "Noto Serif CJK SC"),
        alias("宋体", "Noto Serif CJK SC"),
        alias("方正小标宋简体", "Noto Serif CJK SC"),
        alias("黑体", "Noto Sans CJK SC"),
        alias("楷体", "Nianbao Kai"),
        cache = dir.join("fc-cache").display(),
        assets = assets.display(),
    );
    let file = dir.join("fonts.conf");
    std::fs::write(&file, conf).unwrap();
    run_libreoffice(soffice, dir, name, bytes, Some(&file))
}

fn run_libreoffice(
    soffice: &Path,
    dir: &Path,
    name: &str,
    bytes: &[u8],
    fontconfig: Option<&Path>,
) -> PathBuf {
    let input = dir.join(name);
    std::fs::write(&input, bytes).unwrap();
    let profile = dir.join("lo-profile");
    let mut command = Command::new(soffice);
    if let Some(file) = fontconfig {
        command.env("FONTCONFIG_FILE", file);
    }
    let status = command
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(&input)
        .status()
        .expect("run LibreOffice");
    assert!(status.success(), "LibreOffice failed: {status}");
    let pdf = input.with_extension("pdf");
    assert!(pdf.is_file(), "LibreOffice wrote no PDF");
    keep_for_inspection(&[&input, &pdf]);
    pdf
}

/// Copies `files` into `$NIANBAO_KEEP_DOCX_RENDER` when it is set, for looking at
/// (`pdftoppm -r 60 -png`).
pub fn keep_for_inspection(files: &[&Path]) {
    let Some(keep) = std::env::var_os("NIANBAO_KEEP_DOCX_RENDER") else {
        return;
    };
    for file in files {
        let name = file.file_name().expect("a file name");
        std::fs::copy(file, Path::new(&keep).join(name))
            .unwrap_or_else(|e| panic!("cannot keep {}: {e}", file.display()));
    }
}

/// `pdftotext -raw`: text in content-stream order, which is reading order here.
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-raw")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// Removes page numbers `—N—` (whitespace already squeezed out).
pub fn without_page_numbers(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '—' {
            let digits = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits > 0 && chars.get(i + 1 + digits) == Some(&'—') {
                i += digits + 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Keeps the first occurrence of `needle` in `s` and removes the others.
pub fn keep_first(s: &str, needle: &str) -> String {
    match s.find(needle) {
        None => s.to_owned(),
        Some(at) => {
            let split = at + needle.len();
            format!("{}{}", &s[..split], s[split..].replace(needle, ""))
        }
    }
}

/// The first `n` characters of each page's text (`pdftotext -raw`, pages split at form
/// feeds), whitespace and page numbers `—N—` left out.
pub fn page_heads(pdf: &Path, n: usize) -> Vec<String> {
    let text = pdf_text(pdf);
    let mut pages: Vec<&str> = text.split('\u{c}').collect();
    // pdftotext ends the last page with a form feed too.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
        .into_iter()
        .map(|page| {
            let squeezed: String = page.chars().filter(|c| !c.is_whitespace()).collect();
            without_page_numbers(&squeezed).chars().take(n).collect()
        })
        .collect()
}
