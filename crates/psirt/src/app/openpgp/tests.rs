#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jiff::Timestamp;

use super::*;

fn now() -> Timestamp {
    "2026-11-25T09:00:00Z".parse().unwrap()
}

fn key(name: &str) -> SecretKey {
    SecretKey::generate(&format!("{name} <{name}@example.com>"), now(), None).unwrap()
}

#[test]
fn generated_keys_are_v4_ed25519_and_sign_detached() {
    let org = key("org");
    let cert = org.certificate();
    assert_eq!(cert.fingerprint().len(), 40, "a v4 fingerprint");
    assert_eq!(cert.algorithm(), "EdDSA");
    assert_eq!(cert.user_ids(), ["org <org@example.com>"]);
    assert!(cert.can_encrypt(now()));
    assert_eq!(cert.expires(now()), None);
    assert!(
        cert.armored()
            .unwrap()
            .starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    );
    assert!(!cert.armored().unwrap().contains("PRIVATE"));

    let data = b"{\"document\": {}}\n";
    let asc = sign_detached(&org, data, now()).unwrap();
    assert!(asc.starts_with("-----BEGIN PGP SIGNATURE-----"), "{asc}");
    assert!(cert.issued(asc.as_bytes()));
    assert!(!key("other").certificate().issued(asc.as_bytes()));
    let checks = verify_detached(std::slice::from_ref(&cert), data, asc.as_bytes(), now()).unwrap();
    assert!(checks[0].is_good_by(&cert.fingerprint()), "{checks:?}");
    let tampered = verify_detached(
        std::slice::from_ref(&cert),
        b"{\"document\": 1}\n",
        asc.as_bytes(),
        now(),
    )
    .unwrap();
    assert!(
        matches!(tampered[0], SignatureCheck::Bad { .. }),
        "{tampered:?}"
    );
    let unknown = verify_detached(&[key("x").certificate()], data, asc.as_bytes(), now()).unwrap();
    assert!(
        matches!(unknown[0], SignatureCheck::UnknownKey { issuer: Some(_) }),
        "{unknown:?}"
    );
    assert!(matches!(
        verify_detached(&[cert], data, b"not a signature", now()),
        Err(OpenPgpError::Unreadable(_))
    ));
}

#[test]
fn clear_signed_text_verifies_and_returns_the_text() {
    let org = key("org");
    let text =
        "Contact: mailto:security@example.com\n- a dash line\nExpires: 2027-05-24T09:00:00Z\n";
    let signed = clearsign(&org, text, now()).unwrap();
    assert!(
        signed.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"),
        "{signed}"
    );
    assert!(
        signed.contains("\n- - a dash line\n"),
        "dash-escaped: {signed}"
    );
    let v = verify_inline(&[org.certificate()], signed.as_bytes(), now(), 1 << 20).unwrap();
    assert_eq!(
        String::from_utf8(v.content).unwrap(),
        text.trim_end(),
        "the last line break is framing"
    );
    assert!(
        signed.contains("\nExpires: 2027-05-24T09:00:00Z\n-----BEGIN PGP SIGNATURE-----\n"),
        "{signed}"
    );
    assert!(v.signatures[0].is_good_by(&org.fingerprint()));
    assert!(matches!(
        verify_inline(&[org.certificate()], signed.as_bytes(), now(), 10),
        Err(OpenPgpError::TooLarge(10))
    ));
}

