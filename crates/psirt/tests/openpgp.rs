//! OpenPGP end to end, checked by GnuPG: CSAF documents published through the whole pipeline
//! carry `.asc` signatures `gpg --verify` accepts (signed at publication, or all at once when a
//! key is added later, or rotated); the provider becomes a trusted provider listing its key;
//! security.txt is clear-signed; gpg and psirt read each other's encrypted mail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;
#[path = "support/gpg.rs"]
mod gpg;

use std::path::PathBuf;

use common::TestApp;
use gpg::Gpg;
use jiff::SignedDuration;
use psirt::app::{demo, keys, openpgp};
use serde_json::{Value, json};

async fn get(t: &TestApp, path: &str) -> (u16, String) {
    let r = t.http.get(t.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn metadata(t: &TestApp) -> Value {
    let (s, body) = get(t, "/.well-known/csaf/provider-metadata.json").await;
    assert_eq!(s, 200);
    serde_json::from_str(&body).unwrap()
}

/// A fresh folder under target/exports for .ci/validate-exports.
fn exports(dir: &str) -> PathBuf {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/exports")
        .join(dir);
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).unwrap();
    path
}

#[tokio::test]
async fn documents_published_before_and_after_a_key_are_signed_and_gpg_verifies_them() {
    let t = TestApp::spawn().await;
    assert!(demo::load(&t.app).await.unwrap());
    let (_, index) = get(&t, "/.well-known/csaf/white/index.txt").await;
    let docs: Vec<String> = index.lines().map(str::to_owned).collect();
    assert_eq!(docs.len(), 4, "{index}");
    let first = format!("/.well-known/csaf/white/{}", docs[0]);
    assert_eq!(
        get(&t, &format!("{first}.asc")).await.0,
        404,
        "no key, no signature"
    );
    let meta = metadata(&t).await;
    assert_eq!(meta["role"], "csaf_provider");
    assert!(meta.get("public_openpgp_keys").is_none());
    let (_, sectxt) = get(&t, "/.well-known/security.txt").await;
    assert!(
        sectxt.starts_with("Contact: ") && !sectxt.contains("Encryption:"),
        "{sectxt}"
    );

    // A key added later signs everything already published, in the transaction that activates it.
    let (key, signed) = keys::generate(&t.app, None, None).await.unwrap();
    assert_eq!(signed, 4);
    assert_eq!(key.user_id, "Example Devices Ltd. <security@example.com>");
    let url = format!(
        "https://security.example.com/.well-known/csaf/openpgp/{}.asc",
        key.fingerprint
    );
    let meta = metadata(&t).await;
    assert_eq!(meta["role"], "csaf_trusted_provider");
    assert_eq!(
        meta["public_openpgp_keys"],
        json!([{"fingerprint": key.fingerprint, "url": url}])
    );
    let key_path = format!("/.well-known/csaf/openpgp/{}.asc", key.fingerprint);
    let (s, public) = get(&t, &key_path).await;
    assert_eq!(s, 200);
    assert!(public.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    for path in [
        "/.well-known/csaf/openpgp/0123456789ABCDEF0123456789ABCDEF01234567.asc",
        "/.well-known/csaf/openpgp/secret.asc",
        "/.well-known/csaf/openpgp/",
    ] {
        assert_eq!(get(&t, path).await.0, 404, "{path}");
    }

    let gpg = Gpg::new();
    gpg.import(&public);
    let out = exports("openpgp");
    std::fs::write(out.join("public-key.asc"), &public).unwrap();
    for doc in &docs {
        let path = format!("/.well-known/csaf/white/{doc}");
        let (_, body) = get(&t, &path).await;
        let (s, asc) = get(&t, &format!("{path}.asc")).await;
        assert_eq!(s, 200, "{path}.asc");
        assert!(asc.starts_with("-----BEGIN PGP SIGNATURE-----"));
        let name = doc.rsplit('/').next().unwrap();
        std::fs::write(out.join(name), &body).unwrap();
        std::fs::write(out.join(format!("{name}.asc")), &asc).unwrap();
        assert_eq!(
            gpg.verify(&out.join(format!("{name}.asc")), Some(&out.join(name))),
            Ok(key.fingerprint.clone()),
            "gpg --verify {name}.asc {name}"
        );
    }
    // One changed character and gpg refuses the signature.
    let name = docs[0].rsplit('/').next().unwrap();
    let body = std::fs::read_to_string(out.join(name)).unwrap();
    let tampered = body.replacen("\"document\"", "\"Document\"", 1);
    assert_ne!(tampered, body);
    std::fs::write(gpg.path("tampered.json"), tampered).unwrap();
    let refused = gpg
        .verify(
            &out.join(format!("{name}.asc")),
            Some(&gpg.path("tampered.json")),
        )
        .unwrap_err();
    assert!(refused.contains("BADSIG"), "{refused}");

    // The ROLIE feed links every signature.
    let (_, feed) = get(&t, "/.well-known/csaf/white/feed-tlp-white.json").await;
    let feed: Value = serde_json::from_str(&feed).unwrap();
    for entry in feed["feed"]["entry"].as_array().unwrap() {
        let links = entry["link"].as_array().unwrap();
        let own = links.iter().find(|l| l["rel"] == "self").unwrap()["href"].clone();
        assert!(
            links.iter().any(|l| l["rel"] == "signature"
                && l["href"] == json!(format!("{}.asc", own.as_str().unwrap()))),
            "{entry}"
        );
    }

    // security.txt names the key and is clear-signed; gpg verifies it. It is exported signed at
    // the real date, since sectxt checks `Expires` against the real date.
    let (_, sectxt) = get(&t, "/.well-known/security.txt").await;
    assert!(
        sectxt.starts_with(
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nContact: mailto:security@example.com\n"
        ),
        "{sectxt}"
    );
    assert!(
        sectxt.contains(&format!("\nEncryption: {url}\n")),
        "{sectxt}"
    );
    assert!(
        sectxt.contains("\nExpires: 2027-05-24T09:00:00Z\n"),
        "{sectxt}"
    );
    #[allow(clippy::disallowed_methods)] // the validator compares with the real date
    t.clock.set(jiff::Timestamp::now());
    let (_, sectxt) = get(&t, "/.well-known/security.txt").await;
    std::fs::write(out.join("security.txt"), &sectxt).unwrap();
    assert_eq!(
        gpg.verify(&out.join("security.txt"), None),
        Ok(key.fingerprint.clone())
    );
    for (path, body) in [
        ("/.well-known/security.txt", &sectxt),
        (key_path.as_str(), &public),
    ] {
        assert!(!body.contains("PRIVATE KEY"), "{path} exposes a secret key");
    }

    // Rotation: a new key signs everything again; the old public key stays served.
    let (new, signed) =
        keys::generate(&t.app, Some("PSIRT 2027 <security@example.com>"), Some(730))
            .await
            .unwrap();
    assert_eq!(signed, 4);
    assert_ne!(new.fingerprint, key.fingerprint);
    assert!(new.expires_at.is_some());
    let meta = metadata(&t).await;
    assert_eq!(
        meta["public_openpgp_keys"][0]["fingerprint"],
        json!(new.fingerprint)
    );
    assert_eq!(meta["public_openpgp_keys"].as_array().unwrap().len(), 1);
    assert_eq!(
        get(&t, &key_path).await.0,
        200,
        "the retired key stays published"
    );
    let (_, new_public) = get(
        &t,
        &format!("/.well-known/csaf/openpgp/{}.asc", new.fingerprint),
    )
    .await;
    gpg.import(&new_public);
    let (_, asc) = get(&t, &format!("{first}.asc")).await;
    let (_, body) = get(&t, &first).await;
    std::fs::write(gpg.path("doc.json"), body).unwrap();
    std::fs::write(gpg.path("doc.json.asc"), asc).unwrap();
    assert_eq!(
        gpg.verify(&gpg.path("doc.json.asc"), Some(&gpg.path("doc.json"))),
        Ok(new.fingerprint.clone())
    );
    let listed = keys::list(&t.app).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|k| (k.fingerprint.as_str(), k.active))
            .collect::<Vec<_>>(),
        [
            (new.fingerprint.as_str(), true),
            (key.fingerprint.as_str(), false)
        ]
    );
    assert_eq!(
        keys::sign_missing(&t.app).await.unwrap(),
        0,
        "nothing left unsigned"
    );
}

