//! Charts as server-rendered SVG: this computes the geometry; the template draws it (askama
//! escapes every label). No script, no external asset.

/// One bar (or one of a pair) of a chart.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    pub class: &'static str,
    pub title: String,
}

pub struct Chart {
    pub title: String,
    pub description: String,
    pub bars: Vec<Bar>,
    pub labels: Vec<(i64, String)>,
    pub max_label: String,
}

pub const WIDTH: i64 = 600;
pub const HEIGHT: i64 = 160;

/// Grouped bars: each week has one bar per series.
pub fn bars(
    title: &str,
    description: &str,
    weeks: &[String],
    series: &[(&'static str, &str, Vec<f64>)],
) -> Chart {
    let max = series
        .iter()
        .flat_map(|s| s.2.iter().copied())
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let n = i64::try_from(weeks.len().max(1)).unwrap_or(1);
    let slot = WIDTH / n;
    let k = i64::try_from(series.len().max(1)).unwrap_or(1);
    let bar_w = ((slot - 4) / k).max(1);
    let mut bars = Vec::new();
    for (s, (class, name, values)) in series.iter().enumerate() {
        let s = i64::try_from(s).unwrap_or(0);
        for (i, v) in values.iter().enumerate() {
            let i = i64::try_from(i).unwrap_or(0);
            let h = ((v / max) * (HEIGHT - 20) as f64).round() as i64;
            let week = weeks
                .get(usize::try_from(i).unwrap_or(0))
                .cloned()
                .unwrap_or_default();
            bars.push(Bar {
                x: i * slot + 2 + s * bar_w,
                y: HEIGHT - 20 - h,
                width: bar_w,
                height: h,
                class,
                title: format!("{name}, week of {week}: {}", round(*v)),
            });
        }
    }
    let labels = weeks
        .iter()
        .enumerate()
        .step_by(2)
        .map(|(i, w)| (i64::try_from(i).unwrap_or(0) * slot + 2, w.clone()))
        .collect();
    Chart {
        title: title.to_owned(),
        description: description.to_owned(),
        bars,
        labels,
        max_label: round(max),
    }
}

fn round(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
