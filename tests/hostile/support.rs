//! Helpers of the hostile-input tests: the CLI run on a demo file, and a fingerprint of
//! everything a command must leave unchanged.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs the `nianbao` binary with `args`.
pub fn nianbao(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .output()
        .expect("the nianbao binary runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temporary folder with the demo file `demo.db` in it.
pub struct Demo {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Demo {
    pub fn new() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        nianbao::demo::create(&db).unwrap();
        Demo { dir, db }
    }

    pub fn db(&self) -> &str {
        self.db.to_str().unwrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Every stored value and every audit row, as text: equal before and after a
    /// command that must write nothing.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.db)
    }
}

/// The values and the audit log of the file at `db`.
pub fn fingerprint(db: &Path) -> String {
    let store = nianbao::store::Store::open(db).unwrap();
    let values = store.stored_values(0..=9999, None, None).unwrap();
    let audit = store
        .audit_log(&nianbao::store::AuditFilter::default())
        .unwrap();
    format!("{values:?}\n{audit:?}")
}

/// Runs `nianbao import` on `demo` as the default office user with `extra` arguments.
pub fn import(demo: &Demo, year: &str, path: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["import", "--db", demo.db(), "--year", year];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    nianbao(&args)
}

/// One cell of [`xlsx_row`]: a number, a text, or a formula with or without a cached
/// result (`=1+1` or `=1+1|2`).
pub fn xlsx_cell(row: u32, col: u8, spec: &str) -> String {
    let at = format!("{}{}", char::from(b'A' + col), row);
    if let Some(formula) = spec.strip_prefix('=') {
        return match formula.split_once('|') {
            Some((f, cached)) => format!(r#"<c r="{at}"><f>{f}</f><v>{cached}</v></c>"#),
            None => format!(r#"<c r="{at}"><f>{formula}</f></c>"#),
        };
    }
    if spec.parse::<f64>().is_ok() {
        format!(r#"<c r="{at}"><v>{spec}</v></c>"#)
    } else {
        format!(r#"<c r="{at}" t="inlineStr"><is><t>{spec}</t></is></c>"#)
    }
}

/// A `<row>` of cells from column A (see [`xlsx_cell`]).
pub fn xlsx_row(row: u32, cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .enumerate()
        .map(|(c, spec)| xlsx_cell(row, c as u8, spec))
        .collect();
    format!(r#"<row r="{row}">{cells}</row>"#)
}

/// A worksheet's XML around `rows` (from [`xlsx_row`]).
pub fn sheet_xml(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// Writes a minimal xlsx by hand (as openpyxl or a hostile tool could): the sheets
/// (name, worksheet XML) and any extra parts (name, bytes), stored deflated.
pub fn write_xlsx(path: &Path, sheets: &[(&str, String)], extra: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    };
    let overrides: String = (1..=sheets.len())
        .map(|i| format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#))
        .collect();
    put(
        "[Content_Types].xml",
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#).as_bytes(),
    );
    put(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    let (mut list, mut rels) = (String::new(), String::new());
    for (i, (name, _)) in sheets.iter().enumerate() {
        let n = i + 1;
        list.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
    }
    put(
        "xl/workbook.xml",
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{list}</sheets></workbook>"#).as_bytes(),
    );
    put(
        "xl/_rels/workbook.xml.rels",
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#).as_bytes(),
    );
    for (i, (_, xml)) in sheets.iter().enumerate() {
        put(&format!("xl/worksheets/sheet{}.xml", i + 1), xml.as_bytes());
    }
    for (name, bytes) in extra {
        put(name, bytes);
    }
    zip.finish().unwrap();
}
