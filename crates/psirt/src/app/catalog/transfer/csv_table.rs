//! The catalog as one CSV table: a row per version (with its product's and model's columns
//! repeated), a row per model without versions, a row per product without either. On import
//! an empty cell leaves the value as it is, and repeated product or model columns must agree.
//! Cells a spreadsheet would run as a formula are written with a leading `'`, which the
//! importer removes again (so a file round-trips exactly).

use psirt_domain::report::FieldErrors;

use super::{
    CatalogDocument, FORMAT_NAME, ModelDoc, Origins, ProductDoc, ProductOrigin, VersionDoc,
};
use crate::app::AppError;

pub const COLUMNS: [&str; 14] = [
    "product",
    "slug",
    "vendor",
    "version_scheme",
    "purl",
    "description",
    "model",
    "model_description",
    "model_end_of_support",
    "version",
    "released",
    "support",
    "end_of_support",
    "markets",
];

fn formula_like(v: &str) -> bool {
    v.starts_with(['=', '+', '-', '@', '\t', '\r', '\''])
}

fn defuse(v: &str) -> String {
    if formula_like(v) {
        format!("'{v}")
    } else {
        v.to_owned()
    }
}

fn restore(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => v,
    }
}

fn unavailable(e: impl std::fmt::Display) -> AppError {
    AppError::Unavailable(format!("catalog CSV: {e}"))
}

pub fn write(doc: &CatalogDocument) -> Result<String, AppError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(unavailable)?;
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    for p in &doc.products {
        let product = [
            p.name.clone(),
            o(&p.slug),
            o(&p.vendor),
            o(&p.version_scheme),
            o(&p.purl),
            o(&p.description),
        ];
        let model_cells = |name: Option<&str>| -> [String; 3] {
            match name.and_then(|n| p.models.iter().find(|m| m.name == n)) {
                Some(m) => [m.name.clone(), o(&m.description), o(&m.end_of_support)],
                None => Default::default(),
            }
        };
        let mut rows: Vec<Vec<String>> = Vec::new();
        for m in p.models.iter().filter(|m| {
            !p.versions
                .iter()
                .any(|v| v.model.as_deref() == Some(&m.name))
        }) {
            rows.push(
                product
                    .iter()
                    .cloned()
                    .chain(model_cells(Some(&m.name)))
                    .chain(std::iter::repeat_n(String::new(), 5))
                    .collect(),
            );
        }
        for v in &p.versions {
            let version = [
                v.version.clone(),
                o(&v.released),
                o(&v.support),
                o(&v.end_of_support),
                v.markets.clone().unwrap_or_default().join(" "),
            ];
            rows.push(
                product
                    .iter()
                    .cloned()
                    .chain(model_cells(v.model.as_deref()))
                    .chain(version)
                    .collect(),
            );
        }
        if rows.is_empty() {
            rows.push(
                product
                    .iter()
                    .cloned()
                    .chain(std::iter::repeat_n(String::new(), 8))
                    .collect(),
            );
        }
        for row in rows {
            w.write_record(row.iter().map(|c| defuse(c)))
                .map_err(unavailable)?;
        }
    }
    let bytes = w.into_inner().map_err(unavailable)?;
    String::from_utf8(bytes).map_err(unavailable)
}

/// A value of one row: `None` when the cell is empty or the column absent.
struct Row<'a> {
    cells: &'a csv::StringRecord,
    index: &'a [Option<usize>; 14],
}

impl Row<'_> {
    fn get(&self, column: usize) -> Option<String> {
        let i = (*self.index.get(column)?)?;
        let v = restore(self.cells.get(i)?.trim());
        (!v.is_empty()).then(|| v.to_owned())
    }
}

/// The line a record starts on. After a CRLF the reader has consumed the CR only, so a
/// record's position can still be on the LF of the line before.
fn line_of(bytes: &[u8], position: &csv::Position) -> u64 {
    let at = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    if bytes.get(at) == Some(&b'\n') {
        position.line() + 1
    } else {
        position.line()
    }
}

/// Sets `slot` from a cell when an earlier line left it empty (conflicts are refused first,
/// by [`row_problem`]).
fn fill(slot: &mut Option<String>, cell: Option<String>) {
    if slot.is_none() {
        *slot = cell;
    }
}

