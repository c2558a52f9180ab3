//! `psirt cvss [--json] [VECTOR…]`: scores CVSS vectors from the arguments, or one per line
//! from standard input when there are none (blank lines skipped).
//!
//! Output: one line per vector on stdout. Text is meant for people; `--json` writes JSON Lines
//! (one object per vector per line), so a stream can be processed as it comes and a bad line
//! never invalidates the others. A bad vector is reported on stderr with its line number (or
//! argument position) and the exact error; the others are still scored; exit code 2 if any
//! was bad.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use psirt_domain::cvss::{CvssVector, Score};

use crate::app::cvss::CvssScores;

/// Arguments of `psirt cvss`.
#[derive(Debug, clap::Args)]
pub struct CvssArgs {
    /// Print one JSON object per vector per line (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Vectors to score (e.g. CVSS:3.1/AV:N/…, CVSS:4.0/…, or a bare v2.0 vector). Without
    /// any, vectors are read from standard input, one per line.
    #[arg(value_name = "VECTOR")]
    pub vectors: Vec<String>,
}

/// Runs the command over `stdin`/`out`/`err` so it can be tested without a process.
pub fn run(
    args: &CvssArgs,
    stdin: impl BufRead,
    mut out: impl Write,
    mut err: impl Write,
) -> ExitCode {
    match score_all(args, stdin, &mut out, &mut err).and_then(|bad| out.flush().map(|()| bad)) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(2),
        Err(e) => {
            let _ = writeln!(err, "psirt cvss: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Scores every input and returns how many were bad.
fn score_all(
    args: &CvssArgs,
    stdin: impl BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<usize> {
    let mut bad = 0;
    if !args.vectors.is_empty() {
        for (index, vector) in args.vectors.iter().enumerate() {
            bad += score_one(
                args.json,
                &format!("argument {}", index + 1),
                vector.trim(),
                out,
                err,
            )?;
        }
        return Ok(bad);
    }
    for (index, line) in stdin.lines().enumerate() {
        let place = format!("line {}", index + 1);
        match line {
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) => bad += score_one(args.json, &place, line.trim(), out, err)?,
            // An undecodable line is one bad vector, not the end of the input.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                bad += 1;
                writeln!(err, "psirt cvss: {place}: not valid UTF-8")?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(bad)
}

/// Scores one vector to `out`, or reports it on `err`; returns 1 if it was bad.
fn score_one(
    json: bool,
    place: &str,
    input: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<usize> {
    match CvssVector::parse(input) {
        Ok(vector) => {
            let line = if json {
                json_line(&vector)
            } else {
                text_line(&vector)
            };
            writeln!(out, "{line}")?;
            Ok(0)
        }
        Err(e) => {
            writeln!(err, "psirt cvss: {place}: {e}")?;
            Ok(1)
        }
    }
}

/// `CVSS:3.1/… 3.1 base 9.8 Critical, temporal 9.1 Critical`.
fn text_line(v: &CvssVector) -> String {
    let named = |name: &str, s: Score| format!("{name} {s} {}", v.severity(s));
    let mut parts = vec![named("base", v.base_score())];
    parts.extend(v.temporal_score().map(|s| named("temporal", s)));
    parts.extend(v.threat_score().map(|s| named("threat", s)));
    parts.extend(v.environmental_score().map(|s| named("environmental", s)));
    let nomenclature = v
        .nomenclature()
        .map(|n| format!(" ({n} {})", v.overall_score()))
        .unwrap_or_default();
    format!(
        "{}\t{}\t{}{nomenclature}",
        v.as_str(),
        v.version(),
        parts.join(", ")
    )
}

/// The JSON object of one vector (the same summary `GET /api/v1/cvss` answers).
fn json_line(v: &CvssVector) -> String {
    serde_json::to_string(&CvssScores::of(v)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn run_with(json: bool, vectors: &[&str], stdin: &str) -> (ExitCode, String, String) {
        let args = CvssArgs {
            json,
            vectors: vectors.iter().map(|s| s.to_string()).collect(),
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(&args, stdin.as_bytes(), &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn stdin_good_and_bad_lines() {
        let input = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n\n  AV:N/AC:L/Au:N/C:P/I:P/A:P  \nCVSS:3.1/AV:N\r\nCVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U\n";
        let (code, out, err) = run_with(false, &[], input);
        assert_eq!(code, ExitCode::from(2));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert_eq!(
            lines[0],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\t3.1\tbase 9.8 Critical"
        );
        assert_eq!(lines[1], "AV:N/AC:L/Au:N/C:P/I:P/A:P\t2.0\tbase 7.5 High");
        assert_eq!(
            lines[2],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U\t4.0\tbase 9.3 Critical, threat 8.1 High (CVSS-BT 8.1)"
        );
        assert_eq!(err, "psirt cvss: line 4: missing mandatory metric `AC`\n");
    }

    #[test]
    fn arguments_with_positions_and_json_lines() {
        let (code, out, err) = run_with(
            true,
            &[
                "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/CR:L",
                "CVSS:3.1/AV:X",
            ],
            "ignored",
        );
        assert_eq!(code, ExitCode::from(2));
        assert_eq!(
            err,
            "psirt cvss: argument 2: unknown value `X` for metric `AV` (allowed: N/A/L/P)\n"
        );
        let object: Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(
            object,
            json!({
                "vector": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/CR:L",
                "version": "3.0",
                "base_score": 9.8, "base_severity": "Critical",
                "temporal_score": 9.3, "temporal_severity": "Critical",
                "environmental_score": 9.0, "environmental_severity": "Critical",
            })
        );
    }

    #[test]
    fn all_good_exits_zero() {
        let (code, out, err) = run_with(
            true,
            &[],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\n",
        );
        assert_eq!((code, err.as_str()), (ExitCode::SUCCESS, ""));
        let object: Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(object["version"], "4.0");
        assert_eq!(object["base_score"], 9.3);
        assert_eq!(object["nomenclature"], "CVSS-B");
        assert!(object.get("threat_score").is_none());
    }

    #[test]
    fn invalid_utf8_is_one_bad_line() {
        let args = CvssArgs {
            json: false,
            vectors: vec![],
        };
        let stdin: &[u8] = b"\xff\xfe\nAV:N/AC:L/Au:N/C:P/I:P/A:P\n";
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(&args, stdin, &mut out, &mut err);
        assert_eq!(code, ExitCode::from(2));
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "psirt cvss: line 1: not valid UTF-8\n"
        );
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1);
    }
}
