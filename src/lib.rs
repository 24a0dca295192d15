//! Nianbao (年报): a government agency's yearly disclosure report, compiled from its
//! divisions' monthly figures.
//!
//! The pipeline, one module per step:
//!
//! ```text
//! store ──► compile(template, year) ──► document ──► layout ──► export::pdf
//!   ▲              │                        │            └────► (app preview)
//!   │              └──► check               └──────────────────► export::docx
//! import (csv, xlsx)          approval (store's text → compile → review → frozen document)
//! ```
//!
//! Data flows from the store, but the imports point the other way round: compile, check
//! and prose take plain data from `model` and never see the store, and the store only
//! persists and produces `model`'s types. Each module imports only from the layers below
//! its own; `scripts/module-graph.py --depth 2 --layers --tests` reads this list and
//! checks every `use`, test code included:
//!
//! ```text
//! L1: ui, cli
//! L2: approval, jobs, ledger
//! L3: pipeline, prose, demo, sheet
//! L4: city
//! L5: import, compile, check, export
//! L6: read, layout, store, demo::data
//! L7: document, value, output
//! L8: model, input
//! L9: style
//! ```

pub mod approval; // a draft's road to 已审定: compile over today's data, review, approve, drift
pub mod check; // data checks over a year → findings
pub mod city; // a city's consolidated report: agencies' national tables summed, checked each and summed
pub mod cli; // subcommands → library calls → printed results
pub mod compile; // templates + a year's data → document, with provenance
pub mod demo; // the demo agency: the seed report as data (`data`, no store) and the demo file
pub mod document; // the report model every output consumes
pub mod export; // PDF (walks layout pages) and DOCX (walks the document)
pub mod import; // CSV/xlsx sheets and published reports → checked rows → one store transaction
pub mod input; // files read with a size cap, text decoded on evidence, user text quoted short
pub mod jobs; // long work off the UI thread, with progress
pub mod layout; // GB/T 9704 pages: fonts, line breaking, tables, pagination
pub mod ledger; // an office's own 依申请公开台账 (xlsx/csv) → the register, all or nothing
pub mod model; // plain data under everything: organisation, catalogue, national tables, a year, findings
pub mod output; // exports written beside their target and renamed, never over the open data file
pub mod pipeline; // the pipeline as calls: data + template → document → text/PDF/DOCX bytes
pub mod prose; // prose against data: typed numbers and sentences held against the figures
pub mod read; // .docx / .html / .txt documents → paragraphs and tables
pub mod sheet; // Excel collection workbooks: made per division, returns taken back by code and month
pub mod store; // the SQLite file: schema, permissions, values, audit; persists and produces `model`
pub mod style; // GB/T 9704 typography shared by layout and DOCX
pub mod ui; // the desktop app: sign-in, entry grid, submission board, import, audit
pub mod value; // exact numbers: parse, normalise, format (and 同比 in words)
