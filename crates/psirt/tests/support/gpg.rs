//! GnuPG (the `gpg` on the machine) in a throw-away home directory: the independent OpenPGP
//! implementation psirt's signatures and messages are checked against.
// Test support: a failed set-up step should stop the test with its message.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

pub struct Gpg {
    pub home: tempfile::TempDir,
}

pub struct Out {
    pub ok: bool,
    pub stdout: Vec<u8>,
    /// `--status-fd 2` lines and messages.
    pub stderr: String,
}

impl Gpg {
    pub fn new() -> Self {
        let home = tempfile::Builder::new().prefix("gnupg").tempdir().unwrap();
        std::fs::set_permissions(
            home.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        Self { home }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    /// Runs gpg with `args`, feeding `stdin`.
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Out {
        let mut child = Command::new("gpg")
            .arg("--homedir")
            .arg(self.home.path())
            .args([
                "--batch",
                "--no-tty",
                "--status-fd",
                "2",
                "--pinentry-mode",
                "loopback",
            ])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg is installed (apt gnupg)");
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        Out {
            ok: out.status.success(),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn import(&self, armored: &str) {
        let out = self.run(&["--import"], armored.as_bytes());
        assert!(out.ok, "gpg --import: {}", out.stderr);
    }

    /// `gpg --verify signature data`: Ok(fingerprint of the signing primary key) or the output.
    pub fn verify(&self, signature: &Path, data: Option<&Path>) -> Result<String, String> {
        let mut args = vec!["--verify", signature.to_str().unwrap()];
        if let Some(d) = data {
            args.push(d.to_str().unwrap());
        }
        let out = self.run(&args, b"");
        // [GNUPG:] VALIDSIG <subkey fpr> <date> <ts> <exp> <ver> <rsv> <pk> <hash> <cls> <primary fpr>
        let valid = out
            .stderr
            .lines()
            .find_map(|l| l.strip_prefix("[GNUPG:] VALIDSIG "))
            .and_then(|rest| rest.split_whitespace().last().map(str::to_owned));
        match (out.ok, valid) {
            (true, Some(primary)) if out.stderr.contains("[GNUPG:] GOODSIG ") => Ok(primary),
            _ => Err(out.stderr),
        }
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--kill", "all"])
            .output();
    }
}
