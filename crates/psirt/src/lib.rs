//! psirt: a self-hosted PSIRT platform. Layers, outermost last:
//! [`psirt_domain`] (pure rules) ← [`app`] (use cases) ← [`storage`] (SQL, files) ←
//! [`web`] and [`cli`] (adapters). See docs/ARCHITECTURE.md.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod server;
pub mod storage;
pub mod telemetry;
pub mod web;
