//! Grading rules: CVSS score ranges, ASIL mapping, category taxonomy or a person's decision.

use super::*;

pub(super) fn grading(
    at: &Locator<'_>,
    raw: Spanned<format::GradingFile>,
    grades: &[Grade],
) -> Result<Grading, PolicyError> {
    let span = raw.span();
    let g = raw.into_inner();
    let method = *g.method.get_ref();
    let stray = [
        (
            method != GradingMethod::Cvss && g.cvss_version.is_some(),
            "cvss_version",
        ),
        (
            method != GradingMethod::Cvss && !g.ranges.is_empty(),
            "ranges",
        ),
        (method != GradingMethod::Asil && g.asil.is_some(), "asil"),
        (
            method != GradingMethod::Category && !g.categories.is_empty(),
            "categories",
        ),
    ];
    if let Some((_, key)) = stray.iter().find(|(bad, _)| *bad) {
        return Err(at.at(
            g.method.span(),
            None,
            format!("`{key}` does not belong to this grading method"),
        ));
    }
    let description = g.description;
    match method {
        GradingMethod::Cvss => {
            let version = g.cvss_version.ok_or_else(|| {
                at.at(
                    span.clone(),
                    Some("grading.cvss_version"),
                    "CVSS grading needs `cvss_version`",
                )
            })?;
            if !["2.0", "3.0", "3.1", "4.0"].contains(&version.get_ref().as_str()) {
                return Err(at.at(
                    version.span(),
                    None,
                    "CVSS version must be one of 2.0, 3.0, 3.1, 4.0",
                ));
            }
            let mut ranges = Vec::with_capacity(g.ranges.len());
            for r in &g.ranges {
                let v = r.get_ref();
                if !(0.0..=10.0).contains(&v.min) || !(0.0..=10.0).contains(&v.max) || v.min > v.max
                {
                    return Err(at.at(
                        r.span(),
                        Some("grading.ranges"),
                        format!(
                            "{}..={} is not a score range within 0.0..=10.0",
                            v.min, v.max
                        ),
                    ));
                }
                ranges.push((
                    r.span(),
                    ScoreRange {
                        min: v.min,
                        max: v.max,
                        grade: grade_index(at, grades, &v.grade)?,
                    },
                ));
            }
            if ranges.is_empty() {
                return Err(at.at(
                    span,
                    Some("grading.ranges"),
                    "CVSS grading needs score ranges",
                ));
            }
            ranges.sort_by(|a, b| a.1.min.total_cmp(&b.1.min));
            if let Some(w) = ranges
                .windows(2)
                .find(|w| matches!(w, [a, b] if b.1.min <= a.1.max))
            {
                let span = w.get(1).map_or(0..0, |b| b.0.clone());
                return Err(at.at(span, Some("grading.ranges"), "score ranges overlap"));
            }
            Ok(Grading::Cvss {
                version: version.into_inner(),
                ranges: ranges.into_iter().map(|(_, r)| r).collect(),
                description,
            })
        }
        GradingMethod::Asil => {
            let asil = g.asil.ok_or_else(|| {
                at.at(
                    span,
                    Some("grading.asil"),
                    "ASIL grading needs a [grading.asil] table",
                )
            })?;
            let a = asil.get_ref();
            Ok(Grading::Asil {
                qm: grade_index(at, grades, &a.qm)?,
                a: grade_index(at, grades, &a.a)?,
                b: grade_index(at, grades, &a.b)?,
                c: grade_index(at, grades, &a.c)?,
                d: grade_index(at, grades, &a.d)?,
                description,
            })
        }
        GradingMethod::Category => {
            if g.categories.is_empty() {
                return Err(at.at(
                    span,
                    Some("grading.categories"),
                    "category grading needs categories",
                ));
            }
            let mut categories: Vec<Category> = Vec::with_capacity(g.categories.len());
            for c in &g.categories {
                let c = c.get_ref();
                check_id(at, &c.id)?;
                if categories.iter().any(|o| o.id == *c.id.get_ref()) {
                    return Err(at.at(
                        c.id.span(),
                        None,
                        format!("category `{}` is defined twice", c.id.get_ref()),
                    ));
                }
                categories.push(Category {
                    id: c.id.get_ref().clone(),
                    grade: grade_index(at, grades, &c.grade)?,
                    description: c.description.clone(),
                    examples: c.examples.clone(),
                });
            }
            Ok(Grading::Category {
                categories,
                description,
            })
        }
        GradingMethod::Decision => Ok(Grading::Decision { description }),
    }
}
