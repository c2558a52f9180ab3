//! Configuration as a value: defaults → `psirt.toml` → `PSIRT_*` environment → command-line
//! flags. [`Config::validate`] refuses a configuration that cannot work, naming what to set.

use std::{fmt, net::SocketAddr, path::PathBuf};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Where the embedded database, attachments and other state live.
    pub data_dir: PathBuf,
    /// `sqlite:…` or `postgres://…`; empty means SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// The URL people reach psirt at (for links in pages and answers); default `http://{listen}`.
    pub public_url: Option<String>,
    /// `text` or `json` logs.
    pub log_format: String,
    pub organization: Organization,
    pub limits: Limits,
    pub mail: MailConfig,
    pub auth: Auth,
    pub openpgp: OpenPgpConfig,
}

/// The organisation's OpenPGP key (generated or imported with `psirt keys`, kept in the database).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpenPgpConfig {
    /// Protects the secret keys stored in the database (OpenPGP S2K); without it they are stored
    /// unprotected. Changing it makes stored keys unusable until re-imported.
    pub key_passphrase: Option<String>,
    /// Clear-sign `/.well-known/security.txt` with the active key (RFC 9116 §2.3).
    pub sign_security_txt: bool,
}

impl Default for OpenPgpConfig {
    fn default() -> Self {
        Self {
            key_passphrase: None,
            sign_security_txt: true,
        }
    }
}

impl fmt::Debug for OpenPgpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenPgpConfig")
            .field(
                "key_passphrase",
                &self.key_passphrase.as_ref().map(|_| "***"),
            )
            .field("sign_security_txt", &self.sign_security_txt)
            .finish()
    }
}

/// Staff sign-in: second factor and session lifetimes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Auth {
    /// Staff must enrol and use a TOTP second factor (default true).
    pub require_totp: bool,
    /// A session ends after this many minutes without a request.
    pub session_idle_minutes: u32,
    /// A session ends this many hours after sign-in, however active.
    pub session_absolute_hours: u32,
}

impl Default for Auth {
    fn default() -> Self {
        Self {
            require_totp: true,
            session_idle_minutes: 60,
            session_absolute_hours: 12,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Organization {
    pub name: String,
    /// Where researchers may write (shown on the policy page).
    pub security_contact: String,
    /// The active policy preset or a path to a policy TOML file.
    pub policy: String,
    /// The organisation's CVE Program org UUID, when it is a CNA (CVE records' assigner).
    pub cve_org_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body accepted, in bytes (report text and all files together).
    pub max_body_bytes: usize,
    /// Largest single attachment, in bytes.
    pub max_attachment_bytes: u64,
    /// Most attachments in one report or message.
    pub max_attachments: usize,
    /// Submissions per minute allowed from one client address on public endpoints (0 = no limit).
    pub public_submissions_per_minute: u32,
    /// Most reports committed together in one transaction.
    pub intake_batch: usize,
    /// Database connections per process.
    pub database_connections: u32,
}

/// Outbound mail: SMTP when `smtp_url` is set, else `.eml` files in `{data_dir}/outbox/`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// `smtp://host:port` (plain), `smtp://host?tls=required` (STARTTLS) or
    /// `smtps://user:password@host` (TLS); unset writes mail to the outbox folder instead.
    pub smtp_url: Option<String>,
    /// The sender of every mail (`name@domain` or `Name <name@domain>`).
    pub from: String,
    /// Seconds to wait for the SMTP server at each step before giving up (and retrying later).
    pub timeout_seconds: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("psirt-data"),
            database_url: None,
            public_url: None,
            log_format: "text".into(),
            organization: Organization::default(),
            limits: Limits::default(),
            mail: MailConfig::default(),
            auth: Auth::default(),
            openpgp: OpenPgpConfig::default(),
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "psirt@localhost".into(),
            timeout_seconds: 30,
        }
    }
}

impl MailConfig {
    /// The SMTP URL in effect (an empty value means none).
    pub fn smtp_url(&self) -> Option<&str> {
        self.smtp_url.as_deref().filter(|u| !u.trim().is_empty())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = self.smtp_url()
            && (!(url.starts_with("smtp://") || url.starts_with("smtps://"))
                || lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url).is_err())
        {
            return Err(ConfigError::Unusable(format!(
                "mail.smtp_url (PSIRT_MAIL__SMTP_URL) must be smtp://host[:port][?tls=required] or smtps://[user:password@]host[:port], not {:?}",
                redact_url(url)
            )));
        }
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Unusable(format!(
                "mail.from (PSIRT_MAIL__FROM) must be an address like psirt@example.com, not {:?}",
                self.from
            )));
        }
        if self.timeout_seconds == 0 {
            return Err(ConfigError::Unusable(
                "mail.timeout_seconds must be above 0".into(),
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("from", &self.from)
            .field("timeout_seconds", &self.timeout_seconds)
            .finish()
    }
}

impl Default for Organization {
    fn default() -> Self {
        Self {
            name: "Example Devices Ltd.".into(),
            security_contact: "security@example.com".into(),
            policy: "default".into(),
            cve_org_id: None,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024 * 1024,
            max_attachment_bytes: 25 * 1024 * 1024,
            max_attachments: 10,
            public_submissions_per_minute: 20,
            intake_batch: 256,
            database_connections: 16,
        }
    }
}

/// Values given as command-line flags: they win over everything else.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

/// Top-level keys the environment may set (`PSIRT_LIMITS__MAX_ATTACHMENTS` sets `limits.max_attachments`).
const ENV_KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "public_url",
    "log_format",
    "organization",
    "limits",
    "mail",
    "auth",
    "openpgp",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration cannot work: {0}")]
    Unusable(String),
}

