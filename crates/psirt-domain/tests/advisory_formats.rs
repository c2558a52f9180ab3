//! Every publication format rendered from realistic documents and validated against the
//! official schemas in `shared/corpora` (offline: `$ref`'d schemas are registered locally).
//! The rendered files are written to `target/exports/{csaf,cve,osv,openvex}/`, where
//! `.ci/validate-exports` runs the independent validators (csaf-validator-lib's mandatory
//! tests, cvelib, check-jsonschema) on them.
//!
//! The corpora are found through `PSIRT_CORPORA` (default `../shared/corpora` beside the
//! repository); a missing corpus fails the tests.

// A test crate: helpers outside `#[test]` fns may panic like the tests themselves (clippy.toml).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "advisory_formats/fixtures.rs"]
mod fixtures;

use std::fs;
use std::path::{Path, PathBuf};

use jsonschema::{Registry, Validator};
use psirt_domain::advisory::{
    AdvisoryDoc, DocKind, csaf, csaf_file_name, csaf_problems, cve, openvex, osv,
};
use serde_json::Value;

fn corpora() -> PathBuf {
    let dir = std::env::var_os("PSIRT_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"));
    assert!(
        dir.is_dir(),
        "test corpora not found at {} (set PSIRT_CORPORA)",
        dir.display()
    );
    dir
}

fn load(relative: &str) -> Value {
    let path = corpora().join(relative);
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn validator(schema: &str) -> Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&load(schema))
        .unwrap()
}

/// The CSAF 2.0 schema with the FIRST CVSS schemas it `$ref`s by URL, registered locally.
fn csaf_validator() -> Validator {
    let mut registry = Registry::new();
    for version in ["2.0", "3.0", "3.1"] {
        let schema = load(&format!(
            "csaf/csaf_2.0/referenced_schema/first/cvss-v{version}.json"
        ));
        registry = registry
            .add(
                format!("https://www.first.org/cvss/cvss-v{version}.json"),
                schema,
            )
            .unwrap();
    }
    let registry = registry.prepare().unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&load("csaf/csaf_2.0/json_schema/csaf_json_schema.json"))
        .unwrap()
}

fn assert_valid(validator: &Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("  {} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is invalid:\n{}\n{}",
        errors.join("\n"),
        serde_json::to_string_pretty(doc).unwrap()
    );
}

fn documents() -> Vec<AdvisoryDoc> {
    vec![
        fixtures::bms_advisory(),
        fixtures::green_advisory(),
        fixtures::notice(),
    ]
}

/// `target/exports/{format}/`, emptied first so CI never validates a stale file.
fn export_dir(format: &str) -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let dir = target.join("exports").join(format);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, value: &Value) {
    fs::write(
        dir.join(name),
        serde_json::to_string_pretty(value).unwrap() + "\n",
    )
    .unwrap();
}

/// One test renders, validates and exports everything, so the export folders are written once.
#[test]
fn every_format_is_schema_valid_and_exported() {
    let csaf_schema = csaf_validator();
    let cna_schema = validator("cve/cvelib/schemas/CVE_JSON_cnaPublishedContainer_5.1.1.json");
    let record_schema = validator("cve/cvelib/schemas/CVE_JSON_bundled_5.1.1.json");
    let osv_schema = validator("osv/validation/schema.json");
    let vex_schema = validator("openvex/openvex_json_schema.json");
    let dirs = ["csaf", "cve", "osv", "openvex"].map(export_dir);
    let mut counts = [0usize; 4];

    for doc in documents() {
        assert_eq!(csaf_problems(&doc), vec![], "{} has CSAF problems", doc.id);
        let rendered = csaf::render(&doc);
        assert_valid(&csaf_schema, &rendered, &format!("CSAF {}", doc.id));
        write(&dirs[0], &csaf_file_name(&doc.id), &rendered);
        counts[0] += 1;

        for vuln in &doc.vulnerabilities {
            let Some(id) = &vuln.cve else { continue };
            if doc.kind == DocKind::Notice {
                continue;
            }
            let cna = cve::render_cna(&doc, vuln);
            assert_valid(&cna_schema, &cna, &format!("CVE CNA container {id}"));
            write(&dirs[1], &format!("{id}.json"), &cna);
            let record = cve::render_record(&doc, vuln).unwrap();
            assert_valid(&record_schema, &record, &format!("CVE record {id}"));
            write(&dirs[1], &format!("{id}.record.json"), &record);
            counts[1] += 2;
        }

        for record in osv::render(&doc) {
            let id = record["id"].as_str().unwrap().to_owned();
            assert_valid(&osv_schema, &record, &format!("OSV {id}"));
            write(&dirs[2], &format!("{id}.json"), &record);
            counts[2] += 1;
        }

        if let Some(vex) = openvex::render(&doc) {
            assert_valid(&vex_schema, &vex, &format!("OpenVEX {}", doc.id));
            write(&dirs[3], &csaf_file_name(&doc.id), &vex);
            counts[3] += 1;
        }
    }
    // 3 CSAF documents; 2 CVEs as container and record; 3 OSV records; 2 OpenVEX documents.
    assert_eq!(counts, [3, 4, 3, 2]);
}

