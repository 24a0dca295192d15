//! Exporters: each turns finished work into a file's bytes, data in, bytes out.
//!
//! `pdf` draws the pages `layout` made; `docx` writes the document model as an editable
//! Word file. Exporters never query the store and never decide a line break themselves.

pub mod docx; // the document model as WordprocessingML, GB/T 9704 page and styles
pub mod pdf; // layout pages → PDF with subset fonts and ToUnicode maps
