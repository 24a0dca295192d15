//! Exporters: turn a finished report into files a user takes away.
//!
//! `docx` writes the document model (never the store) as an editable Word file.

pub mod docx; // the document model as WordprocessingML, GB/T 9704 page and styles
