//! Exporters: each turns finished work into a file's bytes.
//!
//! `pdf` draws the pages `layout` made; (later) `docx` writes the document model for Word
//! and WPS. Exporters never query the store and never lay anything out themselves.

pub mod pdf;
