//! Hostile and careless input (issue: "Nothing lost on hostile or careless input"): each
//! test feeds what a careless or hostile user would, and asserts the message and that the
//! database, every file the user named and the audit log are unchanged where nothing
//! should have been written. One file per area, so they can grow apart.

#[path = "hostile/cli.rs"]
mod cli;
#[path = "hostile/read.rs"]
mod read;
#[path = "hostile/support.rs"]
mod support;

#[path = "hostile/import.rs"]
mod import;
