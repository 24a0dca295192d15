//! Nianbao (年报): a government agency's yearly disclosure report, compiled from its
//! divisions' monthly figures.
//!
//! The pipeline, one module per step:
//!
//! ```text
//! store ──► compile(template, year) ──► document ──► layout ──► export::pdf
//!   ▲              │                        │            └────► (app preview)
//!   │              └──► check               └──────────────────► export::docx
//! import (csv, xlsx)
//! ```

pub mod catalog; // divisions, users, roles, metrics; the built-in national catalogue
pub mod document; // the report model every output consumes
pub mod export; // finished files: DOCX (PDF from layout)
pub mod store; // the SQLite file: schema, permissions, values, audit
pub mod style; // GB/T 9704 typography shared by layout and DOCX
pub mod value; // exact numbers: parse, normalise, format