#[tokio::test]
async fn with_a_key_each_publication_signs_its_document() {
    let t = TestApp::spawn().await;
    let key = keys::ensure_key(&t.app).await.unwrap().unwrap();
    assert!(
        keys::ensure_key(&t.app).await.unwrap().is_none(),
        "one key is enough"
    );
    assert!(demo::load(&t.app).await.unwrap());
    assert_eq!(
        keys::sign_missing(&t.app).await.unwrap(),
        0,
        "every document was signed in its publication"
    );
    let (_, index) = get(&t, "/.well-known/csaf/white/index.txt").await;
    let gpg = Gpg::new();
    gpg.import(&keys::export_public(&t.app, None).await.unwrap());
    for doc in index.lines() {
        let path = format!("/.well-known/csaf/white/{doc}");
        std::fs::write(gpg.path("d.json"), get(&t, &path).await.1).unwrap();
        std::fs::write(
            gpg.path("d.json.asc"),
            get(&t, &format!("{path}.asc")).await.1,
        )
        .unwrap();
        assert_eq!(
            gpg.verify(&gpg.path("d.json.asc"), Some(&gpg.path("d.json"))),
            Ok(key.fingerprint.clone()),
            "{doc}"
        );
    }
}

#[tokio::test]
async fn a_key_that_cannot_sign_blocks_publication_not_security_txt() {
    let t = TestApp::spawn().await;
    keys::generate(&t.app, None, Some(1)).await.unwrap();
    keys::check_signing(&t.app).await.unwrap();
    t.clock.advance(SignedDuration::from_hours(49));
    let refused = keys::check_signing(&t.app).await.unwrap_err().to_string();
    assert!(refused.contains("cannot sign"), "{refused}");
    let failed = demo::load(&t.app).await.unwrap_err();
    assert!(
        matches!(failed, psirt::app::AppError::Unavailable(_)),
        "{failed:?}"
    );
    let (_, index) = get(&t, "/.well-known/csaf/white/index.txt").await;
    assert_eq!(index, "", "nothing half-published");
    let (s, sectxt) = get(&t, "/.well-known/security.txt").await;
    assert_eq!(s, 200);
    assert!(
        sectxt.starts_with("Contact: ") && !sectxt.contains("Encryption:"),
        "served unsigned, without the expired key: {sectxt}"
    );
}

