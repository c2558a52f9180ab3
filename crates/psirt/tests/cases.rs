//! Case handling end to end through the API: the full lifecycle under each seed preset with a
//! fake clock (deadline states asserted at each step), guards, the two-person rule,
//! need-to-know on every list and count, stale versions, and the audit trail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use common::{TestApp, report};
use jiff::SignedDuration;
use psirt_domain::report::Role;
use serde_json::{Value, json};

struct Staff<'a> {
    t: &'a TestApp,
    token: String,
}

impl Staff<'_> {
    async fn get(&self, path: &str) -> (u16, Value) {
        self.t.get_json(path, &self.token).await
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .t
            .http
            .request(method, self.t.url(path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn case(&self, reference: &str) -> Value {
        let (status, case) = self.get(&format!("/api/v1/cases/{reference}")).await;
        assert_eq!(status, 200, "{case}");
        case
    }

    async fn act(&self, reference: &str, action: &str, extra: Value) -> (u16, Value) {
        let version = self.case(reference).await["version"].clone();
        let mut body = json!({"version": version});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        self.send(
            reqwest::Method::POST,
            &format!("/api/v1/cases/{reference}/actions/{action}"),
            body,
        )
        .await
    }

    async fn ok(&self, reference: &str, action: &str, extra: Value) -> Value {
        let (status, body) = self.act(reference, action, extra).await;
        assert_eq!(status, 200, "{action}: {body}");
        body
    }

    async fn patch(&self, reference: &str, fields: Value) -> (u16, Value) {
        let version = self.case(reference).await["version"].clone();
        let mut body = json!({"version": version});
        if let (Some(b), Some(e)) = (body.as_object_mut(), fields.as_object()) {
            b.extend(e.clone());
        }
        self.send(
            reqwest::Method::PATCH,
            &format!("/api/v1/cases/{reference}"),
            body,
        )
        .await
    }
}

async fn staff<'a>(t: &'a TestApp, email: &str, role: Role) -> Staff<'a> {
    Staff {
        t,
        token: t.staff(email, role).await,
    }
}

fn deadline<'a>(case: &'a Value, milestone: &str) -> &'a Value {
    case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["milestone"] == milestone)
        .unwrap_or_else(|| panic!("{milestone} missing: {case}"))
}

