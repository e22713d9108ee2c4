//! Last stage: the only place that knows output formats. Each command's report is a module;
//! every writer takes `&mut dyn Write` so tests and benchmarks render into buffers.

pub mod analysis_table;
pub mod analyze;
pub mod collect_script;
pub mod errors;
pub mod history_svg;
pub mod html;
pub mod inputs;
pub mod layout;
pub mod markdown;
pub mod redact;
pub mod rules;
pub mod timeline;
mod times;
