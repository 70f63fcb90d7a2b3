//! The chart (SVG, plotters): token prices against the oracle price, and the reserves.

use std::path::Path;

use plotters::coord::types::RangedCoordusize;
use plotters::prelude::*;

use crate::error::SandboxError;
use crate::run::RunResult;
use crate::value::token_price;

const WIDTH: u32 = 1100;
const HEIGHT: u32 = 800;

/// Each series divided by its first value (1.0 = where it started).
fn normalised(series: Vec<f64>) -> Vec<f64> {
    let first = series.first().copied().filter(|x| *x > 0.0).unwrap_or(1.0);
    series.into_iter().map(|x| x / first).collect()
}

fn bounds<'a>(series: impl Iterator<Item = &'a Vec<f64>>) -> (f64, f64) {
    let (lo, hi) = series
        .flatten()
        .filter(|x| x.is_finite() && **x > 0.0)
        .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    if lo > hi {
        (0.5, 2.0)
    } else {
        (lo * 0.95, hi * 1.05)
    }
}

/// One line per series, indexed by step, with a legend.
fn draw_lines<'a, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<RangedCoordusize, Y>>,
    lines: impl IntoIterator<Item = (&'static str, RGBAColor, Vec<f64>)>,
) -> Result<(), Box<dyn std::error::Error>> {
    for (name, color, series) in lines {
        chart
            .draw_series(LineSeries::new(
                series.into_iter().enumerate(),
                color.stroke_width(2),
            ))?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

pub fn write_svg(result: &RunResult, path: &Path) -> Result<(), SandboxError> {
    draw(result, path).map_err(|e| SandboxError::Write {
        path: path.to_path_buf(),
        error: e.to_string(),
    })
}

fn draw(result: &RunResult, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let rows = &result.rows;
    let n = rows.len().max(2);
    let scale = 2f64.powi(64) * 10f64.powi(i32::from(result.decimals));
    let prices = [
        (
            "oracle price",
            BLACK.to_rgba(),
            normalised(rows.iter().map(|r| r.price as f64).collect()),
        ),
        (
            "LONG",
            GREEN.to_rgba(),
            normalised(
                rows.iter()
                    .map(|r| token_price(r.r_long, r.supply[0]))
                    .collect(),
            ),
        ),
        (
            "SHORT",
            RED.to_rgba(),
            normalised(
                rows.iter()
                    .map(|r| token_price(r.r_short, r.supply[1]))
                    .collect(),
            ),
        ),
        (
            "LP",
            BLUE.to_rgba(),
            normalised(
                rows.iter()
                    .map(|r| token_price(r.r_lp, r.supply[2]))
                    .collect(),
            ),
        ),
    ];
    let reserves = [
        (
            "rA (LONG)",
            GREEN.to_rgba(),
            rows.iter()
                .map(|r| f64::from(r.r_long) / scale)
                .collect::<Vec<_>>(),
        ),
        (
            "rB (SHORT)",
            RED.to_rgba(),
            rows.iter().map(|r| f64::from(r.r_short) / scale).collect(),
        ),
        (
            "rC (LP)",
            BLUE.to_rgba(),
            rows.iter().map(|r| f64::from(r.r_lp) / scale).collect(),
        ),
    ];

    let root = SVGBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(HEIGHT / 2);

    let (lo, hi) = bounds(prices.iter().map(|(_, _, s)| s));
    let mut chart = ChartBuilder::on(&top)
        .caption(
            format!(
                "{}: token prices vs the oracle (1.0 = start, log scale)",
                result.scenario
            ),
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(0..n, (lo..hi).log_scale())?;
    chart.configure_mesh().x_desc("step").draw()?;
    draw_lines(&mut chart, prices)?;

    let hi = reserves
        .iter()
        .flat_map(|(_, _, s)| s.iter())
        .fold(0.0f64, |m, x| m.max(*x))
        * 1.05;
    let mut chart = ChartBuilder::on(&bottom)
        .caption("reserves (collateral units)", ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(80)
        .build_cartesian_2d(0..n, 0.0..hi.max(1.0))?;
    chart.configure_mesh().x_desc("step").draw()?;
    draw_lines(&mut chart, reserves)?;
    root.present()?;
    Ok(())
}
