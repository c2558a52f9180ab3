//! The intake form as typed (every field a raw string) and the valid report it parses into.

use serde::{Deserialize, Serialize};

use super::{EmailAddress, FieldErrors, fields::TextRule};

/// How a report reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Web,
    Api,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::Email => "email",
        }
    }
}

/// What the reporter typed, field by field, before any rule is applied. Field names are the
/// API's; the HTML form uses the same names so errors map onto inputs one to one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportForm {
    pub title: Option<String>,
    pub description: Option<String>,
    pub product: Option<String>,
    pub model: Option<String>,
    pub version: Option<String>,
    pub technical_details: Option<String>,
    pub reproduction_steps: Option<String>,
    pub disclosure_plans: Option<String>,
    pub anonymous: bool,
    pub reporter_name: Option<String>,
    pub reporter_organization: Option<String>,
    pub reporter_job_title: Option<String>,
    pub reporter_email: Option<String>,
}

/// Who sent a report, when they chose to say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReporterDetails {
    pub name: Option<String>,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub email: Option<EmailAddress>,
}

/// A report whose every field is valid: the only kind storage accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewReport {
    pub channel: Channel,
    pub anonymous: bool,
    pub reporter: ReporterDetails,
    pub product: Option<String>,
    pub model: Option<String>,
    pub version: Option<String>,
    pub title: String,
    pub description: String,
    pub technical_details: Option<String>,
    pub reproduction_steps: Option<String>,
    pub disclosure_plans: Option<String>,
}

impl ReportForm {
    /// Applies the intake rules. On error, every invalid field is named (not just the first),
    /// so the form can show all messages at once.
    pub fn parse(self, channel: Channel) -> Result<NewReport, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = TextRule::TITLE.check("title", self.title, &mut errors);
        let description =
            TextRule::LONG_REQUIRED.check("description", self.description, &mut errors);
        let product = TextRule::SHORT.check("product", self.product, &mut errors);
        let model = TextRule::SHORT.check("model", self.model, &mut errors);
        let version = TextRule::SHORT.check("version", self.version, &mut errors);
        let technical_details =
            TextRule::LONG.check("technical_details", self.technical_details, &mut errors);
        let reproduction_steps =
            TextRule::LONG.check("reproduction_steps", self.reproduction_steps, &mut errors);
        let disclosure_plans =
            TextRule::LONG.check("disclosure_plans", self.disclosure_plans, &mut errors);
        let name = TextRule::SHORT.check("reporter.name", self.reporter_name, &mut errors);
        let organization = TextRule::SHORT.check(
            "reporter.organization",
            self.reporter_organization,
            &mut errors,
        );
        let job_title =
            TextRule::SHORT.check("reporter.job_title", self.reporter_job_title, &mut errors);
        let email_text = TextRule::SHORT.check("reporter.email", self.reporter_email, &mut errors);
        let email = email_text.and_then(|text| match EmailAddress::parse(&text) {
            Ok(email) => Some(email),
            Err(e) => {
                errors.push("reporter.email", "invalid_email", e.to_string());
                None
            }
        });
        let reporter = ReporterDetails {
            name,
            organization,
            job_title,
            email,
        };
        if self.anonymous {
            // An anonymous report keeps no identity: refusing (rather than silently dropping
            // what was typed) lets the reporter choose.
            for (field, present) in [
                ("reporter.name", reporter.name.is_some()),
                ("reporter.organization", reporter.organization.is_some()),
                ("reporter.job_title", reporter.job_title.is_some()),
                ("reporter.email", reporter.email.is_some()),
            ] {
                if present {
                    errors.push(
                        field,
                        "anonymous_with_identity",
                        "An anonymous report keeps no identity: clear this field or untick \"anonymous\".",
                    );
                }
            }
        } else if reporter.email.is_none() && !errors.0.iter().any(|e| e.field == "reporter.email")
        {
            errors.push(
                "reporter.email",
                "required",
                "Give an e-mail address so we can reach you, or report anonymously.",
            );
        }
        match (title, description) {
            (Some(title), Some(description)) if errors.is_empty() => Ok(NewReport {
                channel,
                anonymous: self.anonymous,
                reporter,
                product,
                model,
                version,
                title,
                description,
                technical_details,
                reproduction_steps,
                disclosure_plans,
            }),
            _ => Err(errors),
        }
    }
}

/// A message typed into a conversation (tracking page or API).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageForm {
    pub body: Option<String>,
}

/// A valid conversation message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewMessage {
    pub body: String,
}

impl MessageForm {
    pub fn parse(self) -> Result<NewMessage, FieldErrors> {
        let mut errors = FieldErrors::default();
        let body = TextRule::LONG_REQUIRED.check("body", self.body, &mut errors);
        match body {
            Some(body) if errors.is_empty() => Ok(NewMessage { body }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> ReportForm {
        ReportForm {
            title: Some("Unauthenticated OTA on BMS-200".into()),
            description: Some("<script>alert(1)</script> verbatim".into()),
            reporter_email: Some("r@example.org".into()),
            ..ReportForm::default()
        }
    }

    #[test]
    fn keeps_text_verbatim() {
        let r = filled().parse(Channel::Web).unwrap();
        assert_eq!(r.description, "<script>alert(1)</script> verbatim");
        assert_eq!(r.reporter.email.unwrap().as_str(), "r@example.org");
    }

    #[test]
    fn names_every_bad_field() {
        let form = ReportForm {
            title: Some("two\nlines".into()),
            description: Some("   ".into()),
            version: Some("x".repeat(301)),
            reporter_email: Some("nope".into()),
            ..ReportForm::default()
        };
        let errors = form.parse(Channel::Api).unwrap_err();
        let fields: Vec<_> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("title", "single_line"),
                ("description", "required"),
                ("version", "too_long"),
                ("reporter.email", "invalid_email")
            ]
        );
    }

    #[test]
    fn anonymous_needs_no_contact_but_refuses_identity() {
        let anon = ReportForm {
            anonymous: true,
            reporter_email: None,
            ..filled()
        };
        assert!(anon.parse(Channel::Web).unwrap().reporter.email.is_none());
        let mixed = ReportForm {
            anonymous: true,
            reporter_name: Some("Eve".into()),
            reporter_email: None,
            ..filled()
        };
        assert_eq!(
            mixed.parse(Channel::Web).unwrap_err().0[0].code,
            "anonymous_with_identity"
        );
        let named = ReportForm {
            reporter_email: None,
            ..filled()
        };
        assert_eq!(
            named.parse(Channel::Web).unwrap_err().0[0].field,
            "reporter.email"
        );
    }

    #[test]
    fn refuses_nul() {
        let form = ReportForm {
            model: Some("a\0b".into()),
            ..filled()
        };
        assert_eq!(
            form.parse(Channel::Web).unwrap_err().0[0].code,
            "invalid_characters"
        );
    }
}