impl Config {
    /// Loads the layers. `file` defaults to `psirt.toml` in the working directory, if present.
    pub fn load(
        file: Option<&std::path::Path>,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let file_given = file.is_some();
        let path = file
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("psirt.toml"));
        if file_given && !path.is_file() {
            return Err(ConfigError::Unusable(format!(
                "the configuration file {} does not exist",
                path.display()
            )));
        }
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&path))
            .merge(
                Env::prefixed("PSIRT_")
                    .split("__")
                    // The filter sees the key as written (`LISTEN`); figment lowercases it later.
                    .filter(|k| {
                        let key = k.as_str().to_ascii_lowercase();
                        ENV_KEYS.iter().any(|known| key.starts_with(known))
                    }),
            )
            .merge(Serialized::globals(overrides))
            .extract()
            .map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// Refuses what cannot work, naming the setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let unusable = |s: String| Err(ConfigError::Unusable(s));
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            return unusable(
                "database_url (PSIRT_DATABASE_URL) must start with sqlite: or postgres://".into(),
            );
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return unusable(format!(
                "public_url must be an http:// or https:// URL, not {url:?}"
            ));
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return unusable("log_format must be \"text\" or \"json\"".into());
        }
        let l = &self.limits;
        if l.max_body_bytes < 64 * 1024
            || l.max_attachment_bytes == 0
            || l.intake_batch == 0
            || l.database_connections == 0
        {
            return unusable(
                "limits: max_body_bytes must be at least 65536, and max_attachment_bytes, intake_batch and database_connections above 0"
                    .into(),
            );
        }
        if let Some(id) = &self.organization.cve_org_id
            && !is_uuid_v4(id)
        {
            return unusable(format!(
                "organization.cve_org_id must be the CNA's CVE Program UUID, not {id:?}"
            ));
        }
        if self.organization.name.trim().is_empty() {
            return unusable("organization.name must be set".into());
        }
        if self.auth.session_idle_minutes == 0 || self.auth.session_absolute_hours == 0 {
            return unusable(
                "auth.session_idle_minutes and auth.session_absolute_hours must be above 0".into(),
            );
        }
        self.mail.validate()
    }

    /// The database URL in effect (SQLite in the data directory unless one is given).
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("psirt.db").display()
            ),
        }
    }

    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    pub fn attachments_dir(&self) -> PathBuf {
        self.data_dir.join("attachments")
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("public_url", &self.public_url)
            .field("log_format", &self.log_format)
            .field("organization", &self.organization)
            .field("limits", &self.limits)
            .field("mail", &self.mail)
            .field("openpgp", &self.openpgp)
            .finish()
    }
}

fn is_uuid_v4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let hex = |p: &str| p.bytes().all(|b| b.is_ascii_hexdigit());
    matches!(parts.as_slice(), [a, b, c, d, e]
        if a.len() == 8 && b.len() == 4 && c.len() == 4 && d.len() == 4 && e.len() == 12
        && parts.iter().all(|p| hex(p)) && c.starts_with('4') && d.starts_with(['8', '9', 'a', 'b', 'A', 'B']))
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_database_password() {
        let config = Config {
            database_url: Some("postgres://psirt:hunter2@db/psirt".into()),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("psirt:***@db"));
    }

    #[test]
    fn refuses_what_cannot_work() {
        let bad = Config {
            database_url: Some("mysql://x".into()),
            ..Config::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("database_url")
        );
        let bad = Config {
            limits: Limits {
                intake_batch: 0,
                ..Limits::default()
            },
            ..Config::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("intake_batch")
        );
    }

    #[test]
    fn mail_settings_are_checked_and_redacted() {
        let mail = |smtp_url: &str, from: &str| Config {
            mail: MailConfig {
                smtp_url: Some(smtp_url.into()),
                from: from.into(),
                ..MailConfig::default()
            },
            ..Config::default()
        };
        let good = mail(
            "smtps://psirt:s3cret@mail.example.com",
            "PSIRT <psirt@example.com>",
        );
        good.validate().unwrap();
        assert!(!format!("{good:?}").contains("s3cret"));
        assert!(mail("", "psirt@example.com").validate().is_ok());
        let bad = mail("http://psirt:s3cret@mail.example.com", "psirt@example.com");
        let refused = bad.validate().unwrap_err().to_string();
        assert!(refused.contains("mail.smtp_url"), "{refused}");
        assert!(!refused.contains("s3cret"), "{refused}");
        let refused = mail("smtp://127.0.0.1:2525", "not an address")
            .validate()
            .unwrap_err()
            .to_string();
        assert!(refused.contains("mail.from"), "{refused}");
    }

    #[test]
    fn flags_win_over_defaults() {
        let overrides = Overrides {
            listen: Some("127.0.0.1:9999".parse().unwrap()),
            ..Overrides::default()
        };
        let config = Config::load(None, &overrides).unwrap();
        assert_eq!(config.listen.port(), 9999);
        assert!(config.database_url().starts_with("sqlite://"));
    }
}
