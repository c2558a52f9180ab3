//! `psirt policy list | show ID | check FILE | deadlines …`: the built-in policy presets, a
//! check for custom policy files, and the due times a case would get.
//!
//! Data goes to stdout; a bad policy, grade, regime or event exits with code 2 and a one-line
//! reason on stderr (`check`: `file:line:col: field: message`). `deadlines` lists the policy's
//! milestones for the grade (pre-grading milestones for every grade), then those of the
//! regimes given with `--regime` and those the policy always applies (bms-asil: MIIT).

mod show;

use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use psirt_domain::policy::engine::{self, MilestoneStatus};
use psirt_domain::policy::regime::{self, Regime, RegimeId};
use psirt_domain::policy::timeline::Timeline;
use psirt_domain::policy::{Policy, StartEvent, presets};
use serde_json::json;

/// Arguments of `psirt policy`.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// List the built-in policy presets.
    List,
    /// Show a preset: grades, how they are derived, milestones, calendar.
    Show {
        /// Preset id (see `psirt policy list`).
        id: String,
    },
    /// Validate a custom policy file.
    Check {
        /// Policy file (TOML, see docs/POLICY-FORMAT.md).
        file: std::path::PathBuf,
    },
    /// Print each milestone of a case with its start event and due time.
    Deadlines(DeadlinesArgs),
}

#[derive(Debug, clap::Args)]
pub struct DeadlinesArgs {
    /// Preset id, or a path to a policy file ending in `.toml`.
    #[arg(long)]
    pub policy: String,
    /// Grade id (`critical`, `high`, …); without it only the pre-grading milestones.
    #[arg(long)]
    pub grade: Option<String>,
    /// Regulatory regime to apply on top of the policy: `cra` or `miit` (repeatable).
    #[arg(long = "regime", value_name = "cra|miit")]
    pub regimes: Vec<String>,
    /// An anchor event that happened: NAME=RFC3339, e.g. confirmed=2026-03-02T10:00:00+08:00.
    #[arg(long = "event", value_name = "NAME=RFC3339")]
    pub events: Vec<String>,
    /// Print `{"milestones": [...]}` as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command over `out`/`err` so it can be tested without a process.
pub fn run(args: &PolicyArgs, mut out: impl Write, mut err: impl Write) -> ExitCode {
    let result = match &args.command {
        PolicyCommand::List => list(&mut out),
        PolicyCommand::Show { id } => Policy::load_preset(id)
            .map_err(|e| Refusal::Input(e.to_string()))
            .and_then(|p| show::render(&p, &mut out).map_err(Refusal::Io)),
        PolicyCommand::Check { file } => check(file, &mut out),
        PolicyCommand::Deadlines(d) => deadlines(d, &mut out),
    };
    match result.and_then(|()| out.flush().map_err(Refusal::Io)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Refusal::Input(reason)) => {
            let _ = writeln!(err, "{}", reason.replace('\n', " "));
            ExitCode::from(2)
        }
        Err(Refusal::Io(e)) => {
            let _ = writeln!(err, "psirt policy: {e}");
            ExitCode::FAILURE
        }
    }
}

enum Refusal {
    /// Bad input: exit 2 with this one-line reason.
    Input(String),
    Io(std::io::Error),
}

fn list(out: &mut dyn Write) -> Result<(), Refusal> {
    for id in presets::ids() {
        let p = Policy::load_preset(id).map_err(|e| Refusal::Input(e.to_string()))?;
        let grades: Vec<&str> = p.grades.iter().map(|g| g.id.as_str()).collect();
        writeln!(out, "{id:<16} {} [{}]", p.name, grades.join(", ")).map_err(Refusal::Io)?;
    }
    Ok(())
}

fn check(file: &std::path::Path, out: &mut dyn Write) -> Result<(), Refusal> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|e| Refusal::Input(format!("{name}: cannot read: {e}")))?;
    let p = Policy::from_toml(&name, &text).map_err(|e| Refusal::Input(e.to_string()))?;
    writeln!(
        out,
        "{name}: ok: policy `{}` with {} grades and {} milestones",
        p.id,
        p.grades.len(),
        p.milestones.len()
    )
    .map_err(Refusal::Io)
}

