//! CVSS parse+score throughput per version on one thread, against Red Hat's Python `cvss`
//! on the same vectors in the same run (issue 3: target ≥ 100× for every version).
//!
//! Run: `cargo bench -p psirt-domain --bench cvss`. Needs `python3` with `cvss==3.6`
//! (`PSIRT_PYTHON` overrides the interpreter) and the corpus (`PSIRT_CORPORA`). Exits
//! non-zero, printing "BELOW TARGET", if any version is under 100× the reference.

// A bench binary: a missing corpus or reference must stop it loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::{hint::black_box, path::PathBuf, process::ExitCode, time::Instant};

use psirt_domain::cvss::CvssVector;

const TARGET_RATIO: f64 = 100.0;
const ROUNDS: usize = 15;
/// Passes over the 10,000 vectors per round, so a round lasts tens of milliseconds.
const PASSES: usize = 10;
const PYTHON_ROUNDS: usize = 3;

/// (version, corpus file): the random sets cover base, temporal/threat and environmental.
const SETS: [(&str, &str); 4] = [
    ("2.0", "generated/v2_random_10k.txt"),
    ("3.0", "generated/v30_random_10k.txt"),
    ("3.1", "generated/v31_random_10k.txt"),
    ("4.0", "generated/v4_random_10k.txt"),
];

fn corpus_dir() -> PathBuf {
    std::env::var_os("PSIRT_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
        })
        .join("cvss")
}

/// Parses every vector and computes every score it defines.
fn score_all(vectors: &[String]) -> u64 {
    let mut sum = 0_u64;
    for v in vectors {
        let v = CvssVector::parse(black_box(v)).unwrap();
        sum += u64::from(v.base_score().tenths());
        sum += v.temporal_score().map_or(0, |s| u64::from(s.tenths()));
        sum += v.threat_score().map_or(0, |s| u64::from(s.tenths()));
        sum += v.environmental_score().map_or(0, |s| u64::from(s.tenths()));
    }
    sum
}

/// On-CPU time of this thread in seconds (Linux `schedstat`), so that other processes on a
/// busy machine do not count against psirt; the Python side measures `time.thread_time()`,
/// the same clock. Falls back to wall time where `/proc` is absent.
fn cpu_seconds(wall: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or_else(|| wall.elapsed().as_secs_f64(), |ns| ns as f64 / 1e9)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() -> ExitCode {
    let dir = corpus_dir();
    let mut rust = Vec::new();
    for (version, file) in SETS {
        let path = dir.join(file);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let vectors: Vec<String> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(" - ").next().unwrap().to_string())
            .collect();
        black_box(score_all(&vectors)); // warm-up (caches, branch predictors, page faults)
        let rates: Vec<f64> = (0..ROUNDS)
            .map(|_| {
                let wall = Instant::now();
                let start = cpu_seconds(wall);
                for _ in 0..PASSES {
                    black_box(score_all(black_box(&vectors)));
                }
                (PASSES * vectors.len()) as f64 / (cpu_seconds(wall) - start)
            })
            .collect();
        rust.push((version, path, vectors.len(), median(rates)));
    }

    let python = std::env::var("PSIRT_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/cvss_reference.py");
    let mut cmd = std::process::Command::new(&python);
    cmd.arg(&script).arg(PYTHON_ROUNDS.to_string());
    for (version, path, ..) in &rust {
        cmd.arg(format!("{version}={}", path.display()));
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        output.status.success(),
        "reference script failed (pip install cvss==3.6?):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reference: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    println!(
        "CVSS parse+score, one thread, on-CPU time, median of {ROUNDS} rounds of {PASSES} passes (Python: {PYTHON_ROUNDS} rounds of 1)"
    );
    println!(
        "{:<8}{:>9}{:>16}{:>16}{:>10}",
        "version", "vectors", "psirt vec/s", "python vec/s", "ratio"
    );
    let mut below = Vec::new();
    for (version, _, n, rate) in &rust {
        let py = reference[*version]["per_second"].as_f64().unwrap();
        let ratio = rate / py;
        println!("{version:<8}{n:>9}{rate:>16.0}{py:>16.0}{ratio:>9.0}×");
        if ratio < TARGET_RATIO {
            below.push(*version);
        }
    }
    if below.is_empty() {
        println!("target ≥ {TARGET_RATIO}× met for every version");
        ExitCode::SUCCESS
    } else {
        println!("BELOW TARGET ({TARGET_RATIO}×): {}", below.join(", "));
        ExitCode::FAILURE
    }
}
