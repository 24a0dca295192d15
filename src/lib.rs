//! Nianbao (年报): a government agency's yearly disclosure report, compiled from its
//! divisions' monthly figures.
//!
//! The pipeline, one module per step:
//!
//! ```text
//! store ──► compile(template, year) ──► document ──► layout ──► export::pdf
//!   ▲              │                        │            └────► (app preview)
//!   │              └──► check               └──────────────────► export::docx
//! import (csv, xlsx)          draft (store's text → compile → review → frozen document)
//! ```

pub mod catalog; // divisions, users, roles, metrics; the built-in national catalogue
pub mod check; // data checks over a year → findings
pub mod cli; // subcommands → library calls → printed results
pub mod compile; // templates + a year's data → document, with provenance
pub mod demo; // the demo agency: the seed report as data
pub mod document; // the report model every output consumes
pub mod draft; // drafts: compile over today's data, approve, drift since approval
pub mod export; // PDF (walks layout pages) and DOCX (walks the document)
pub mod import; // CSV/xlsx sheets and published reports → checked rows → one store transaction
pub mod input; // files read with a size cap, text decoded on evidence, user text quoted short
pub mod jobs; // long work off the UI thread, with progress
pub mod layout; // GB/T 9704 pages: fonts, line breaking, tables, pagination
pub mod output; // exports written beside their target and renamed, never over the open data file
pub mod prose; // prose against data: typed numbers and sentences held against the figures
pub mod read; // .docx / .html / .txt documents → paragraphs and tables
pub mod report; // the pipeline as calls: data + template → document → text/PDF/DOCX bytes
pub mod sheet; // Excel collection workbooks: made per division, returns taken back by code and month
pub mod store; // the SQLite file: schema, permissions, values, audit
pub mod style; // GB/T 9704 typography shared by layout and DOCX
pub mod ui; // the desktop app: sign-in, entry grid, submission board, import, audit
pub mod value; // exact numbers: parse, normalise, format

#[doc(hidden)]
pub mod testing; // fixtures shared by tests and benches
