//! Conversions between domain values and the portable column types.

use jiff::Timestamp;

use super::StorageError;

/// A timestamp as stored: microseconds since the epoch.
pub fn micros(t: Timestamp) -> i64 {
    // i64 microseconds cover ±292,000 years: jiff's whole range fits.
    t.as_microsecond()
}

pub fn from_micros(us: i64) -> Result<Timestamp, StorageError> {
    Timestamp::from_microsecond(us)
        .map_err(|e| StorageError::Corrupt(format!("timestamp {us}: {e}")))
}

pub fn flag(b: bool) -> i64 {
    i64::from(b)
}