#[test]
fn encrypted_messages_reach_only_their_recipient() {
    let org = key("org");
    let reporter = key("reporter");
    let message = encrypt(&org.certificate(), b"the exploit", Some(&reporter), now()).unwrap();
    assert!(message.starts_with("-----BEGIN PGP MESSAGE-----"));
    let d = decrypt(
        &[key("old"), org.clone()],
        &[reporter.certificate()],
        message.as_bytes(),
        now(),
        1 << 20,
    )
    .unwrap();
    assert_eq!(d.content, b"the exploit");
    assert_eq!(d.recipient, org.fingerprint());
    assert!(
        d.signatures[0].is_good_by(&reporter.fingerprint()),
        "{:?}",
        d.signatures
    );
    let unsigned = encrypt(&org.certificate(), b"hi", None, now()).unwrap();
    let d = decrypt(
        std::slice::from_ref(&org),
        &[],
        unsigned.as_bytes(),
        now(),
        1 << 20,
    )
    .unwrap();
    assert!(d.signatures.is_empty());
    assert!(matches!(
        decrypt(
            std::slice::from_ref(&reporter),
            &[],
            message.as_bytes(),
            now(),
            1 << 20
        ),
        Err(OpenPgpError::NotForUs)
    ));
    assert!(matches!(
        decrypt(
            std::slice::from_ref(&org),
            &[],
            message.as_bytes(),
            now(),
            4
        ),
        Err(OpenPgpError::TooLarge(4))
    ));
    assert!(matches!(
        decrypt(
            &[org],
            &[],
            b"-----BEGIN PGP MESSAGE-----\n\ngarbage\n",
            now(),
            1 << 20
        ),
        Err(OpenPgpError::Unreadable(_))
    ));
}

#[test]
fn stored_keys_are_protected_by_the_passphrase() {
    let org = key("org");
    let stored = org.to_stored(Some("correct horse")).unwrap();
    assert!(stored.starts_with("-----BEGIN PGP PRIVATE KEY BLOCK-----"));
    assert!(matches!(
        SecretKey::from_stored(&stored, None),
        Err(OpenPgpError::PassphraseNeeded)
    ));
    assert!(matches!(
        SecretKey::from_stored(&stored, Some("wrong")),
        Err(OpenPgpError::WrongPassphrase)
    ));
    let back = SecretKey::from_stored(&stored, Some("correct horse")).unwrap();
    assert_eq!(back.fingerprint(), org.fingerprint());
    sign_detached(&back, b"x", now()).unwrap();
    let clear = org.to_stored(None).unwrap();
    assert_eq!(
        SecretKey::from_stored(&clear, None).unwrap().fingerprint(),
        org.fingerprint()
    );
    // Import takes the same armored form (as gpg --export-secret-keys writes it).
    assert!(matches!(
        SecretKey::import(stored.as_bytes(), None, now()),
        Err(OpenPgpError::PassphraseNeeded)
    ));
    assert_eq!(
        SecretKey::import(stored.as_bytes(), Some("correct horse"), now())
            .unwrap()
            .fingerprint(),
        org.fingerprint()
    );
    let public = org.certificate().armored().unwrap();
    assert!(matches!(
        SecretKey::import(public.as_bytes(), None, now()),
        Err(OpenPgpError::NoSecretKey)
    ));
    let two = format!("{public}{}", key("b").certificate().armored().unwrap());
    assert!(matches!(
        Certificate::parse(two.as_bytes()),
        Err(OpenPgpError::Unreadable(_))
    ));
    assert!(matches!(
        SecretKey::import(b"hello", None, now()),
        Err(OpenPgpError::Unreadable(_))
    ));
}

#[test]
fn expired_keys_do_not_sign() {
    let short = SecretKey::generate(
        "short <s@example.com>",
        now(),
        Some(std::time::Duration::from_secs(3600)),
    )
    .unwrap();
    let later: Timestamp = "2026-11-26T09:00:00Z".parse().unwrap();
    assert!(matches!(
        sign_detached(&short, b"x", later),
        Err(OpenPgpError::Unusable(_))
    ));
    assert!(short.certificate().expires(now()).is_some());
}

#[test]
fn organisation_user_ids_come_from_name_and_contact() {
    assert_eq!(
        organisation_user_id("Example Devices Ltd.", "mailto:security@example.com"),
        "Example Devices Ltd. <security@example.com>"
    );
    assert_eq!(
        organisation_user_id("Example", "https://example.com/psirt"),
        "Example"
    );
}