#[test]
fn csaf_advisory_carries_products_scores_and_v4_note() {
    let doc = csaf::render(&fixtures::bms_advisory());
    assert_eq!(doc["document"]["category"], "csaf_security_advisory");
    assert_eq!(doc["document"]["tracking"]["version"], "2");
    assert_eq!(
        doc["document"]["distribution"]["tlp"]["url"],
        "https://www.first.org/tlp/"
    );
    assert_eq!(doc["document"]["aggregate_severity"]["text"], "Critical");
    let vendor = &doc["product_tree"]["branches"][0];
    assert_eq!(vendor["category"], "vendor");
    assert_eq!(
        vendor["branches"].as_array().unwrap().len(),
        2,
        "one vendor branch holds both products"
    );
    let family = &vendor["branches"][0];
    assert_eq!(family["category"], "product_family");
    assert_eq!(family["branches"][1]["name"], "BMS Controller rev B");
    assert_eq!(
        family["branches"][1]["branches"][0]["product"]["product_id"],
        "BMSC-B-3.1.4"
    );

    let first = &doc["vulnerabilities"][0];
    assert_eq!(first["cve"], "CVE-2026-10001");
    assert_eq!(
        first["scores"][0]["cvss_v3"]["exploitCodeMaturity"],
        "PROOF_OF_CONCEPT"
    );
    assert_eq!(first["scores"][0]["products"].as_array().unwrap().len(), 4);
    assert_eq!(first["notes"][1]["title"], "CVSS v4.0");
    assert!(
        first["notes"][1]["text"]
            .as_str()
            .unwrap()
            .starts_with("CVSS:4.0/AV:A")
    );
    // A remediation without products applies to the affected ones (test 6.1.29).
    let modbus = &doc["vulnerabilities"][1];
    assert_eq!(
        modbus["remediations"][0]["product_ids"],
        serde_json::json!(["BGW-1.4.0", "BGW-1.4.2"])
    );
}

#[test]
fn csaf_notice_is_an_informational_advisory_without_vulnerabilities() {
    let doc = csaf::render(&fixtures::notice());
    assert_eq!(doc["document"]["category"], "csaf_informational_advisory");
    assert!(doc.get("vulnerabilities").is_none());
    assert!(doc.get("product_tree").is_none());
    assert_eq!(doc["document"]["notes"][0]["category"], "summary");
    assert!(osv::render(&fixtures::notice()).is_empty());
    assert!(openvex::render(&fixtures::notice()).is_none());
}