#[tokio::test]
async fn gnupg_and_psirt_read_each_others_encrypted_mail() {
    let t = TestApp::spawn().await;
    let (org, _) = keys::generate(&t.app, None, None).await.unwrap();
    // gpg works half an hour after psirt's clock, psirt then reads at +1 h: every key and
    // signature is in the past for both sides.
    let gpg_time = ["--faked-system-time", "20261125T093000"];
    t.clock.advance(SignedDuration::from_hours(1));
    let now = t.app.clock.now();
    let gpg = Gpg::new();
    gpg.import(&keys::export_public(&t.app, None).await.unwrap());
    let made = gpg.run(
        &[
            "--faked-system-time",
            "20261125T080000",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Mei Lin <mei@example.org>",
            "future-default",
            "default",
            "never",
        ],
        b"",
    );
    assert!(made.ok, "{}", made.stderr);
    let reporter = openpgp::Certificate::parse(
        &gpg.run(&["--armor", "--export", "mei@example.org"], b"")
            .stdout,
    )
    .unwrap();
    let org_keys = keys::decryption_keys(&t.app).await.unwrap();

    // gpg → psirt: encrypted to the organisation and signed by the reporter.
    let mut args = gpg_time.to_vec();
    args.extend([
        "--armor",
        "--trust-model",
        "always",
        "--local-user",
        "mei@example.org",
        "--recipient",
        org.fingerprint.as_str(),
        "--sign",
        "--encrypt",
    ]);
    let sent = gpg.run(&args, b"The PoC is attached.\n");
    assert!(sent.ok, "{}", sent.stderr);
    let d = openpgp::decrypt(
        &org_keys,
        std::slice::from_ref(&reporter),
        &sent.stdout,
        now,
        1 << 20,
    )
    .unwrap();
    assert_eq!(d.content, b"The PoC is attached.\n");
    assert_eq!(d.recipient, org.fingerprint);
    assert!(
        d.signatures[0].is_good_by(&reporter.fingerprint()),
        "{:?}",
        d.signatures
    );
    // Without the sender's key the signature is reported, not fatal.
    let d = openpgp::decrypt(&org_keys, &[], &sent.stdout, now, 1 << 20).unwrap();
    assert!(matches!(
        d.signatures[0],
        openpgp::SignatureCheck::UnknownKey { .. }
    ));

    // Inline clear-signed text and a detached signature (PGP/MIME multipart/signed) from gpg.
    let mut args = gpg_time.to_vec();
    args.extend(["--local-user", "mei@example.org", "--clearsign"]);
    let clear = gpg.run(&args, b"Version 3.1.4 is affected.\n");
    let v = openpgp::verify_inline(std::slice::from_ref(&reporter), &clear.stdout, now, 1 << 20)
        .unwrap();
    // The line break before the signature belongs to the framing, not the text (RFC 9580 §7.1).
    assert_eq!(v.content, b"Version 3.1.4 is affected.");
    assert!(v.signatures[0].is_good_by(&reporter.fingerprint()));
    let mut args = gpg_time.to_vec();
    args.extend([
        "--local-user",
        "mei@example.org",
        "--armor",
        "--detach-sign",
    ]);
    let part = b"Content-Type: text/plain\r\n\r\nhello\r\n";
    let sig = gpg.run(&args, part);
    let checks =
        openpgp::verify_detached(std::slice::from_ref(&reporter), part, &sig.stdout, now).unwrap();
    assert!(checks[0].is_good_by(&reporter.fingerprint()));
    let checks =
        openpgp::verify_detached(std::slice::from_ref(&reporter), b"hello", &sig.stdout, now)
            .unwrap();
    assert!(matches!(checks[0], openpgp::SignatureCheck::Bad { .. }));

    // psirt → gpg: encrypted to the reporter's gpg key, signed by the organisation.
    let signer = keys::signing_key(&t.app).await.unwrap().unwrap();
    let reply = openpgp::encrypt(
        &reporter,
        b"Thanks, we reproduced it.\n",
        Some(&signer),
        now,
    )
    .unwrap();
    let read = gpg.run(&["--decrypt"], reply.as_bytes());
    assert!(read.ok, "{}", read.stderr);
    assert_eq!(read.stdout, b"Thanks, we reproduced it.\n");
    assert!(
        read.stderr.contains("[GNUPG:] GOODSIG ") && read.stderr.contains(&org.fingerprint),
        "{}",
        read.stderr
    );
    // A message to someone else is not for us.
    assert!(matches!(
        openpgp::decrypt(&org_keys, &[], reply.as_bytes(), now, 1 << 20),
        Err(openpgp::OpenPgpError::NotForUs)
    ));
}

