//! Unit tests: error naming, canonical form, v4.0 nomenclature and supplemental metrics.

use super::*;

fn err(s: &str) -> CvssError {
    CvssVector::parse(s).unwrap_err()
}

#[test]
fn errors_name_the_wrong_token() {
    assert_eq!(err(""), CvssError::Empty);
    assert_eq!(err("  "), CvssError::Empty);
    assert_eq!(
        err("CVSS:3.2/AV:N"),
        CvssError::UnsupportedVersion {
            version: "3.2".into()
        }
    );
    assert_eq!(
        err("cvss:3.1/AV:N"),
        CvssError::WrongPrefix {
            found: "cvss:3.1".into()
        }
    );
    assert_eq!(
        err("CVSSv3:3.1/AV:N"),
        CvssError::WrongPrefix {
            found: "CVSSv3:3.1".into()
        }
    );
    assert_eq!(
        err("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        CvssError::MissingPrefix {
            metric: "PR".into()
        }
    );
    assert_eq!(
        err("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y"),
        CvssError::UnknownMetric {
            metric: "XX".into(),
            version: Version::V3_1
        }
    );
    assert_eq!(
        err("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        CvssError::DuplicateMetric { metric: "AV" }
    );
    assert_eq!(
        err("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"),
        CvssError::MissingMetric { metric: "A" }
    );
    assert_eq!(
        err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:Q/SA:H"),
        CvssError::UnknownValue {
            metric: "SI",
            value: "Q".into(),
            allowed: "H/L/N".into()
        }
    );
    // Values are case-sensitive, as in the specification.
    assert!(matches!(
        err("CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        CvssError::UnknownValue { metric: "AV", .. }
    ));
    assert_eq!(
        err("CVSS:3.1/AV:N//AC:L"),
        CvssError::EmptyComponent { position: 3 }
    );
    assert_eq!(
        err("AV:N/AC:L/Au:N/C:P/I:P/A:P/"),
        CvssError::EmptyComponent { position: 7 }
    );
    assert_eq!(
        err("CVSS:3.1/AV:N:X/AC:L"),
        CvssError::MalformedComponent {
            component: "AV:N:X".into()
        }
    );
    assert_eq!(
        err("CVSS:3.1/AVN"),
        CvssError::MalformedComponent {
            component: "AVN".into()
        }
    );
    assert!(err("CVSS:4.0/AV:N").to_string().contains("`AC`"));
}

#[test]
fn long_garbage_is_not_echoed_whole() {
    let garbage = format!("CVSS:3.1/{}:N", "A".repeat(10_000));
    let message = err(&garbage).to_string();
    assert!(message.len() < 200, "{message}");
}

#[test]
fn canonical_form_orders_metrics() {
    let v = CvssVector::parse("CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X").unwrap();
    assert_eq!(
        v.as_str(),
        "CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/E:F/RL:X"
    );
    assert_eq!(v.to_string(), v.as_str());
    assert_eq!(CvssVector::parse(v.as_str()).unwrap(), v);
    let v2 = CvssVector::parse("Au:N/AV:N/AC:L/C:P/I:P/A:P").unwrap();
    assert_eq!(v2.as_str(), "AV:N/AC:L/Au:N/C:P/I:P/A:P");
    assert_eq!(
        serde_json::to_string(&v2).unwrap(),
        "\"AV:N/AC:L/Au:N/C:P/I:P/A:P\""
    );
}

#[test]
fn v4_separates_base_threat_and_environmental() {
    let base = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
    let b = CvssVector::parse(base).unwrap();
    assert_eq!(
        (b.base_score().to_string(), b.nomenclature()),
        ("9.3".into(), Some(Nomenclature::B))
    );
    assert_eq!((b.threat_score(), b.environmental_score()), (None, None));

    let bt = CvssVector::parse(&format!("{base}/E:U")).unwrap();
    assert_eq!(bt.base_score().to_string(), "9.3");
    assert_eq!(bt.threat_score().map(|s| s.to_string()), Some("8.1".into())); // Red Hat cvss 3.6 and FIRST agree
    assert_eq!(bt.nomenclature(), Some(Nomenclature::BT));

    let bte = CvssVector::parse(&format!("{base}/E:U/MAV:P")).unwrap();
    assert_eq!(bte.base_score().to_string(), "9.3");
    assert_eq!(bte.threat_score(), bt.threat_score());
    assert_eq!(
        bte.environmental_score().map(|s| s.to_string()),
        Some("4.0".into())
    );
    assert_eq!(bte.overall_score(), bte.environmental_score().unwrap());
    assert_eq!(bte.nomenclature(), Some(Nomenclature::BTE));

    // `X` is "not defined": no threat score, no environmental score.
    let x = CvssVector::parse(&format!("{base}/E:X/CR:X")).unwrap();
    assert_eq!(x.nomenclature(), Some(Nomenclature::B));
}

#[test]
fn v4_supplemental_metrics() {
    let v = CvssVector::parse(
        "CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:N/VI:H/VA:H/SC:N/SI:H/SA:H/S:P/AU:N/R:I/V:C/RE:H/U:Red",
    )
    .unwrap();
    let s = v.supplemental().unwrap();
    assert_eq!(s.safety, Some(Safety::Present));
    assert_eq!(s.automatable, Some(Automatable::No));
    assert_eq!(s.recovery, Some(Recovery::Irrecoverable));
    assert_eq!(s.value_density, Some(ValueDensity::Concentrated));
    assert_eq!(s.response_effort, Some(ResponseEffort::High));
    assert_eq!(s.provider_urgency, Some(ProviderUrgency::Red));
    // Supplemental metrics never change the score.
    let plain =
        CvssVector::parse("CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:N/VI:H/VA:H/SC:N/SI:H/SA:H")
            .unwrap();
    assert_eq!(v.overall_score(), plain.overall_score());
    assert_eq!(plain.supplemental(), Some(Supplemental::default()));
    assert_eq!(
        CvssVector::parse("AV:N/AC:L/Au:N/C:P/I:P/A:P")
            .unwrap()
            .supplemental(),
        None
    );
}

#[test]
fn score_display_and_json() {
    assert_eq!(Score::from_tenths(98).unwrap().to_string(), "9.8");
    assert_eq!(Score::from_tenths(0).unwrap().to_string(), "0.0");
    assert_eq!(Score::MAX.to_string(), "10.0");
    assert_eq!(Score::from_tenths(101), None);
    assert_eq!(
        serde_json::to_string(&Score::from_tenths(98).unwrap()).unwrap(),
        "9.8"
    );
}

mod never_panics {
    use super::super::CvssVector;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn on_arbitrary_strings(s in ".{0,200}") {
            let _ = CvssVector::parse(&s);
        }

        #[test]
        fn on_vector_like_strings(s in "(CVSS:[234]\\.[01]/)?([A-Za-z]{1,4}:[A-Za-z]{0,5}/?){0,40}") {
            if let Ok(v) = CvssVector::parse(&s) {
                // Whatever parses scores within range and re-parses from its canonical form.
                prop_assert!(v.overall_score().tenths() <= 100);
                prop_assert_eq!(CvssVector::parse(v.as_str()).ok(), Some(v.clone()));
                let _ = v.csaf_scores();
            }
        }
    }
}
