//! Renderers: turn a [`crate::Comparison`] into text for people or programs.
//!
//! Renderers write to any `std::io::Write` and take resolved options (colour
//! on or off, width); they never look at the terminal or the environment.

pub mod json;
pub mod report_html;
pub mod report_json;
pub mod report_text;
