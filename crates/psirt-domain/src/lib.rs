//! psirt's pure domain: types and rules with no I/O (no SQL, no HTTP, no files, no system clock).
//! Time always comes in as a value or through a [`clock::Clock`].
//!
//! Errors: each module has its own `thiserror` enum; nothing here panics on input.

pub mod advisory;
pub mod case;
pub mod catalog;
pub mod clock;
pub mod cvss;
pub mod policy;
pub mod report;
