//! The staff web interface over real HTTP: sign-in with password and TOTP, sessions (idle expiry
//! with the manual clock, sign-out everywhere), CSRF and cross-site rejection, throttling, the
//! expired-session draft, and need-to-know on pages, lists and CSV exports.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use common::{TestApp, report};
use jiff::SignedDuration;
use psirt::app::admin;
use psirt_domain::report::Role;

const PASSWORD: &str = "correct horse battery staple";

/// A browser: cookies kept, redirects not followed.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> &'a str {
    let i = s.find(a).unwrap_or_else(|| panic!("{a:?} not in page")) + a.len();
    let j = s[i..].find(b).unwrap() + i;
    &s[i..j]
}

fn code(t: &TestApp, secret: &str, offset_steps: i64) -> String {
    let bytes = data_encoding::BASE32_NOPAD
        .decode(secret.as_bytes())
        .unwrap();
    let totp = totp_rs::Builder::new().with_secret(bytes).build().unwrap();
    let now = t.app.clock.now().as_second() + offset_steps * 30;
    totp.generate(now as u64).to_string()
}

async fn user(t: &TestApp, email: &str, role: Role) {
    t.staff_with_password(email, role, PASSWORD).await;
}

/// Signs in and enrols TOTP; returns the browser and the TOTP secret.
async fn sign_in(t: &TestApp, email: &str) -> (reqwest::Client, String) {
    let b = browser();
    let r = b
        .post(t.url("/login"))
        .form(&[("email", email), ("password", PASSWORD), ("next", "/cases")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/account/totp")
    );
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(
        b.get(t.url("/dashboard")).send().await.unwrap().status(),
        303,
        "no pages before the second factor"
    );
    let page = b
        .get(t.url("/account/totp?next=/cases"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data:image/svg+xml;base64,"));
    let secret = between(&page, "id=\"totp-secret\">", "<").to_owned();
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"").to_owned();
    let bad = b
        .post(t.url("/account/totp"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("secret", &secret),
            ("code", "000000"),
            ("next", "/cases"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let ok = b
        .post(t.url("/account/totp"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("secret", &secret),
            ("code", &code(t, &secret, 0)),
            ("next", "/cases"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let page = ok.text().await.unwrap();
    assert_eq!(
        page.matches("<li><code>").count(),
        10,
        "ten recovery codes shown once"
    );
    (b, secret)
}

fn csrf_of(page: &str) -> String {
    between(page, "name=\"csrf\" value=\"", "\"").to_owned()
}

#[tokio::test]
async fn sign_in_with_totp_then_second_sign_in_asks_for_a_code() {
    let t = TestApp::spawn().await;
    user(&t, "pso@example.com", Role::Pso).await;
    let (b, secret) = sign_in(&t, "pso@example.com").await;
    let dash = b.get(t.url("/dashboard")).send().await.unwrap();
    assert_eq!(dash.status(), 200);
    assert!(dash.text().await.unwrap().contains("Deadline board"));
    // A new browser: password, then the code; a used code is refused (replay), the next one works.
    t.clock.advance(SignedDuration::from_secs(60));
    let b2 = browser();
    let r = b2
        .post(t.url("/login"))
        .form(&[
            ("email", "pso@example.com"),
            ("password", PASSWORD),
            ("next", "/cases"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login/totp")
    );
    let page = b2
        .get(t.url("/login/totp?next=/cases"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let c = code(&t, &secret, 0);
    let ok = b2
        .post(t.url("/login/totp"))
        .form(&[("csrf", csrf.as_str()), ("code", &c), ("next", "/cases")])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/cases");
    assert_eq!(b2.get(t.url("/cases")).send().await.unwrap().status(), 200);
    // Unknown account and wrong password read the same.
    let wrong = browser()
        .post(t.url("/login"))
        .form(&[("email", "pso@example.com"), ("password", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("value=\"pso@example.com\""),
        "the e-mail is kept"
    );
}

#[tokio::test]
async fn no_session_redirects_to_login_and_back() {
    let t = TestApp::spawn().await;
    let r = t
        .http
        .get(t.url("/cases?phase=triage"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/login?next=%2Fcases%3Fphase%3Dtriage"
    );
    let page = t
        .http
        .get(t.url("/login?next=//evil.example"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("name=\"next\" value=\"/dashboard\""),
        "no open redirect"
    );
}

#[tokio::test]
async fn csrf_token_and_cross_site_posts_are_refused() {
    let t = TestApp::spawn().await;
    user(&t, "pso@example.com", Role::Pso).await;
    t.submit(&report("Overcharge")).await;
    let (b, _) = sign_in(&t, "pso@example.com").await;
    let page = b
        .get(t.url("/cases/PSIRT-2026-0001"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let no_token = b
        .post(t.url("/cases/PSIRT-2026-0001/messages"))
        .form(&[("body", "hi")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403);
    let wrong = b
        .post(t.url("/cases/PSIRT-2026-0001/messages"))
        .form(&[("body", "hi"), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let cross = b
        .post(t.url("/cases/PSIRT-2026-0001/messages"))
        .header("origin", "https://evil.example")
        .form(&[("body", "hi"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    let site = b
        .post(t.url("/cases/PSIRT-2026-0001/messages"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("body", "hi"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(site.status(), 403);
    let ok = b
        .post(t.url("/cases/PSIRT-2026-0001/messages"))
        .form(&[
            ("body", "**hello** <script>x()</script>"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let page = b
        .get(t.url("/cases/PSIRT-2026-0001"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<strong>hello</strong>") && !page.contains("<script>x()"));
}

#[tokio::test]
async fn idle_sessions_expire_and_the_typed_form_comes_back() {
    let t = TestApp::spawn().await;
    user(&t, "pso@example.com", Role::Pso).await;
    t.submit(&report("Overcharge")).await;
    let (b, secret) = sign_in(&t, "pso@example.com").await;
    let page = b
        .get(t.url("/cases/PSIRT-2026-0001"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    t.clock.advance(SignedDuration::from_mins(61));
    assert_eq!(
        b.get(t.url("/dashboard")).send().await.unwrap().status(),
        303,
        "idle expiry"
    );
    let r = b
        .post(t.url("/cases/PSIRT-2026-0001/messages"))
        .form(&[("body", "A long careful note"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let login = r.text().await.unwrap();
    let draft = between(&login, "name=\"draft\" value=\"", "\"")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x2f;", "/");
    assert!(draft.contains("A long careful note"), "{draft}");
    let r = b
        .post(t.url("/login"))
        .form(&[
            ("email", "pso@example.com"),
            ("password", PASSWORD),
            ("next", "/cases/PSIRT-2026-0001"),
            ("draft", &draft),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = b
        .get(t.url("/login/totp?next=/cases/PSIRT-2026-0001"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = b
        .post(t.url("/login/totp"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("code", &code(&t, &secret, 0)),
            ("next", "/cases/PSIRT-2026-0001"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/cases/PSIRT-2026-0001");
    let page = b
        .get(t.url("/cases/PSIRT-2026-0001"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(">A long careful note</textarea>"),
        "the draft is back in the form"
    );
    // Sign out everywhere ends this session too.
    let csrf = csrf_of(&page);
    assert_eq!(
        b.post(t.url("/logout/everywhere"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert_eq!(
        b.get(t.url("/dashboard")).send().await.unwrap().status(),
        303
    );
}

#[tokio::test]
async fn failed_sign_ins_back_off_exponentially() {
    let t = TestApp::spawn().await;
    user(&t, "pso@example.com", Role::Pso).await;
    let b = browser();
    let attempt = |password: &'static str| {
        b.post(t.url("/login"))
            .form(&[("email", "pso@example.com"), ("password", password)])
            .send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong").await.unwrap().status(), 401);
    }
    let r = attempt("wrong").await.unwrap();
    assert_eq!(r.status(), 429, "blocked after five failures");
    assert_eq!(r.headers()["retry-after"], "1");
    let r = attempt(PASSWORD).await.unwrap();
    assert_eq!(r.status(), 429, "even the right password waits");
    t.clock.advance(SignedDuration::from_secs(2));
    assert_eq!(attempt("wrong").await.unwrap().status(), 401);
    let r = attempt(PASSWORD).await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "2", "the wait doubles");
    t.clock.advance(SignedDuration::from_secs(3));
    assert_eq!(attempt(PASSWORD).await.unwrap().status(), 303);
}

#[tokio::test]
async fn need_to_know_on_every_page() {
    let t = TestApp::spawn().await;
    user(&t, "rd@example.com", Role::Rd).await;
    t.submit(&report("Secret overcharge")).await;
    let (b, _) = sign_in(&t, "rd@example.com").await;
    assert_eq!(
        b.get(t.url("/cases/PSIRT-2026-0001"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let list = b
        .get(t.url("/cases"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !list.contains("Secret overcharge") && list.contains("<strong id=\"total\">0</strong>")
    );
    let search = b
        .get(t.url("/cases?q=Secret"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!search.contains("PSIRT-2026-0001"));
    let csv = b
        .get(t.url("/cases.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
    let dash = b
        .get(t.url("/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dash.contains("0 cases") && !dash.contains("Secret overcharge"));
    assert_eq!(
        b.get(t.url("/admin/users")).send().await.unwrap().status(),
        403
    );
    admin::grant_report(&t.app, "rd@example.com", "PSIRT-2026-0001")
        .await
        .unwrap();
    assert_eq!(
        b.get(t.url("/cases/PSIRT-2026-0001"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let csv = b
        .get(t.url("/cases.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("PSIRT-2026-0001"));
}

#[tokio::test]
async fn staff_triage_score_confirm_and_tasks_through_the_forms() {
    let t = TestApp::spawn().await;
    user(&t, "pso@example.com", Role::Pso).await;
    t.submit(&report("Overcharge")).await;
    let (b, _) = sign_in(&t, "pso@example.com").await;
    let case = "/cases/PSIRT-2026-0001";
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let b = b.clone();
        let url = t.url(&path);
        async move {
            let r = b.post(url).form(&form).send().await.unwrap();
            assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        }
    };
    let state = || async {
        let p = b
            .get(t.url(case))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (
            csrf_of(&p),
            between(&p, "name=\"version\" value=\"", "\"").to_owned(),
            p,
        )
    };
    for action in ["acknowledge", "start_triage"] {
        let (csrf, v, _) = state().await;
        post(
            format!("{case}/actions"),
            vec![("csrf", csrf), ("version", v), ("action", action.into())],
        )
        .await;
    }
    let (csrf, v, _) = state().await;
    let mut cvss: Vec<(&'static str, String)> =
        vec![("csrf", csrf), ("version", v), ("cvss", "3.1".into())];
    for (k, val) in [
        ("AV", "N"),
        ("AC", "L"),
        ("PR", "N"),
        ("UI", "N"),
        ("S", "U"),
        ("C", "H"),
        ("I", "H"),
        ("A", "H"),
    ] {
        cvss.push((k, val.into()));
    }
    post(format!("{case}/cvss"), cvss).await;
    let (csrf, v, page) = state().await;
    assert!(
        page.contains("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") && page.contains(">9.8<")
    );
    let grade = between(
        &page,
        "<select id=\"grade\" name=\"grade\"><option value=\"\">—</option><option value=\"",
        "\"",
    )
    .to_owned();
    post(
        format!("{case}/assessment"),
        vec![
            ("csrf", csrf),
            ("version", v),
            ("applies_to_supported_product", "yes".into()),
            ("reproducible", "yes".into()),
            ("exploitable", "yes".into()),
            ("grade", grade),
            ("grade_rationale", "remote, unauthenticated".into()),
            ("affected", "VoltGuard BMS / 3.1.4".into()),
        ],
    )
    .await;
    let (csrf, v, _) = state().await;
    post(
        format!("{case}/actions"),
        vec![("csrf", csrf), ("version", v), ("action", "confirm".into())],
    )
    .await;
    let (csrf, v, page) = state().await;
    assert!(page.contains("id=\"phase\">confirmed<"));
    post(
        format!("{case}/tasks"),
        vec![
            ("csrf", csrf),
            ("version", v),
            ("kind", "other".into()),
            ("title", "Tell the supplier".into()),
        ],
    )
    .await;
    let (csrf, v, page) = state().await;
    let id = between(&page, &format!("action=\"{case}/tasks/"), "\"").to_owned();
    post(
        format!("{case}/tasks/{id}"),
        vec![
            ("csrf", csrf),
            ("version", v),
            ("state", "done".into()),
            ("evidence", "mailed on Monday".into()),
        ],
    )
    .await;
    let (_, _, page) = state().await;
    assert!(page.contains("Evidence: mailed on Monday"));
}
