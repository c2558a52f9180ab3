//! The demo's living cases: the demo reports walked through the lifecycle with the same use
//! cases staff call (every guard applies), and published advisories and a notice.

use psirt_domain::case::TaskKind;

use super::{
    App, AppError, Staff,
    advisories::{self, AdvisoryInput, CaseLink},
    cases::{
        self, ActionRequest, CasePatch, CvssInput, GradeInput, PostMortem, TaskUpdate, VersionInput,
    },
};

/// Who does what in the demo (two PSOs for the four-eyes steps).
pub struct Team {
    pub pso: Staff,
    pub pso2: Staff,
    pub rd: Staff,
    pub qa: Staff,
}

/// How far one demo case goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Goal {
    Received,
    Acknowledged,
    Triage,
    Confirmed,
    Remediation,
    Release,
    Disclosed,
    PostRelease,
    Closed,
}

/// The assessment of one demo case.
pub struct Assessment<'a> {
    pub grade_rank: usize,
    pub cvss_v31: &'a str,
    pub cwe: &'a str,
    pub product: &'a str,
    pub affected: &'a str,
    pub fixed: &'a str,
    pub cve: &'a str,
}

async fn act(
    app: &App,
    who: &Staff,
    reference: &str,
    action: &str,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let version = cases::get(app, who, reference).await?.version;
    let req = ActionRequest {
        version,
        reason: reason.map(str::to_owned),
        ..ActionRequest::default()
    };
    cases::act(app, who, reference, action, req)
        .await
        .map(|_| ())
}

/// Walks one case to `goal`, publishing its advisory once it is disclosed.
pub async fn walk(
    app: &App,
    team: &Team,
    reference: &str,
    goal: Goal,
    a: &Assessment<'_>,
    title: &str,
) -> Result<(), AppError> {
    if goal == Goal::Received {
        return Ok(());
    }
    act(app, &team.pso, reference, "acknowledge", None).await?;
    if goal == Goal::Acknowledged {
        return Ok(());
    }
    for who in [&team.rd, &team.qa] {
        cases::grant_member(app, &team.pso, reference, &who.email).await?;
    }
    act(app, &team.pso, reference, "start_triage", None).await?;
    let grade = app
        .policy
        .grades
        .get(a.grade_rank)
        .or(app.policy.grades.first())
        .map(|g| g.id.clone())
        .unwrap_or_default();
    let version = cases::get(app, &team.pso, reference).await?.version;
    let patch = CasePatch {
        version,
        grade: Some(GradeInput {
            id: grade,
            source: Some("decision".into()),
            rationale: "Remote attack on a safety function".into(),
        }),
        cvss_v3_1: Some(CvssInput {
            vector: a.cvss_v31.into(),
            source: Some("psirt".into()),
            rationale: None,
        }),
        cwe: Some(a.cwe.into()),
        triage: Some(psirt_domain::case::TriageAnswers {
            applies_to_supported_product: Some(true),
            reproducible: Some(true),
            exploitable: Some(true),
        }),
        affected_versions: Some(vec![VersionInput {
            product: a.product.into(),
            version: a.affected.into(),
        }]),
        fixed_versions: Some(vec![VersionInput {
            product: a.product.into(),
            version: a.fixed.into(),
        }]),
        ..CasePatch::default()
    };
    cases::update(app, &team.pso, reference, patch).await?;
    if goal == Goal::Triage {
        return Ok(());
    }
    act(app, &team.pso, reference, "confirm", None).await?;
    if goal == Goal::Confirmed {
        return Ok(());
    }
    act(app, &team.pso, reference, "start_remediation", None).await?;
    if goal == Goal::Remediation {
        return Ok(());
    }
    let fixes: Vec<String> = cases::get(app, &team.pso, reference)
        .await?
        .tasks
        .into_iter()
        .filter(|t| t.kind == TaskKind::Fix.as_str())
        .map(|t| t.id)
        .collect();
    for task in fixes {
        let version = cases::get(app, &team.rd, reference).await?.version;
        let done = TaskUpdate {
            version,
            state: "done".into(),
            evidence: Some(format!("Fixed in {}; regression suite green", a.fixed)),
        };
        cases::update_task(app, &team.rd, reference, &task, done, Vec::new()).await?;
        let version = cases::get(app, &team.qa, reference).await?.version;
        cases::update_task(
            app,
            &team.qa,
            reference,
            &task,
            TaskUpdate {
                version,
                state: "verified".into(),
                evidence: None,
            },
            Vec::new(),
        )
        .await?;
    }
    act(app, &team.pso, reference, "release", None).await?;
    if goal == Goal::Release {
        return Ok(());
    }
    act(app, &team.pso2, reference, "approve_disclosure", None).await?;
    act(app, &team.pso, reference, "disclose", None).await?;
    let input = AdvisoryInput {
        version: None,
        kind: None,
        title: title.into(),
        summary: format!(
            "{title}. Versions up to {} are affected; {} fixes it.",
            a.affected, a.fixed
        ),
        business_impact: Some(
            "An attacker could change the device's behaviour in the field.".into(),
        ),
        remediation: Some(format!(
            "Update {} to {} (over the air, from the download centre, or with the offline update tool).",
            a.product, a.fixed
        )),
        workarounds: None,
        tlp: None,
        embargo_until: None,
        embargo_zone: None,
        cases: vec![CaseLink {
            reference: reference.into(),
            cve: Some(a.cve.into()),
        }],
    };
    let draft = advisories::create(app, &team.pso, input).await?;
    let approved = advisories::approve(app, &team.pso2, &draft.id, draft.version).await?;
    advisories::publish::publish(app, &team.pso, &approved.id, approved.version, &[], None).await?;
    if goal == Goal::Disclosed {
        return Ok(());
    }
    act(app, &team.pso, reference, "start_post_release", None).await?;
    if goal == Goal::PostRelease {
        return Ok(());
    }
    let version = cases::get(app, &team.pso, reference).await?.version;
    let pm = PostMortem {
        root_cause: "A check was missing at a trust boundary".into(),
        cwe: Some(a.cwe.into()),
        coding_standards: "Every trust boundary validates authenticity".into(),
        test_cases: "A negative test for the missing check".into(),
    };
    cases::update(
        app,
        &team.pso,
        reference,
        CasePatch {
            version,
            post_mortem: Some(pm),
            ..CasePatch::default()
        },
    )
    .await?;
    act(app, &team.pso, reference, "close", None).await
}

/// A Security Notice answering a public topic, with no case.
pub async fn notice(app: &App, team: &Team) -> Result<(), AppError> {
    let input = AdvisoryInput {
        version: None,
        kind: Some("notice".into()),
        title: "Public discussion of Bluetooth pairing on portable power stations".into(),
        summary: "A conference talk discussed Bluetooth pairing weaknesses in consumer power stations. \
                  TrailCell products use authenticated LE Secure Connections pairing and are not affected."
            .into(),
        business_impact: None,
        remediation: None,
        workarounds: None,
        tlp: None,
        embargo_until: None,
        embargo_zone: None,
        cases: Vec::new(),
    };
    let draft = advisories::create(app, &team.pso, input).await?;
    let approved = advisories::approve(app, &team.pso2, &draft.id, draft.version).await?;
    advisories::publish::publish(app, &team.pso, &approved.id, approved.version, &[], None)
        .await
        .map(|_| ())
}
