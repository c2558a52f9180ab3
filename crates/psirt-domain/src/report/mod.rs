//! Reports as they arrive: the reference they get, who sent them, and the intake form parsed
//! into a [`NewReport`] that can only exist when every field is valid.
//!
//! The web form, the JSON API and (later) e-mail intake all go through [`ReportForm::parse`], so
//! one set of rules and one set of error codes serves every channel.

mod email;
mod fields;
mod form;
mod reference;
mod role;

pub use email::EmailAddress;
pub use fields::{FieldError, FieldErrors};
pub use form::{Channel, MessageForm, NewMessage, NewReport, ReportForm, ReporterDetails};
pub use reference::{Reference, ReferenceError};
pub use role::{Role, UnknownRole};