fn load_policy(id: &str) -> Result<Policy, Refusal> {
    let loaded = if id.ends_with(".toml") {
        let text = std::fs::read_to_string(id)
            .map_err(|e| Refusal::Input(format!("{id}: cannot read: {e}")))?;
        Policy::from_toml(id, &text)
    } else {
        Policy::load_preset(id)
    };
    loaded.map_err(|e| Refusal::Input(e.to_string()))
}

fn deadlines(args: &DeadlinesArgs, out: &mut dyn Write) -> Result<(), Refusal> {
    let policy = load_policy(&args.policy)?;
    let grade = match &args.grade {
        None => None,
        Some(g) => Some(policy.grade(g).ok_or_else(|| {
            let known: Vec<&str> = policy.grades.iter().map(|g| g.id.as_str()).collect();
            Refusal::Input(format!(
                "unknown grade `{g}` for policy `{}` (grades: {})",
                policy.id,
                known.join(", ")
            ))
        })?),
    };
    let mut ids: Vec<RegimeId> = policy.regimes.clone();
    for r in &args.regimes {
        ids.push(
            r.parse()
                .map_err(|e: psirt_domain::policy::PolicyError| Refusal::Input(e.to_string()))?,
        );
    }
    let regimes = regime::load_all(&ids).map_err(|e| Refusal::Input(e.to_string()))?;
    let mut timeline = Timeline::new();
    let mut latest = Timestamp::MIN;
    for e in &args.events {
        let (event, at) = parse_event(e)?;
        timeline.record(event, at);
        latest = latest.max(at);
    }
    // Due times do not depend on "now"; the state column is not printed, so any instant works.
    let statuses = engine::evaluate(&policy, grade, &regimes, &timeline, latest);
    if args.json {
        let list: Vec<serde_json::Value> = statuses
            .iter()
            .map(|s| {
                json!({
                    "id": s.milestone.id,
                    "name": s.milestone.name,
                    "start_event": s.start_event.as_str(),
                    "started_at": s.started_at.map(|t| rfc3339(t, zone_of(&policy, &regimes, s))),
                    "due_at": s.due_at.map(|t| rfc3339(t, zone_of(&policy, &regimes, s))),
                    "duration": s.milestone.due.to_string(),
                    "regime": s.regime.map(RegimeId::as_str),
                })
            })
            .collect();
        let doc = json!({ "policy": policy.id, "grade": grade.map(|g| g.id.as_str()), "milestones": list });
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(|e| Refusal::Io(e.into()))?;
        writeln!(out).map_err(Refusal::Io)
    } else {
        for s in &statuses {
            let due = s.due_at.map_or_else(
                || format!("(waits for {})", s.start_event),
                |t| rfc3339(t, zone_of(&policy, &regimes, s)),
            );
            let regime = s.regime.map(|r| format!(" [{r}]")).unwrap_or_default();
            writeln!(
                out,
                "{due:<25}  {:<21}  {}{regime}",
                s.start_event.as_str(),
                s.milestone.name
            )
            .map_err(Refusal::Io)?;
        }
        Ok(())
    }
}

fn parse_event(text: &str) -> Result<(StartEvent, Timestamp), Refusal> {
    let (name, at) = text
        .split_once('=')
        .ok_or_else(|| Refusal::Input(format!("--event `{text}`: expected NAME=RFC3339")))?;
    let event: StartEvent =
        name.trim()
            .parse()
            .map_err(|e: psirt_domain::policy::milestone::UnknownEvent| {
                Refusal::Input(format!("--event `{text}`: {e}"))
            })?;
    let at: Timestamp = at.trim().parse().map_err(|e| {
        Refusal::Input(format!(
            "--event `{text}`: not an RFC 3339 time with offset: {e}"
        ))
    })?;
    Ok((event, at))
}

/// The zone a milestone's times are shown in: its regime's, or the policy's.
fn zone_of<'a>(policy: &'a Policy, regimes: &'a [Regime], s: &MilestoneStatus<'_>) -> &'a TimeZone {
    s.regime
        .and_then(|id| regimes.iter().find(|r| r.id == id))
        .map_or_else(|| policy.calendar.zone(), |r| r.calendar.zone())
}

fn rfc3339(t: Timestamp, zone: &TimeZone) -> String {
    t.display_with_offset(zone.to_offset(t)).to_string()
}

#[cfg(test)]
mod tests;
