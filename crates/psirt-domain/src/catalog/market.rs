//! Markets a version is placed on: ISO 3166-1 alpha-2 country codes (the EU member states,
//! `CN`, any other country), plus `EU` for the whole Union. The EU CRA applies when a market is
//! in the Union, China's MIIT rules when it is `CN`.

use std::fmt;

/// The 27 member states of the European Union (ISO 3166-1: Greece is `GR`).
pub const EU_MEMBER_STATES: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ISO_3166_1: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN \
BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE \
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM \
PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS \
ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS \
YE YT ZA ZM ZW";

/// One market: a country code or `EU`. Upper case once parsed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Market(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a market: use ISO 3166-1 alpha-2 country codes (DE, FR, CN, US, …) or EU")]
pub struct MarketError(pub String);

impl Market {
    pub fn parse(text: &str) -> Result<Self, MarketError> {
        let code = text.trim().to_ascii_uppercase();
        let known =
            code == "EU" || (code.len() == 2 && ISO_3166_1.split(' ').any(|c| c == code.as_str()));
        if known {
            Ok(Market(code))
        } else {
            Err(MarketError(text.to_owned()))
        }
    }

    /// A list separated by commas, semicolons or spaces (as in a CSV cell), sorted, each once.
    pub fn parse_list(text: &str) -> Result<Vec<Market>, MarketError> {
        let mut out = Vec::new();
        for part in text.split([',', ';', ' ']).filter(|p| !p.trim().is_empty()) {
            out.push(Market::parse(part)?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Union or one of its member states.
    pub fn is_eu(&self) -> bool {
        self.0 == "EU" || EU_MEMBER_STATES.contains(&self.0.as_str())
    }

    pub fn is_china(&self) -> bool {
        self.0 == "CN"
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markets_are_iso_codes() {
        assert_eq!(ISO_3166_1.split(' ').count(), 249);
        assert!(Market::parse("de").unwrap().is_eu());
        assert!(Market::parse("EU").unwrap().is_eu());
        assert!(Market::parse("CN").unwrap().is_china());
        assert!(!Market::parse("US").unwrap().is_eu());
        for bad in ["EL", "XX", "DEU", "", "U"] {
            assert!(Market::parse(bad).is_err(), "{bad:?}");
        }
        let list = Market::parse_list("FR; de,CN  FR").unwrap();
        let codes: Vec<&str> = list.iter().map(Market::as_str).collect();
        assert_eq!(codes, ["CN", "DE", "FR"]);
        for code in EU_MEMBER_STATES {
            assert!(Market::parse(code).is_ok(), "{code}");
        }
    }
}