fn state(case: &Value, milestone: &str) -> String {
    deadline(case, milestone)["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Submits a report; returns its reference and tracking token.
async fn open_case(t: &TestApp, title: &str) -> (String, String) {
    let r: Value = t.submit(&report(title)).await.json().await.unwrap();
    (
        r["reference"].as_str().unwrap().to_owned(),
        r["tracking_token"].as_str().unwrap().to_owned(),
    )
}

fn advance(t: &TestApp, hours: i64) {
    t.clock.advance(SignedDuration::from_hours(hours));
}

/// Drives one case from received to closed, checking guards and deadlines on the way.
async fn full_lifecycle(policy: &str, grade: &str, checks: &[(&str, &str, &str)]) {
    let t = TestApp::spawn_with(|c| c.organization.policy = policy.into()).await;
    let pso = staff(&t, "pso@example.com", Role::Pso).await;
    let pso2 = staff(&t, "pso2@example.com", Role::Pso).await;
    let rd = staff(&t, "rd@example.com", Role::Rd).await;
    let qa = staff(&t, "qa@example.com", Role::Qa).await;
    let (reference, token) = open_case(&t, "Unsigned OTA image accepted").await;
    for who in ["rd@example.com", "qa@example.com"] {
        let (s, _) = pso
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/cases/{reference}/members"),
                json!({"email": who}),
            )
            .await;
        assert_eq!(s, 204);
    }
    let case = pso.case(&reference).await;
    assert_eq!(case["phase"], "received");
    assert_eq!(case["policy"], policy);
    assert!(
        case["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("acknowledge"))
    );
    let check = |case: &Value, step: &str| {
        for (at, milestone, want) in checks {
            if *at == step {
                assert_eq!(
                    state(case, milestone),
                    *want,
                    "{policy} {step}: {milestone} in {}",
                    case["deadlines"]
                );
            }
        }
    };
    check(&case, "received");

    advance(&t, 2);
    let case = pso.ok(&reference, "acknowledge", json!({})).await;
    check(&case, "acknowledged");
    pso.ok(&reference, "start_triage", json!({})).await;
    let (status, body) = pso.act(&reference, "confirm", json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("transition_not_allowed")),
        "{body}"
    );
    assert!(body["detail"].as_str().unwrap().contains("grade"));
    let (status, body) = pso
        .patch(
            &reference,
            json!({
                "grade": {"id": grade, "source": "decision", "rationale": "remote, unauthenticated, safety impact"},
                "cvss_v3_1": {"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "source": "psirt"},
                "cvss_v4_0": {"vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P", "source": "psirt"},
                "triage": {"applies_to_supported_product": true, "reproducible": true, "exploitable": true},
                "affected_versions": [{"product": "VoltGuard BMS", "version": "3.1.4"}],
                "cwe": "CWE-347",
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["grade"]["id"], grade);
    assert_eq!(body["cvss_v3_1"]["score"], "9.8");
    assert_eq!(body["cvss_v4_0"]["score"], "9.3");
    advance(&t, 3);
    let case = pso.ok(&reference, "confirm", json!({})).await;
    check(&case, "confirmed");
    let case = pso.ok(&reference, "start_remediation", json!({})).await;
    let tasks = case["tasks"].as_array().unwrap().clone();
    assert!(tasks.len() >= 4, "{tasks:?}");
    let (status, body) = pso.act(&reference, "release", json!({})).await;
    assert_eq!(status, 409, "release needs the fix verified: {body}");
    advance(&t, 5);
    for task in tasks.iter().filter(|t| t["kind"] == "fix") {
        let path = format!(
            "/api/v1/cases/{reference}/tasks/{}",
            task["id"].as_str().unwrap()
        );
        let v = rd.case(&reference).await;
        assert_eq!(v["phase"], "remediation");
        let (s, b) = rd
            .send(
                reqwest::Method::PATCH,
                &path,
                json!({"version": v["version"], "state": "verified"}),
            )
            .await;
        assert_eq!(s, 403, "RD cannot verify: {b}");
        // Evidence as multipart: the text and a test report file.
        let form = reqwest::multipart::Form::new()
            .text("version", v["version"].to_string())
            .text("state", "done")
            .text("evidence", "signed images, commit abc123")
            .part(
                "attachments",
                reqwest::multipart::Part::bytes(b"all 212 tests passed".to_vec())
                    .file_name("regression.log"),
            );
        let r = t
            .http
            .patch(t.url(&path))
            .bearer_auth(&rd.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let b: Value = r.json().await.unwrap();
        let done = b["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == task["id"])
            .unwrap()
            .clone();
        assert_eq!(done["state"], "done", "{b}");
        let file = &done["evidence_files"][0];
        assert_eq!(file["file_name"], "regression.log");
        let download = t
            .http
            .get(t.url(file["download"].as_str().unwrap()))
            .bearer_auth(&qa.token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            download.text().await.unwrap(),
            "all 212 tests passed",
            "QA reads the evidence"
        );
        let v = qa.case(&reference).await;
        let (s, b) = qa
            .send(
                reqwest::Method::PATCH,
                &path,
                json!({"version": v["version"], "state": "verified"}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }
    let case = pso.ok(&reference, "release", json!({})).await;
    check(&case, "released");
    let (status, body) = pso.act(&reference, "approve_disclosure", json!({})).await;
    assert_eq!(
        status, 409,
        "the releaser cannot approve disclosure: {body}"
    );
    pso2.ok(&reference, "approve_disclosure", json!({})).await;
    advance(&t, 1);
    let case = pso.ok(&reference, "disclose", json!({})).await;
    check(&case, "disclosed");
    pso.ok(&reference, "start_post_release", json!({})).await;
    let (status, _) = pso.act(&reference, "close", json!({})).await;
    assert_eq!(status, 409, "close needs a post-mortem");
    let (status, body) = pso
        .patch(&reference, json!({"post_mortem": {"root_cause": "CRC instead of signature", "cwe": "CWE-347", "coding_standards": "all images signed", "test_cases": "unsigned image rejected"}}))
        .await;
    assert_eq!(status, 200, "{body}");
    let case = pso.ok(&reference, "close", json!({})).await;
    assert_eq!(
        (case["phase"].as_str(), case["resolution"].as_str()),
        (Some("closed"), Some("fixed"))
    );
    check(&case, "closed");

    // The reporter followed along.
    let tracking: Value = t
        .http
        .get(t.url(&format!("/api/v1/track/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tracking["status"], "closed");
    assert!(
        tracking["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["body"].as_str().unwrap().contains("confirmed"))
    );
}

#[tokio::test]
async fn lifecycle_under_bms_asil() {
    full_lifecycle(
        "bms-asil",
        "critical",
        &[
            ("received", "verification", "pending"),
            ("confirmed", "verification", "met"),
            ("confirmed", "critical-initial-response", "met"),
            ("confirmed", "critical-fix-tested", "pending"),
            ("released", "critical-fix-tested", "met"),
            ("released", "critical-ota-patch", "met"),
            ("closed", "critical-full-remediation", "met"),
        ],
    )
    .await;
}

#[tokio::test]
async fn lifecycle_under_cvd_cvss() {
    full_lifecycle(
        "cvd-cvss",
        "critical",
        &[
            ("received", "email-confirmation", "pending"),
            ("acknowledged", "email-confirmation", "met"),
        ],
    )
    .await;
}

#[tokio::test]
async fn lifecycle_under_iec62443() {
    full_lifecycle(
        "iec62443",
        "critical",
        &[
            ("received", "initial-assessment", "pending"),
            ("confirmed", "initial-assessment", "met"),
            ("confirmed", "critical-early-notification", "pending"),
            ("confirmed", "critical-patch", "pending"),
            ("released", "critical-patch", "met"),
        ],
    )
    .await;
}

#[tokio::test]
async fn lifecycle_under_consumer_5tier() {
    full_lifecycle(
        "consumer-5tier",
        "serious",
        &[
            ("confirmed", "serious-confirmation", "met"),
            ("confirmed", "serious-processing", "pending"),
            ("released", "serious-processing", "met"),
        ],
    )
    .await;
}

#[tokio::test]
async fn lifecycle_under_default() {
    full_lifecycle(
        "default",
        "critical",
        &[
            ("received", "acknowledgement", "pending"),
            ("acknowledged", "acknowledgement", "met"),
            ("confirmed", "initial-assessment", "met"),
            ("released", "critical-remediation", "met"),
            ("disclosed", "advisory-after-fix", "met"),
            ("disclosed", "disclosure-target", "met"),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_late_milestone_stays_recorded_as_breached() {
    let t = TestApp::spawn().await;
    let pso = staff(&t, "pso@example.com", Role::Pso).await;
    let (reference, _) = open_case(&t, "late").await;
    advance(&t, 24 * 10);
    let case = pso.case(&reference).await;
    assert_eq!(state(&case, "acknowledgement"), "breached");
    let case = pso.ok(&reference, "acknowledge", json!({})).await;
    let ack = deadline(&case, "acknowledgement");
    assert_eq!(ack["state"], "met_late");
    assert_eq!(
        ack["breached_at"],
        Value::Null,
        "recorded by the write that met it, visible on the next read"
    );
    let case = pso.case(&reference).await;
    assert!(
        deadline(&case, "acknowledgement")["breached_at"].is_string(),
        "{case}"
    );
}

#[tokio::test]
async fn the_two_person_rule_and_reporter_notices() {
    let t = TestApp::spawn().await;
    let alice = staff(&t, "alice@example.com", Role::Pso).await;
    let bob = staff(&t, "bob@example.com", Role::Pso).await;
    let (reference, token) = open_case(&t, "Slow web page").await;
    let (status, body) = alice
        .act(
            &reference,
            "propose_not_security_issue",
            json!({"reason": "a performance bug"}),
        )
        .await;
    assert_eq!(status, 422, "needs the bug reference: {body}");
    assert_eq!(body["errors"][0]["field"], "bug_reference");
    let case = alice
        .ok(
            &reference,
            "propose_not_security_issue",
            json!({"reason": "a performance bug", "bug_reference": "BUG-1234"}),
        )
        .await;
    assert_eq!(
        case["phase"], "received",
        "a proposal alone changes nothing"
    );
    assert_eq!(case["pending_decision"]["resolution"], "not_security_issue");
    let (status, body) = alice.act(&reference, "approve_decision", json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("transition_not_allowed"))
    );
    assert!(
        body["detail"].as_str().unwrap().contains("second"),
        "{body}"
    );
    let case = bob.ok(&reference, "approve_decision", json!({})).await;
    assert_eq!(
        (case["phase"].as_str(), case["resolution"].as_str()),
        (Some("closed"), Some("not_security_issue"))
    );
    assert_eq!(case["resolution_reason"], "a performance bug");
    let tracking: Value = t
        .http
        .get(t.url(&format!("/api/v1/track/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tracking["status"], "closed (not security issue)");
    assert!(
        tracking["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["body"].as_str().unwrap().contains("BUG-1234")),
        "{tracking}"
    );
}

#[tokio::test]
async fn asking_the_reporter_pauses_until_they_answer() {
    let t = TestApp::spawn_with(|c| c.organization.policy = "iec62443".into()).await;
    let pso = staff(&t, "pso@example.com", Role::Pso).await;
    let (reference, token) = open_case(&t, "needs more").await;
    pso.ok(&reference, "acknowledge", json!({})).await;
    pso.ok(&reference, "start_triage", json!({})).await;
    let before = deadline(&pso.case(&reference).await, "initial-assessment")["due_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let case = pso
        .ok(
            &reference,
            "request_info",
            json!({"reason": "Which firmware build?"}),
        )
        .await;
    assert_eq!(case["waiting_for_reporter"], true);
    let tracking: Value = t
        .http
        .get(t.url(&format!("/api/v1/track/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tracking["status"], "waiting for your answer");
    assert!(
        tracking["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["body"]
                .as_str()
                .unwrap()
                .contains("Which firmware build?")),
        "{tracking}"
    );
    advance(&t, 48);
    let r = t
        .http
        .post(t.url(&format!("/api/v1/track/{token}/messages")))
        .json(&json!({"body": "Build 3.1.4-b77"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let case = pso.case(&reference).await;
    assert_eq!(case["waiting_for_reporter"], false);
    let after = deadline(&case, "initial-assessment")["due_at"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        after > before,
        "seed 002 pauses its clocks while waiting: {before} → {after}"
    );
}

#[tokio::test]
async fn duplicates_merge_into_the_original() {
    let t = TestApp::spawn().await;
    let pso = staff(&t, "pso@example.com", Role::Pso).await;
    let (original, _) = open_case(&t, "CAN injection").await;
    let (dup, dup_token) = open_case(&t, "CAN injection again").await;
    let (status, body) = pso
        .act(
            &dup,
            "mark_duplicate",
            json!({"reason": "same issue", "duplicate_of": dup}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let case = pso
        .ok(
            &dup,
            "mark_duplicate",
            json!({"reason": "same issue", "duplicate_of": original}),
        )
        .await;
    assert_eq!(
        (case["resolution"].as_str(), case["duplicate_of"].as_str()),
        (Some("duplicate"), Some(original.as_str()))
    );
    let orig = pso.case(&original).await;
    assert_eq!(orig["reports"], json!([original, dup]));
    let tracking: Value = t
        .http
        .get(t.url(&format!("/api/v1/track/{dup_token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tracking["status"], "closed (duplicate)");
    assert!(
        !tracking.to_string().contains(&original),
        "the reporter is not told another case's reference"
    );
}

#[tokio::test]
async fn stale_versions_and_bad_input_are_refused() {
    let t = TestApp::spawn().await;
    let pso = staff(&t, "pso@example.com", Role::Pso).await;
    let (reference, _) = open_case(&t, "x").await;
    let v = pso.case(&reference).await["version"].as_i64().unwrap();
    let (s, _) = pso
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/cases/{reference}/actions/acknowledge"),
            json!({"version": v}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, body) = pso
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/cases/{reference}/actions/start_triage"),
            json!({"version": v}),
        )
        .await;
    assert_eq!((s, body["code"].as_str()), (409, Some("stale_version")));
    let (s, body) = pso.act(&reference, "teleport", json!({})).await;
    assert_eq!(
        (s, body["errors"][0]["field"].as_str()),
        (422, Some("action"))
    );
    let (s, body) = pso
        .patch(
            &reference,
            json!({"grade": {"id": "apocalyptic", "rationale": "x"}}),
        )
        .await;
    assert_eq!(
        (s, body["errors"][0]["field"].as_str()),
        (422, Some("grade.id"))
    );
    let (s, body) = pso
        .patch(
            &reference,
            json!({"cvss_v3_1": {"vector": "CVSS:3.1/AV:N/AC:L"}}),
        )
        .await;
    assert_eq!(
        (s, body["errors"][0]["field"].as_str()),
        (422, Some("cvss_v3_1.vector"))
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("PR"),
        "names the missing metric: {body}"
    );
    let (s, body) = pso
        .patch(&reference, json!({"assignee": "ghost@example.com"}))
        .await;
    assert_eq!(
        (s, body["errors"][0]["field"].as_str()),
        (422, Some("assignee"))
    );
    let (s, body) = pso.patch(&reference, json!({"severity": "high"})).await;
    assert_eq!((s, body["code"].as_str()), (400, Some("unknown_field")));
}

#[tokio::test]
async fn need_to_know_on_every_list_and_count() {
    let t = TestApp::spawn().await;
    let pso = staff(&t, "pso@example.com", Role::Pso).await;
    let rd = staff(&t, "rd@example.com", Role::Rd).await;
    let mut refs = Vec::new();
    for title in [
        "BMS overcharge bypass",
        "Inverter Modbus write",
        "Cloud token leak",
    ] {
        refs.push(open_case(&t, title).await.0);
    }
    let (_, all) = pso.get("/api/v1/cases").await;
    assert_eq!(all["total"], 3);
    for path in [
        "/api/v1/cases",
        "/api/v1/cases?q=Modbus",
        "/api/v1/cases?phase=received",
        "/api/v1/cases?deadline=on_track",
        "/api/v1/reports",
    ] {
        let (status, list) = rd.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            (
                list["total"].as_i64(),
                list["items"].as_array().map(Vec::len)
            ),
            (Some(0), Some(0)),
            "{path}: {list}"
        );
    }
    for sub in ["", "/messages", "/audit"] {
        assert_eq!(
            rd.get(&format!("/api/v1/cases/{}{sub}", refs[1])).await.0,
            404,
            "{sub}"
        );
    }
    let (s, _) = pso
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/cases/{}/members", refs[1]),
            json!({"email": "rd@example.com"}),
        )
        .await;
    assert_eq!(s, 204);
    let (_, list) = rd.get("/api/v1/cases?q=Modbus").await;
    assert_eq!(
        (
            list["total"].as_i64(),
            list["items"][0]["reference"].as_str()
        ),
        (Some(1), Some(refs[1].as_str()))
    );
    assert_eq!(rd.get("/api/v1/cases").await.1["total"], 1);
    assert_eq!(rd.get(&format!("/api/v1/cases/{}", refs[1])).await.0, 200);
    assert_eq!(rd.get(&format!("/api/v1/cases/{}", refs[0])).await.0, 404);
    let (_, found) = pso.get("/api/v1/cases?q=bypass").await;
    assert_eq!(found["total"], 1, "full text: {found}");
    let (_, found) = pso.get("/api/v1/cases?q=Cloud%20token").await;
    assert_eq!(found["total"], 1, "{found}");
}

#[tokio::test]
async fn reads_and_writes_are_audited() {
    let t = TestApp::spawn().await;
    let pso = staff(&t, "pso@example.com", Role::Pso).await;
    let (reference, _) = open_case(&t, "audited").await;
    pso.ok(&reference, "acknowledge", json!({})).await;
    let (_, report) = pso.get(&format!("/api/v1/reports/{reference}")).await;
    assert_eq!(
        report["status"], "acknowledged",
        "a report's status follows its case"
    );
    let (status, trail) = pso.get(&format!("/api/v1/cases/{reference}/audit")).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.first(), Some(&"report.received"));
    assert!(
        actions.contains(&"case.read") && actions.contains(&"case.action.acknowledge"),
        "{actions:?}"
    );
    let support = staff(&t, "support@example.com", Role::Support).await;
    let (s, _) = pso
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/cases/{reference}/members"),
            json!({"email": "support@example.com"}),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(
        support
            .get(&format!("/api/v1/cases/{reference}/audit"))
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn markets_and_exploitation_decide_the_regimes() {
    let t = TestApp::spawn().await;
    let pso = staff(&t, "pso@example.com", Role::Pso).await;
    let (reference, _) = open_case(&t, "exploited in the wild").await;
    let case = pso.case(&reference).await;
    assert_eq!(case["regimes"], json!([]));
    let (s, case) = pso
        .patch(
            &reference,
            json!({"markets": {"eu": true, "cn": true},
                   "exploitation": {"aware_at": "2026-11-25T08:00:00Z", "source": "CERT notification"}}),
        )
        .await;
    assert_eq!(s, 200, "{case}");
    assert_eq!(case["regimes"], json!(["cra", "miit"]));
    let early = deadline(&case, "cra-early-warning");
    assert_eq!(early["regime"], "cra");
    assert_eq!(
        early["due_at"], "2026-11-26T08:00:00Z",
        "24 h after awareness"
    );
    assert_eq!(
        deadline(&case, "cra-notification")["due_at"],
        "2026-11-28T08:00:00Z"
    );
    assert_eq!(deadline(&case, "miit-nvdb-report")["regime"], "miit");
    let (s, body) = pso
        .patch(
            &reference,
            json!({"exploitation": {"aware_at": "2030-01-01T00:00:00Z"}}),
        )
        .await;
    assert_eq!(
        (s, body["errors"][0]["field"].as_str()),
        (422, Some("exploitation.aware_at"))
    );
}
