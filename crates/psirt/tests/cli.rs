//! The operator's command line: bad input exits 2 with a one-line reason; a token is printed
//! alone on standard output so scripts can capture it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

fn psirt(data: &std::path::Path, url: &str, args: &[&str]) -> (i32, String, String) {
    common::cli(data, url, &[], args)
}

#[tokio::test]
async fn admin_commands_script_cleanly() {
    let data = tempfile::tempdir().unwrap();
    let (url, schema) = common::test_database_url(data.path());
    common::prepare_schema(&schema).await;
    let (code, _, err) = psirt(
        data.path(),
        &url,
        &[
            "admin",
            "create-user",
            "--email",
            "a@example.com",
            "--role",
            "boss",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown role") && err.lines().count() == 1,
        "{err}"
    );
    let (code, out, _) = psirt(
        data.path(),
        &url,
        &[
            "admin",
            "create-user",
            "--email",
            "a@example.com",
            "--role",
            "pso",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let (code, token, _) = psirt(
        data.path(),
        &url,
        &["admin", "create-token", "--email", "a@example.com"],
    );
    assert_eq!(code, 0);
    let token = token.strip_suffix('\n').unwrap();
    assert!(
        token.starts_with("psirt_") && !token.contains(char::is_whitespace),
        "the token alone: {token:?}"
    );
    let (code, _, err) = psirt(
        data.path(),
        &url,
        &["admin", "create-token", "--email", "nobody@example.com"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("nobody@example.com"), "{err}");
}
