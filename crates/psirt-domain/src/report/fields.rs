//! Field-level validation errors, shared by every input form of the domain.

use serde::Serialize;

/// One invalid field: the field's name as the client sent it, a stable machine code and a
/// sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// Every invalid field of one submission (never empty when returned as an error).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{} invalid field(s): {}", .0.len(), summary(.0))]
pub struct FieldErrors(pub Vec<FieldError>);

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl FieldErrors {
    pub fn push(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.0.push(FieldError {
            field: field.into(),
            code,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for one field, if it is invalid (for showing errors next to form inputs).
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// A text field's limits: how many characters, and whether it may be left empty.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextRule {
    pub max_chars: usize,
    pub required: bool,
    pub single_line: bool,
}

impl TextRule {
    pub const TITLE: TextRule = TextRule {
        max_chars: 300,
        required: true,
        single_line: true,
    };
    pub const SHORT: TextRule = TextRule {
        max_chars: 300,
        required: false,
        single_line: true,
    };
    pub const LONG: TextRule = TextRule {
        max_chars: 200_000,
        required: false,
        single_line: false,
    };
    pub const LONG_REQUIRED: TextRule = TextRule {
        required: true,
        ..TextRule::LONG
    };

    /// Checks one text field. The text is kept verbatim (never trimmed or rewritten) except that
    /// an all-blank optional field counts as absent.
    pub fn check(
        self,
        field: &str,
        value: Option<String>,
        errors: &mut FieldErrors,
    ) -> Option<String> {
        let value = value.filter(|v| !v.trim().is_empty());
        let Some(text) = value else {
            if self.required {
                errors.push(field, "required", "This field is required.");
            }
            return None;
        };
        // PostgreSQL cannot store NUL in text, and no honest report needs it.
        if text.contains('\0') {
            errors.push(
                field,
                "invalid_characters",
                "The text contains a NUL character.",
            );
            return None;
        }
        if self.single_line && text.contains(['\n', '\r']) {
            errors.push(field, "single_line", "This field must be a single line.");
            return None;
        }
        let chars = text.chars().count();
        if chars > self.max_chars {
            errors.push(
                field,
                "too_long",
                format!(
                    "At most {} characters are allowed here ({chars} were sent).",
                    self.max_chars
                ),
            );
            return None;
        }
        Some(text)
    }
}