#[test]
fn csaf_problems_name_what_would_make_the_document_invalid() {
    let mut doc = fixtures::bms_advisory();
    doc.products[1].versions[0].product_id = "BGW-1.4.2".into();
    doc.revisions[1].number = "3".into();
    doc.products[0].versions[0].version = "3.0.0 and later".into();
    let vuln = &mut doc.vulnerabilities[0];
    vuln.fixed.push("BGW-1.4.2".into());
    vuln.known_affected.push("NOPE-1".into());
    doc.vulnerabilities[1].cve = Some("CVE-2026-10001".into());
    let fields: Vec<String> = csaf_problems(&doc).into_iter().map(|p| p.field).collect();
    for expected in [
        "products[1].versions[1].product_id",
        "revisions[1].number",
        "products[0].versions[0].version",
        "vulnerabilities[0].fixed",
        "vulnerabilities[0].known_affected",
        "vulnerabilities[1].cve",
    ] {
        assert!(
            fields.iter().any(|f| f == expected),
            "{expected} not reported in {fields:?}"
        );
    }

    let mut notice = fixtures::notice();
    notice.references.clear();
    let problems = csaf_problems(&notice);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("6.1.27.2"), "{}", problems[0]);
}

#[test]
fn cve_lists_versions_by_status_and_both_cvss_versions() {
    let doc = fixtures::bms_advisory();
    let cna = cve::render_cna(&doc, &doc.vulnerabilities[0]);
    assert_eq!(
        cna["providerMetadata"]["orgId"],
        "2f0d1f3a-6b1e-4c8e-9f5e-1d2c3b4a5f60"
    );
    let affected = cna["affected"].as_array().unwrap();
    assert_eq!(
        affected.len(),
        3,
        "rev A, rev B and the gateway: {affected:?}"
    );
    assert_eq!(affected[0]["product"], "BMS Controller rev A");
    assert_eq!(
        affected[0]["versions"],
        serde_json::json!([
            {"version": "3.0.0", "status": "affected"},
            {"version": "3.1.4", "status": "affected"},
            {"version": "3.2.0", "status": "unaffected"}
        ])
    );
    assert_eq!(cna["metrics"][0]["cvssV3_1"]["baseSeverity"], "CRITICAL");
    assert_eq!(cna["metrics"][0]["cvssV4_0"]["version"], "4.0");
    assert_eq!(
        cna["problemTypes"][0]["descriptions"][0]["cweId"],
        "CWE-347"
    );
    assert_eq!(cna["credits"][0]["type"], "reporter");
    let green = fixtures::green_advisory();
    assert!(
        cve::render_record(&green, &green.vulnerabilities[0]).is_none(),
        "no CVE id, no record"
    );
}

#[test]
fn osv_records_use_x_ids_cve_aliases_and_semver_ranges() {
    let records = osv::render(&fixtures::bms_advisory());
    assert_eq!(records.len(), 2);
    let first = &records[0];
    assert_eq!(first["id"], "x_PSIRT-2026-0007");
    assert_eq!(first["aliases"], serde_json::json!(["CVE-2026-10001"]));
    assert_eq!(first["severity"][1]["type"], "CVSS_V4");
    let rev_a = &first["affected"][0];
    assert_eq!(rev_a["versions"], serde_json::json!(["3.0.0", "3.1.4"]));
    assert_eq!(
        rev_a["ranges"][0]["events"],
        serde_json::json!([{"introduced": "3.0.0"}, {"fixed": "3.2.0"}])
    );
    assert_eq!(
        rev_a["database_specific"]["purls"][0],
        "pkg:generic/Vigil%20Storage%20Systems/BMS%20Controller%20rev%20A@3.0.0"
    );
    // "2.4" is not MAJOR.MINOR.PATCH: versions only, no range.
    let green = osv::render(&fixtures::green_advisory());
    assert!(green[0]["affected"][0].get("ranges").is_none());
}

#[test]
fn openvex_states_affected_with_actions_and_fixed() {
    let vex = openvex::render(&fixtures::bms_advisory()).unwrap();
    assert_eq!(vex["@context"], "https://openvex.dev/ns/v0.2.0");
    assert_eq!(vex["version"], 2);
    let statements = vex["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 4);
    assert_eq!(statements[0]["status"], "affected");
    assert!(
        statements[0]["action_statement"]
            .as_str()
            .unwrap()
            .contains("3.2.0")
    );
    assert_eq!(statements[1]["status"], "fixed");
    assert_eq!(
        statements[1]["products"][2]["@id"],
        "pkg:generic/vigil/battery-gateway@1.5.0"
    );
}