pub fn read(bytes: &[u8]) -> Result<(CatalogDocument, Origins), AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut errors = FieldErrors::default();
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            errors.push("lines[1]", "malformed", e.to_string());
            return Err(errors.into());
        }
        None => {
            errors.push(
                "lines[1]",
                "required",
                "the file is empty: give a header line",
            );
            return Err(errors.into());
        }
    };
    let mut index: [Option<usize>; 14] = [None; 14];
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}');
        match COLUMNS.iter().position(|c| *c == name) {
            Some(c) => {
                if let Some(slot) = index.get_mut(c) {
                    *slot = Some(i);
                }
            }
            None => errors.push(
                format!("lines[1].{name}"),
                "unknown_column",
                format!("the columns are: {}", COLUMNS.join(", ")),
            ),
        }
    }
    if index.first().copied().flatten().is_none() {
        errors.push(
            "lines[1].product",
            "required",
            "the header needs a product column",
        );
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let mut doc = CatalogDocument {
        format: FORMAT_NAME.into(),
        version: 1,
        products: Vec::new(),
    };
    let mut origins = Origins {
        products: Vec::new(),
        csv: true,
        errors: FieldErrors::default(),
    };
    // Per product: the line that introduced it and, per model, the line that introduced it.
    let mut first_lines: Vec<(u64, Vec<u64>)> = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| line_of(bytes, p)).unwrap_or(0);
                errors.push(format!("lines[{line}]"), "malformed", e.to_string());
                continue;
            }
        };
        let line = record.position().map(|p| line_of(bytes, p)).unwrap_or(0);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            errors.push(
                format!("lines[{line}]"),
                "wrong_column_count",
                format!("{} cells, the header has {}", record.len(), header.len()),
            );
            continue;
        }
        let row = Row {
            cells: &record,
            index: &index,
        };
        if let Some(problem) = row_problem(&row, &doc, &first_lines, line) {
            let (field, code, message) = problem;
            errors.push(field, code, message);
            continue;
        }
        let Some(name) = row.get(0) else {
            continue;
        };
        let pi = match doc.products.iter().position(|p| p.name == name) {
            Some(pi) => pi,
            None => {
                doc.products.push(ProductDoc {
                    name,
                    ..ProductDoc::default()
                });
                origins.products.push(ProductOrigin {
                    product: format!("lines[{line}]."),
                    ..ProductOrigin::default()
                });
                first_lines.push((line, Vec::new()));
                doc.products.len() - 1
            }
        };
        let (Some(p), Some(origin), Some((_, model_lines))) = (
            doc.products.get_mut(pi),
            origins.products.get_mut(pi),
            first_lines.get_mut(pi),
        ) else {
            continue;
        };
        for (slot, col) in [
            (&mut p.slug, 1),
            (&mut p.vendor, 2),
            (&mut p.version_scheme, 3),
            (&mut p.purl, 4),
            (&mut p.description, 5),
        ] {
            fill(slot, row.get(col));
        }
        let model = row.get(6);
        if let Some(m) = &model {
            let mi = match p.models.iter().position(|x| &x.name == m) {
                Some(mi) => mi,
                None => {
                    p.models.push(ModelDoc {
                        name: m.clone(),
                        ..ModelDoc::default()
                    });
                    origin.models.push(format!("lines[{line}].model_"));
                    model_lines.push(line);
                    p.models.len() - 1
                }
            };
            if let Some(md) = p.models.get_mut(mi) {
                fill(&mut md.description, row.get(7));
                fill(&mut md.end_of_support, row.get(8));
            }
        }
        if let Some(version) = row.get(9) {
            p.versions.push(VersionDoc {
                version,
                model,
                released: row.get(10),
                support: row.get(11),
                end_of_support: row.get(12),
                markets: row.get(13).map(|m| {
                    m.split([' ', ',', ';'])
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect()
                }),
            });
            origin.versions.push(format!("lines[{line}]."));
        }
    }
    origins.errors = errors;
    Ok((doc, origins))
}

/// Why a row cannot be read at all (it is then left out and reported): no product, a
/// product or model column that contradicts an earlier line, columns without their key.
fn row_problem(
    row: &Row<'_>,
    doc: &CatalogDocument,
    first_lines: &[(u64, Vec<u64>)],
    line: u64,
) -> Option<(String, &'static str, String)> {
    let at = |col: &str| format!("lines[{line}].{col}");
    let Some(name) = row.get(0) else {
        return Some((
            at("product"),
            "required",
            "every row names its product".into(),
        ));
    };
    let known = doc.products.iter().position(|p| p.name == name);
    if let Some(pi) = known
        && let (Some(p), Some((first, model_lines))) = (doc.products.get(pi), first_lines.get(pi))
    {
        let product_cells = [
            (1, "slug", &p.slug),
            (2, "vendor", &p.vendor),
            (3, "version_scheme", &p.version_scheme),
            (4, "purl", &p.purl),
            (5, "description", &p.description),
        ];
        for (col, column, old) in product_cells {
            if let (Some(old), Some(v)) = (old, row.get(col))
                && *old != v
            {
                return Some((
                    at(column),
                    "inconsistent",
                    format!("{v:?} differs from {old:?} given on line {first}"),
                ));
            }
        }
        if let Some(m) = row.get(6)
            && let Some(mi) = p.models.iter().position(|x| x.name == m)
            && let Some(md) = p.models.get(mi)
        {
            let mfirst = model_lines.get(mi).copied().unwrap_or(line);
            for (col, column, old) in [
                (7, "model_description", &md.description),
                (8, "model_end_of_support", &md.end_of_support),
            ] {
                if let (Some(old), Some(v)) = (old, row.get(col))
                    && *old != v
                {
                    return Some((
                        at(column),
                        "inconsistent",
                        format!("{v:?} differs from {old:?} given on line {mfirst}"),
                    ));
                }
            }
        }
    }
    if row.get(6).is_none() && (row.get(7).is_some() || row.get(8).is_some()) {
        return Some((
            at("model"),
            "required",
            "model columns need the model's name".into(),
        ));
    }
    if row.get(9).is_none() && (10..14).any(|c| row.get(c).is_some()) {
        return Some((
            at("version"),
            "required",
            "version columns need the version".into(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_restored() {
        for v in ["=1+1", "-x", "'quoted", "''=", "plain", "@a", ""] {
            assert_eq!(restore(&defuse(v)), v, "{v:?}");
        }
        assert_eq!(defuse("=1+1"), "'=1+1");
    }
}
