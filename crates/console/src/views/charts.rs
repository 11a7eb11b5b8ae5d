//! Charts as inline SVG drawn on the server with `plotters` (its SVG backend only: no fonts or
//! bitmaps are linked; the browser sets the text in the console's fonts). The console's pages run
//! no script (their Content-Security-Policy forbids it), so a chart is markup like the rest: the
//! bars are `<rect>`s, the labels `<text>`s that plotters escapes, and the page puts the numbers
//! beside each chart as a table and a CSV download, so nothing is only in the picture.

use maud::{html, Markup, PreEscaped};
use plotters::prelude::*;

/// Bar colour (the console's accent).
const BAR: RGBColor = RGBColor(0x1f, 0x6f, 0x8b);
/// Threshold line colour.
const LINE: RGBColor = RGBColor(0xb0, 0x3a, 0x2e);
/// Chart size in SVG units (it scales to the page's width).
const SIZE: (u32, u32) = (720, 300);

/// An SVG made by `draw`, or nothing when plotters fails (it draws into a string, so only a
/// degenerate range could; the numbers stay in the table beside the chart).
fn svg(
    label: &str,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Option<()>,
) -> Markup {
    let mut out = String::new();
    let ok = {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        draw(&root).and_then(|()| root.present().ok())
    };
    match ok {
        Some(()) => html! {
            figure.chart role="img" aria-label=(label) { (PreEscaped(out)) }
        },
        None => html! {},
    }
}

/// Vertical bars, one per label (`values` in the same order), with the value's axis from 0.
pub fn bars(label: &str, labels: &[String], values: &[u64]) -> Markup {
    let n = labels.len().max(1);
    let top = values.iter().copied().max().unwrap_or(0).max(1);
    svg(label, |root| {
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(if n > 8 { 70 } else { 30 })
            .y_label_area_size(50)
            .build_cartesian_2d((0..n).into_segmented(), 0u64..top + top / 10 + 1)
            .ok()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .ok()?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0),
                        (SegmentValue::Exact(i + 1), *v),
                    ],
                    BAR.filled(),
                );
                r.set_margin(0, 0, 4, 4);
                r
            }))
            .ok()?;
        Some(())
    })
}

/// A histogram of 1-point buckets (`buckets[i]`: scores in `[i, i+1)`) with each threshold drawn
/// as a vertical line and labelled.
pub fn histogram(
    label: &str,
    buckets: &[u64],
    thresholds: &[(String, f64)],
    x_title: &str,
    y_title: &str,
) -> Markup {
    let top = buckets.iter().copied().max().unwrap_or(0).max(1);
    let width = buckets.len() as f64;
    svg(label, |root| {
        root.fill(&WHITE).ok()?;
        let y_max = top + top / 5 + 1;
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..width, 0u64..y_max)
            .ok()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(x_title)
            .y_desc(y_title)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .draw()
            .ok()?;
        chart
            .draw_series(
                buckets
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(i, n)| {
                        Rectangle::new([(i as f64, 0), (i as f64 + 1.0, *n)], BAR.filled())
                    }),
            )
            .ok()?;
        for (i, (name, score)) in thresholds.iter().enumerate() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*score, 0), (*score, y_max)],
                    LINE.stroke_width(2),
                )))
                .ok()?;
            // Labels stacked from the top so neighbouring cut-offs do not overwrite each other.
            let y = y_max - (y_max / 12).max(1) * (i as u64 + 1);
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{name} ≤ {score}"),
                    (*score + 0.5, y),
                    ("sans-serif", 13).into_font().color(&LINE),
                )))
                .ok()?;
        }
        Some(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_histograms_are_svg_with_escaped_labels_and_no_script() {
        let b = bars("b", &["<x>".to_string(), "Lahore".into()], &[3, 5]).into_string();
        assert!(
            b.contains("<svg") && b.contains("&lt;x&gt;") && b.contains("Lahore"),
            "{b:.400}"
        );
        assert!(!b.contains("<x>") && !b.contains("<script") && !b.contains("style="));
        let mut buckets = vec![0; 101];
        buckets[20] = 4;
        buckets[40] = 2;
        let h = histogram(
            "h",
            &buckets,
            &[("Kafalat".into(), 32.0)],
            "score",
            "households",
        )
        .into_string();
        assert!(h.contains("Kafalat ≤ 32"), "{h:.400}");
        assert!(h.matches("<rect").count() >= 2, "{h:.400}");
    }
}
