//! The product catalog's rules: how versions of a product are ordered (`semver`, `dotted`
//! numeric of any depth, or a `declared` list for firmware that follows no scheme), version
//! ranges such as `>= 1.2.0, < 1.4.1` read under that order, markets (ISO 3166-1 codes) and
//! support states. Pure: the application stores products, models and versions.

mod market;
mod range;
mod support;
mod version;

pub use market::{EU_MEMBER_STATES, Market, MarketError};
pub use range::{Bound, Op, RangeError, VersionRange};
pub use support::SupportStatus;
pub use version::{VersionError, VersionKey, VersionOrder, VersionScheme};
