//! The real clock: the only place psirt reads the system time.

use jiff::Timestamp;
use psirt_domain::clock::Clock;

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // This is the one sanctioned reading of the system time.
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}