#[tokio::test]
async fn keys_commands_script_cleanly() {
    let data = tempfile::tempdir().unwrap();
    let (url, schema) = common::test_database_url(data.path());
    common::prepare_schema(&schema).await;
    let run = |env: &[(&str, &str)], args: &[&str]| common::cli(data.path(), &url, env, args);
    let one_line = |code: i32, err: &str, needle: &str| {
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(needle) && err.lines().count() == 1, "{err}");
    };
    assert_eq!(
        run(&[], &["keys", "list"]),
        (0, String::new(), String::new())
    );
    let (code, _, err) = run(&[], &["keys", "export"]);
    one_line(code, &err, "no such key");

    // Generated with a storage passphrase: exported protected, refused by serve without it.
    let protect = [("PSIRT_OPENPGP__KEY_PASSPHRASE", "vault passphrase")];
    let (code, fingerprint, err) = run(
        &protect,
        &[
            "keys",
            "generate",
            "--user-id",
            "ACME PSIRT <psirt@acme.example>",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let fingerprint = fingerprint.strip_suffix('\n').unwrap().to_owned();
    assert!(
        fingerprint.len() == 40 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
        "{fingerprint:?}"
    );
    let (code, public, _) = run(&[], &["keys", "export"]);
    assert!(code == 0 && public.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    let (code, secret, _) = run(
        &[],
        &[
            "keys",
            "export",
            "--secret",
            "--fingerprint",
            &fingerprint.to_lowercase(),
        ],
    );
    assert!(code == 0 && secret.starts_with("-----BEGIN PGP PRIVATE KEY BLOCK-----"));
    let gpg = Gpg::new();
    // The stored form is an ordinary protected OpenPGP secret key: gpg unlocks it.
    let stored = gpg.run(
        &["--passphrase", "vault passphrase", "--import"],
        secret.as_bytes(),
    );
    assert!(stored.ok, "{}", stored.stderr);
    assert!(gpg.run(&["--list-secret-keys", &fingerprint], b"").ok);
    let (code, listing, _) = run(&[], &["keys", "list"]);
    assert_eq!(code, 0);
    assert!(
        listing.starts_with(&format!("{fingerprint}  active  EdDSA"))
            && listing.contains("ACME PSIRT"),
        "{listing}"
    );
    let (code, _, err) = run(
        &[("PSIRT_OPENPGP__KEY_PASSPHRASE", "guess")],
        &["serve", "--listen", "127.0.0.1:0"],
    );
    one_line(code, &err, "cannot be unlocked");

    // A key made by gpg, passphrase-protected, imported; it becomes the active key.
    let made = gpg.run(
        &[
            "--passphrase",
            "s3cret",
            "--quick-gen-key",
            "Org <security@org.example>",
            "future-default",
            "default",
            "never",
        ],
        b"",
    );
    assert!(made.ok, "{}", made.stderr);
    let exported = gpg.run(
        &[
            "--passphrase",
            "s3cret",
            "--armor",
            "--export-secret-keys",
            "security@org.example",
        ],
        b"",
    );
    std::fs::write(gpg.path("org.asc"), &exported.stdout).unwrap();
    std::fs::write(gpg.path("wrong"), "nope\n").unwrap();
    std::fs::write(gpg.path("right"), "s3cret\n").unwrap();
    let key_file = gpg.path("org.asc");
    let key_file = key_file.to_str().unwrap();
    let (code, _, err) = run(&protect, &["keys", "import", key_file]);
    one_line(code, &err, "passphrase");
    let import = |passphrase: &str| {
        let file = gpg.path(passphrase);
        run(
            &protect,
            &[
                "keys",
                "import",
                key_file,
                "--passphrase-file",
                file.to_str().unwrap(),
            ],
        )
    };
    let (code, _, err) = import("wrong");
    one_line(code, &err, "does not unlock");
    let (code, imported, err) = import("right");
    assert_eq!(code, 0, "{err}");
    let (code, again, err) = import("right");
    assert_eq!(code, 2, "{again}");
    assert!(err.contains("already stored"), "{err}");
    let (_, listing, _) = run(&[], &["keys", "list", "--json"]);
    let listing: Value = serde_json::from_str(&listing).unwrap();
    assert_eq!(listing[0]["fingerprint"], json!(imported.trim()));
    assert_eq!(
        (listing[0]["active"].clone(), listing[1]["active"].clone()),
        (json!(true), json!(false))
    );
    assert!(
        gpg.run(&["--list-secret-keys", imported.trim()], b"").ok,
        "the same key as gpg's"
    );

    std::fs::write(gpg.path("public.asc"), &public).unwrap();
    let public_file = gpg.path("public.asc");
    let (code, _, err) = run(&[], &["keys", "import", public_file.to_str().unwrap()]);
    one_line(code, &err, "public key only");
    let (code, _, err) = run(&[], &["keys", "import", "/nonexistent/key.asc"]);
    one_line(code, &err, "cannot read");
}
