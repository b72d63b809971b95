//! PNG plots of a training run's metrics.
//!
//! [`write_plots`] reads `<run_dir>/metrics.jsonl`, one JSON object per
//! line with an integer `step` and TRL's metric names, and draws into
//! `<run_dir>/plots/`:
//!
//! - `rewards.png`: `reward` and every `rewards/<name>/mean` against the step;
//! - `training.png`: small panels of the optimiser's health (loss, kl,
//!   entropy, grad_norm, learning_rate, completion length and truncation,
//!   frac_reward_zero_std, clip ratio), whichever the run has;
//! - `eval.png`: one panel per `eval/*` key, written once the run has one.
//!
//! A training series with many points is drawn faint per step under a bold
//! centred moving average, so a trend shows through the noise of small
//! batches; evaluation points are already averages and are drawn as they are.
//!
//! # Reading the file
//!
//! The file is a log that a crash can cut mid-line and that the trainer may
//! be appending to while it is read. A line that is not a JSON object with an
//! integer `step` is skipped (the usual case is a truncated last line), and
//! so is every value that is null, not a number, or not finite. Python's
//! `json` writes non-finite floats as bare `NaN` and `Infinity`, which is not
//! JSON; such a line is read with those values taken as null, so that one NaN
//! does not hide the other metrics of its step.
//!
//! # Fonts
//!
//! Text is drawn by plotters' `ab_glyph` feature from DejaVu Sans compiled
//! into the binary by the `dejavu` crate (the DejaVu fonts' licence is
//! permissive; the crate is MIT/Apache-2.0 and has no dependencies).
//! plotters' default `ttf` feature instead looks fonts up at run time through
//! font-kit and fontconfig: it needs libfontconfig's headers to build and an
//! installed font to draw, and where either is missing every text draw fails.
//! Embedding costs about 1.4 MB of binary for the regular and bold faces and
//! makes the plots the same on every machine.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, Context, Result};
use plotters::coord::ranged1d::{BoldPoints, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;
use serde_json::{Map, Value};

/// Reads `<run_dir>/metrics.jsonl` and writes PNG plots into `<run_dir>/plots/`; returns their paths.
///
/// Each figure is written only when the run has a metric for it, so an empty
/// file gives no plots and an empty list. Files are replaced atomically
/// (written beside, then renamed), so this can be called again at any step
/// while a viewer has the previous plots open.
///
/// # Errors
///
/// When the metrics file cannot be read (the error names it) or a plot
/// cannot be drawn or written.
pub fn write_plots(run_dir: &Path) -> Result<Vec<PathBuf>> {
    let metrics_path = run_dir.join("metrics.jsonl");
    let bytes = fs::read(&metrics_path)
        .with_context(|| format!("reading training metrics from {}", metrics_path.display()))?;
    // A crash can cut a multi-byte character in half; that only spoils the
    // last line, which is skipped as unparsable.
    let metrics = parse_metrics(&String::from_utf8_lossy(&bytes));

    let figures: Vec<Figure> = [
        rewards_figure(&metrics),
        training_figure(&metrics),
        eval_figure(&metrics),
    ]
    .into_iter()
    .flatten()
    .collect();
    if figures.is_empty() {
        return Ok(Vec::new());
    }

    register_fonts()?;
    let plots_dir = run_dir.join("plots");
    fs::create_dir_all(&plots_dir).with_context(|| format!("creating {}", plots_dir.display()))?;
    let mut written = Vec::with_capacity(figures.len());
    for figure in &figures {
        let path = plots_dir.join(figure.file_name);
        let size = figure.size();
        let pixels = figure
            .render()
            .with_context(|| format!("drawing {}", path.display()))?;
        write_png(&path, &pixels, size).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Each metric's finite values as `(step, value)`, sorted by step.
#[derive(Debug, Default)]
struct Metrics {
    by_key: BTreeMap<String, Vec<(i64, f64)>>,
}

impl Metrics {
    fn get(&self, key: &str) -> Option<&[(i64, f64)]> {
        self.by_key.get(key).map(Vec::as_slice)
    }
}

fn parse_metrics(text: &str) -> Metrics {
    let mut by_key: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
    for object in text.lines().filter_map(parse_line) {
        let Some(step) = object.get("step").and_then(step_of) else {
            continue;
        };
        for (key, value) in &object {
            // Beyond 1e100 a value is an overflow, not a measurement, and
            // would overflow the axis arithmetic too.
            let Some(value) = value.as_f64().filter(|v| v.abs() < 1e100) else {
                continue;
            };
            if key != "step" {
                by_key.entry(key.clone()).or_default().push((step, value));
            }
        }
    }
    // A resumed run repeats steps; a stable sort keeps the later value last.
    for points in by_key.values_mut() {
        points.sort_by_key(|&(step, _)| step);
    }
    Metrics { by_key }
}

fn parse_line(line: &str) -> Option<Map<String, Value>> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let value: Value = serde_json::from_str(line)
        .or_else(|_| serde_json::from_str(&null_non_finite(line)))
        .ok()?;
    match value {
        Value::Object(object) => Some(object),
        _ => None,
    }
}

fn step_of(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        // `10.0` is a step too; 2^53 bounds the floats that are exact integers.
        let step = value.as_f64()?;
        (step.fract() == 0.0 && step.abs() < 9.0e15).then_some(step as i64)
    })
}

/// Replaces the bare `NaN`, `Infinity` and `-Infinity` that Python's `json`
/// writes with `null`, leaving string contents alone.
fn null_non_finite(line: &str) -> String {
    const TOKENS: [&str; 3] = ["-Infinity", "Infinity", "NaN"];
    let mut out = String::with_capacity(line.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if !in_string {
            if let Some(token) = TOKENS.iter().find(|token| rest.starts_with(**token)) {
                out.push_str("null");
                rest = &rest[token.len()..];
                continue;
            }
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Pixels of `rewards.png`.
const REWARDS_SIZE: (u32, u32) = (1280, 720);
/// Pixels of one panel of `training.png` and `eval.png`.
const PANEL_SIZE: (u32, u32) = (480, 320);
/// Height of the band above a grid's panels that holds its title.
const GRID_HEADER: u32 = 64;
const GRID_COLUMNS: usize = 3;
/// A smoothed series needs this many points; fewer are drawn as they are, with markers.
const SMOOTH_MIN_POINTS: usize = 30;

/// Pixels of a figure of `panels` small panels in rows of [`GRID_COLUMNS`].
fn grid_size(panels: usize) -> (u32, u32) {
    let columns = panels.clamp(1, GRID_COLUMNS);
    let rows = panels.max(1).div_ceil(GRID_COLUMNS);
    (
        PANEL_SIZE.0 * columns as u32,
        GRID_HEADER + PANEL_SIZE.1 * rows as u32,
    )
}

/// One PNG: a single large panel, or a titled grid of small ones.
#[derive(Debug)]
struct Figure<'a> {
    file_name: &'static str,
    layout: Layout<'a>,
}

#[derive(Debug)]
enum Layout<'a> {
    Single(Panel<'a>),
    Grid {
        title: &'static str,
        panels: Vec<Panel<'a>>,
    },
}

#[derive(Debug)]
struct Panel<'a> {
    title: String,
    y_label: Option<&'static str>,
    lines: Vec<Line<'a>>,
    /// Draw a moving average over series with many points.
    smooth: bool,
}

#[derive(Debug)]
struct Line<'a> {
    label: String,
    points: &'a [(i64, f64)],
    color: RGBColor,
    /// The headline series: drawn thicker than the others.
    emphasis: bool,
}

// Tableau 10: distinct for most colour-blind readers and readable on white.
const BLUE: RGBColor = RGBColor(0x4e, 0x79, 0xa7);
const ORANGE: RGBColor = RGBColor(0xf2, 0x8e, 0x2b);
const RED: RGBColor = RGBColor(0xe1, 0x57, 0x59);
const TEAL: RGBColor = RGBColor(0x76, 0xb7, 0xb2);
const GREEN: RGBColor = RGBColor(0x59, 0xa1, 0x4f);
const PURPLE: RGBColor = RGBColor(0xb0, 0x7a, 0xa1);
const BROWN: RGBColor = RGBColor(0x9c, 0x75, 0x5f);
const PINK: RGBColor = RGBColor(0xff, 0x9d, 0xa7);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const PALETTE: [RGBColor; 8] = [BLUE, ORANGE, GREEN, RED, PURPLE, TEAL, BROWN, PINK];

fn rewards_figure(metrics: &Metrics) -> Option<Figure<'_>> {
    // The paper's three rewards keep one colour each across runs.
    let known = [
        ("format", ORANGE),
        ("correctness", GREEN),
        ("quality", BLUE),
    ];
    let mut components: Vec<(&str, &[(i64, f64)])> = metrics
        .by_key
        .iter()
        .filter_map(|(key, points)| {
            let name = key.strip_prefix("rewards/")?.strip_suffix("/mean")?;
            Some((name, points.as_slice()))
        })
        .collect();
    let rank = |name: &str| known.iter().position(|(k, _)| *k == name);
    components.sort_by_key(|(name, _)| (rank(name).unwrap_or(known.len()), *name));

    let mut lines = Vec::new();
    if let Some(points) = metrics.get("reward") {
        lines.push(Line {
            label: "reward (total)".to_owned(),
            points,
            color: INK,
            emphasis: true,
        });
    }
    let mut others = [RED, PURPLE, TEAL, BROWN, PINK].into_iter().cycle();
    for (name, points) in components {
        let color = match rank(name) {
            Some(i) => known[i].1,
            None => others.next().unwrap_or(RED),
        };
        lines.push(Line {
            label: name.to_owned(),
            points,
            color,
            emphasis: false,
        });
    }
    (!lines.is_empty()).then(|| Figure {
        file_name: "rewards.png",
        layout: Layout::Single(Panel {
            title: "Rewards per training step".to_owned(),
            y_label: Some("mean reward of the batch's completions"),
            lines,
            smooth: true,
        }),
    })
}

fn training_figure(metrics: &Metrics) -> Option<Figure<'_>> {
    let single = |key: &str, title: &str, smooth: bool| {
        let points = metrics.get(key)?;
        Some(Panel {
            title: title.to_owned(),
            y_label: None,
            lines: vec![Line {
                label: key.to_owned(),
                points,
                color: BLUE,
                emphasis: false,
            }],
            smooth,
        })
    };
    // TRL writes `clip_ratio/{low,high,region}_{mean,min,max}`, older
    // versions a bare `clip_ratio`; the means say how much of the batch the
    // PPO clip cut, the extremes only add noise at this size.
    let clip_lines: Vec<Line> = metrics
        .by_key
        .iter()
        .filter(|(key, _)| {
            *key == "clip_ratio"
                || key
                    .strip_prefix("clip_ratio/")
                    .is_some_and(|rest| rest.ends_with("mean"))
        })
        .zip(PALETTE.iter().cycle())
        .map(|((key, points), color)| Line {
            label: key.trim_start_matches("clip_ratio/").to_owned(),
            points,
            color: *color,
            emphasis: false,
        })
        .collect();
    let clip_panel = (!clip_lines.is_empty()).then(|| Panel {
        title: "PPO clip ratio".to_owned(),
        y_label: None,
        lines: clip_lines,
        smooth: true,
    });

    let panels: Vec<Panel> = [
        single("loss", "loss", true),
        single("kl", "KL to the reference (kl)", true),
        single("entropy", "entropy", true),
        single("grad_norm", "gradient norm", true),
        // A schedule is exact; averaging would only blur its corners.
        single("learning_rate", "learning rate", false),
        single(
            "completions/mean_length",
            "mean completion length (tokens)",
            true,
        ),
        single(
            "completions/clipped_ratio",
            "completions cut at max length",
            true,
        ),
        single("frac_reward_zero_std", "groups with zero reward std", true),
        clip_panel,
    ]
    .into_iter()
    .flatten()
    .collect();
    (!panels.is_empty()).then_some(Figure {
        file_name: "training.png",
        layout: Layout::Grid {
            title: "Training health",
            panels,
        },
    })
}

fn eval_figure(metrics: &Metrics) -> Option<Figure<'_>> {
    let preferred = ["pass_rate", "quality", "reward", "format", "mean_length"];
    let mut keys: Vec<(&str, &[(i64, f64)])> = metrics
        .by_key
        .iter()
        .filter_map(|(key, points)| Some((key.strip_prefix("eval/")?, points.as_slice())))
        .collect();
    keys.sort_by_key(|(name, _)| {
        let rank = preferred.iter().position(|p| p == name);
        (rank.unwrap_or(preferred.len()), *name)
    });
    let panels: Vec<Panel> = keys
        .into_iter()
        .zip(PALETTE.iter().cycle())
        .map(|((name, points), color)| Panel {
            title: name.to_owned(),
            y_label: None,
            lines: vec![Line {
                label: name.to_owned(),
                points,
                color: *color,
                emphasis: false,
            }],
            smooth: false,
        })
        .collect();
    (!panels.is_empty()).then_some(Figure {
        file_name: "eval.png",
        layout: Layout::Grid {
            title: "Evaluation on held-out problems",
            panels,
        },
    })
}

/// Type sizes and strokes of a panel; a large one stands alone, small ones sit in a grid.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    /// A figure's only panel: room for a y-axis label, a legend and a note.
    standalone: bool,
    title: f64,
    legend: f64,
    note: f64,
    axis: f64,
    tick: f64,
    line: u32,
    marker: u32,
}

const LARGE: Sizes = Sizes {
    standalone: true,
    title: 30.0,
    legend: 20.0,
    note: 16.0,
    axis: 18.0,
    tick: 16.0,
    line: 3,
    marker: 5,
};

/// The heading of a grid: the large sizes with a title that fits one panel's width.
const GRID_HEADING: Sizes = Sizes {
    title: 26.0,
    ..LARGE
};

const SMALL: Sizes = Sizes {
    standalone: false,
    title: 19.0,
    legend: 14.0,
    note: 13.0,
    axis: 14.0,
    tick: 13.0,
    line: 2,
    marker: 3,
};

type Area<'b> = DrawingArea<BitMapBackend<'b>, Shift>;

impl Figure<'_> {
    fn size(&self) -> (u32, u32) {
        match &self.layout {
            Layout::Single(_) => REWARDS_SIZE,
            Layout::Grid { panels, .. } => grid_size(panels.len()),
        }
    }

    /// The figure as 8-bit RGB pixels, row by row.
    fn render(&self) -> Result<Vec<u8>> {
        let (width, height) = self.size();
        let mut pixels = vec![0u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
            root.fill(&WHITE).map_err(draw_error)?;
            match &self.layout {
                Layout::Single(panel) => draw_panel(&root.margin(8, 8, 8, 16), panel, LARGE)?,
                Layout::Grid { title, panels } => {
                    let (header, body) = root.split_vertically(GRID_HEADER);
                    let smoothed = panels.iter().filter_map(smoothing_of).max();
                    let note = smoothed.map(smoothing_note);
                    draw_heading(&header, title, note.as_deref(), GRID_HEADING)?;
                    let rows = panels.len().div_ceil(GRID_COLUMNS);
                    let columns = panels.len().clamp(1, GRID_COLUMNS);
                    for (area, panel) in body.split_evenly((rows, columns)).iter().zip(panels) {
                        draw_panel(&area.margin(6, 6, 6, 10), panel, SMALL)?;
                    }
                }
            }
            root.present().map_err(draw_error)?;
        }
        Ok(pixels)
    }
}

fn draw_error<E: std::fmt::Display>(error: E) -> anyhow::Error {
    anyhow!("{error}")
}

/// How far below the wanted point a text anchor goes so that the text lands there.
///
/// plotters 0.3.7's `ab_glyph` backend draws every line of text a quarter
/// of its size higher than its anchor asks (it puts the baseline half the
/// size below the top of the box it reports for layout). Ticks are moved by
/// the mesh's label offset instead.
fn glyph_drop(size: f64) -> i32 {
    (size * 0.25).round() as i32
}

/// The moving-average window of a panel, if any of its lines is smoothed.
fn smoothing_of(panel: &Panel) -> Option<usize> {
    if !panel.smooth {
        return None;
    }
    panel
        .lines
        .iter()
        .filter(|line| line.points.len() >= SMOOTH_MIN_POINTS)
        .map(|line| smoothing_window(line.points.len()))
        .max()
}

/// An odd window of about a twentieth of the series, from 5 to 51 points.
fn smoothing_window(points: usize) -> usize {
    (points / 20).clamp(5, 51) | 1
}

fn smoothing_note(window: usize) -> String {
    format!(
        "faint: each step;  bold: centred moving average over {window} steps;  numbers: its last value"
    )
}

/// A title centred at the top of `area` and, below it, a grey note.
fn draw_heading(area: &Area, title: &str, note: Option<&str>, sizes: Sizes) -> Result<()> {
    let (width, height) = area.dim_in_pixel();
    let centre = width as i32 / 2;
    let title_style = (FontFamily::SansSerif, sizes.title, FontStyle::Bold)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let title_y = if note.is_some() {
        4
    } else {
        (height as i32 - sizes.title as i32) / 2
    };
    let title_anchor = title_y + glyph_drop(sizes.title);
    area.draw(&Text::new(title, (centre, title_anchor), title_style))
        .map_err(draw_error)?;
    if let Some(note) = note {
        let note_style = (FontFamily::SansSerif, sizes.note)
            .into_font()
            .color(&MUTED)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let note_y = title_y + sizes.title as i32 + 8 + glyph_drop(sizes.note);
        area.draw(&Text::new(note, (centre, note_y), note_style))
            .map_err(draw_error)?;
    }
    Ok(())
}

/// One chart: title (with the last value when it has one line), a legend
/// when it has several, axes, and its lines.
fn draw_panel(area: &Area, panel: &Panel, sizes: Sizes) -> Result<()> {
    let window = smoothing_of(panel);
    // What each line draws bold: its moving average, or its points as they are.
    let shown: Vec<Vec<(i64, f64)>> = panel
        .lines
        .iter()
        .map(|line| match window {
            Some(_) if line.points.len() >= SMOOTH_MIN_POINTS => {
                moving_average(line.points, smoothing_window(line.points.len()))
            }
            _ => line.points.to_vec(),
        })
        .collect();
    let last = |i: usize| shown.get(i)?.last().map(|&(_, v)| format_value(v));

    let single_panel = sizes.standalone;
    let title = match (panel.lines.len(), last(0)) {
        (1, Some(value)) if !single_panel => format!("{}   (last {value})", panel.title),
        _ => panel.title.clone(),
    };
    let legend: Vec<(String, RGBColor)> = if panel.lines.len() > 1 || single_panel {
        (0..panel.lines.len())
            .map(|i| {
                let line = &panel.lines[i];
                let text = match last(i) {
                    Some(value) => format!("{}  {value}", line.label),
                    None => line.label.clone(),
                };
                (text, line.color)
            })
            .collect()
    } else {
        Vec::new()
    };

    // Heading band: title, the smoothing note on a large panel, then the legend rows.
    let note = if single_panel {
        window.map(smoothing_note)
    } else {
        None
    };
    let title_height = sizes.title as u32 + 8;
    let note_height = if note.is_some() {
        sizes.note as u32 + 8
    } else {
        0
    };
    let legend_rows = legend_layout(area, &legend, sizes)?;
    let legend_height = legend_rows.len() as u32 * (sizes.legend as u32 + 10);
    let (heading, chart_area) =
        area.split_vertically(title_height + note_height + legend_height + 6);
    let (title_area, rest) = heading.split_vertically(title_height + note_height);
    draw_heading(&title_area, &title, note.as_deref(), sizes)?;
    draw_legend(&rest, &legend, &legend_rows, sizes)?;

    let (x_range, y_range) = ranges(&panel.lines);
    let y_labels = if single_panel { 10 } else { 6 };
    let y_ticks = TickFormat::new(y_range.start, y_range.end, y_labels);
    let mut chart = ChartBuilder::on(&chart_area)
        .margin_right(if single_panel { 24 } else { 12 })
        .x_label_area_size(if single_panel { 52 } else { 36 })
        .y_label_area_size(if single_panel { 84 } else { 64 })
        .build_cartesian_2d(x_range, y_range)
        .map_err(draw_error)?;
    let y_format = |v: &f64| y_ticks.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc("step")
        .x_labels(if single_panel { 12 } else { 6 })
        .y_labels(y_labels)
        .y_label_offset(glyph_drop(sizes.tick))
        .x_label_formatter(&|x| x.to_string())
        .y_label_formatter(&y_format)
        .label_style((FontFamily::SansSerif, sizes.tick).into_font().color(&INK))
        .axis_desc_style((FontFamily::SansSerif, sizes.axis).into_font().color(&INK))
        .axis_style(RGBColor(0x99, 0x99, 0x99))
        .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
        .light_line_style(TRANSPARENT);
    if let Some(y_label) = panel.y_label {
        mesh.y_desc(y_label);
    }
    mesh.draw().map_err(draw_error)?;

    // Draw the faint layers first so that no bold line hides under another's noise.
    let smoothed = |line: &Line| window.is_some() && line.points.len() >= SMOOTH_MIN_POINTS;
    for line in panel.lines.iter().filter(|line| smoothed(line)) {
        chart
            .draw_series(LineSeries::new(
                line.points.iter().copied(),
                line.color.mix(0.28).stroke_width(1),
            ))
            .map_err(draw_error)?;
    }
    // The headline line goes on top.
    let mut order: Vec<usize> = (0..panel.lines.len()).collect();
    order.sort_by_key(|&i| panel.lines[i].emphasis);
    for i in order {
        let line = &panel.lines[i];
        let width = sizes.line + u32::from(line.emphasis);
        chart
            .draw_series(LineSeries::new(
                shown[i].iter().copied(),
                line.color.stroke_width(width),
            ))
            .map_err(draw_error)?;
        // Sparse series get markers so that a single point, or the steps
        // where evaluation ran, can be seen.
        if !smoothed(line) && line.points.len() <= 60 {
            chart
                .draw_series(
                    line.points
                        .iter()
                        .map(|&p| Circle::new(p, sizes.marker, line.color.filled())),
                )
                .map_err(draw_error)?;
        }
    }
    Ok(())
}

/// Splits legend entries into rows that fit the width of `area`; each row
/// holds entry indices and the row's width in pixels.
fn legend_layout(
    area: &Area,
    legend: &[(String, RGBColor)],
    sizes: Sizes,
) -> Result<Vec<(Vec<usize>, u32)>> {
    let style = legend_style(sizes);
    let max_width = area.dim_in_pixel().0.saturating_sub(20);
    let mut rows: Vec<(Vec<usize>, u32)> = Vec::new();
    for (i, (text, _)) in legend.iter().enumerate() {
        let (text_width, _) = area.estimate_text_size(text, &style).map_err(draw_error)?;
        let entry = legend_swatch(sizes) + text_width + legend_gap(sizes);
        match rows.last_mut() {
            Some((entries, width)) if *width + entry <= max_width => {
                entries.push(i);
                *width += entry;
            }
            _ => rows.push((vec![i], entry)),
        }
    }
    Ok(rows)
}

fn legend_style(sizes: Sizes) -> TextStyle<'static> {
    (FontFamily::SansSerif, sizes.legend)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center))
}

fn legend_swatch(sizes: Sizes) -> u32 {
    (sizes.legend * 1.6) as u32 + 8
}

fn legend_gap(sizes: Sizes) -> u32 {
    (sizes.legend * 1.5) as u32
}

fn draw_legend(
    area: &Area,
    legend: &[(String, RGBColor)],
    rows: &[(Vec<usize>, u32)],
    sizes: Sizes,
) -> Result<()> {
    let width = area.dim_in_pixel().0 as i32;
    let row_height = sizes.legend as i32 + 10;
    let line_length = (sizes.legend * 1.6) as i32;
    for (r, (entries, row_width)) in rows.iter().enumerate() {
        // The last entry's trailing gap is not part of what is seen.
        let seen = *row_width as i32 - legend_gap(sizes) as i32;
        let mut x = (width - seen) / 2;
        let y = r as i32 * row_height + row_height / 2;
        for &i in entries {
            let (text, color) = &legend[i];
            area.draw(&PathElement::new(
                vec![(x, y), (x + line_length, y)],
                color.stroke_width(sizes.line + 1),
            ))
            .map_err(draw_error)?;
            let style = legend_style(sizes);
            let text_x = x + legend_swatch(sizes) as i32;
            let (text_width, _) = area.estimate_text_size(text, &style).map_err(draw_error)?;
            let anchor = (text_x, y + glyph_drop(sizes.legend));
            area.draw(&Text::new(text.as_str(), anchor, style))
                .map_err(draw_error)?;
            x = text_x + text_width as i32 + legend_gap(sizes) as i32;
        }
    }
    Ok(())
}

/// The steps and values that every line of a panel fits in, with a margin.
fn ranges(lines: &[Line]) -> (std::ops::Range<i64>, std::ops::Range<f64>) {
    let points = || lines.iter().flat_map(|line| line.points.iter());
    let (x_lo, x_hi) = points().fold((i64::MAX, i64::MIN), |(lo, hi), &(x, _)| {
        (lo.min(x), hi.max(x))
    });
    let (y_lo, y_hi) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
        (lo.min(y), hi.max(y))
    });
    if x_lo > x_hi {
        return (0..1, 0.0..1.0);
    }
    let x_pad = if x_hi == x_lo { 1 } else { (x_hi - x_lo) / 50 };
    let y_pad = if y_hi - y_lo > 1e-12 * y_hi.abs().max(1e-300) {
        (y_hi - y_lo) * 0.06
    } else if y_hi == 0.0 {
        1.0
    } else {
        y_hi.abs() * 0.1
    };
    (
        x_lo.saturating_sub(x_pad)..x_hi.saturating_add(x_pad),
        y_lo - y_pad..y_hi + y_pad,
    )
}

/// A centred moving average; near the ends the window shrinks to what exists.
fn moving_average(points: &[(i64, f64)], window: usize) -> Vec<(i64, f64)> {
    let half = window / 2;
    let mut prefix = Vec::with_capacity(points.len() + 1);
    prefix.push(0.0);
    for &(_, y) in points {
        prefix.push(prefix[prefix.len() - 1] + y);
    }
    (0..points.len())
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(points.len());
            (points[i].0, (prefix[hi] - prefix[lo]) / (hi - lo) as f64)
        })
        .collect()
}

/// How the y ticks of one chart are written: all with the same number of
/// decimals, the fewest that write every tick plotters will label exactly;
/// very small or large scales (learning rates, token counts) in exponent form.
#[derive(Debug, Clone, Copy)]
struct TickFormat {
    decimals: usize,
    exponent: bool,
}

impl TickFormat {
    fn new(lo: f64, hi: f64, labels: usize) -> Self {
        let largest = lo.abs().max(hi.abs());
        let exponent = !(1e-3..1e6).contains(&largest);
        let ticks = RangedCoordf64::from(lo..hi).key_points(BoldPoints(labels));
        let tolerance = (hi - lo).abs() * 1e-6;
        let exact = |format: TickFormat| {
            ticks.iter().all(|&tick| {
                format
                    .label(tick)
                    .parse::<f64>()
                    .is_ok_and(|written| (written - tick).abs() <= tolerance)
            })
        };
        let decimals = (0..=6)
            .find(|&decimals| exact(TickFormat { decimals, exponent }))
            .unwrap_or(6);
        TickFormat { decimals, exponent }
    }

    fn label(self, value: f64) -> String {
        let decimals = self.decimals;
        match (self.exponent, value == 0.0) {
            (true, true) => "0".to_owned(),
            (true, false) => format!("{value:.decimals$e}"),
            (false, _) => format!("{value:.decimals$}"),
        }
    }
}

/// A value to three significant digits, for legends and titles.
fn format_value(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude == 0.0 {
        "0".to_owned()
    } else if !(1e-3..1e6).contains(&magnitude) {
        format!("{value:.2e}")
    } else {
        let decimals = (2.0 - magnitude.log10().floor()).clamp(0.0, 4.0) as usize;
        format!("{value:.decimals$}")
    }
}

/// Registers the embedded DejaVu Sans as plotters' `sans-serif`, once.
fn register_fonts() -> Result<()> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            let faces = [
                (FontStyle::Normal, dejavu::sans::regular()),
                (FontStyle::Bold, dejavu::sans::bold()),
            ];
            for (style, bytes) in faces {
                plotters::style::register_font("sans-serif", style, bytes)
                    .map_err(|_| "the embedded DejaVu Sans does not parse".to_owned())?;
            }
            Ok(())
        })
        .clone()
        .map_err(|message| anyhow!(message))
}

fn write_png(path: &Path, rgb: &[u8], (width, height): (u32, u32)) -> Result<()> {
    let partial = path.with_extension("png.partial");
    let file =
        fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let mut out = BufWriter::new(file);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    out.flush()?;
    drop(out);
    fs::rename(&partial, path)
        .with_context(|| format!("renaming {} to {}", partial.display(), path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of `steps` training steps with rewards that rise through
    /// deterministic noise, an evaluation every 20 steps, and the damage a
    /// real log has: nulls, a Python NaN, a string, and a last line cut short.
    fn synthetic_metrics(steps: i64) -> String {
        let mut text = String::new();
        for step in 1..=steps {
            let t = step as f64 / steps as f64;
            let noise = (step as f64 * 12.9898).sin() * 0.5;
            let format = (0.6 + 0.4 * t.sqrt() + 0.05 * noise).min(1.0);
            let correctness = (0.2 + 0.5 * t + 0.15 * noise).clamp(0.0, 1.0);
            let quality = 0.4 + 0.3 * t + 0.1 * (step as f64 * 3.7).cos();
            let kl = (step % 10 != 3).then_some(0.02 * t + 0.002 * noise);
            let clip_ratio = (step % 2 == 0).then_some(0.01 * t);
            let line = serde_json::json!({
                "step": step,
                "reward": format + correctness + quality,
                "reward_std": 0.3,
                "rewards/format/mean": format,
                "rewards/correctness/mean": correctness,
                "rewards/quality/mean": quality,
                "rewards/quality/std": 0.1,
                "frac_reward_zero_std": 0.3 - 0.2 * t,
                "kl": kl,
                "loss": 0.01 * noise,
                "grad_norm": 0.5 + noise.abs(),
                "learning_rate": 1e-6 * (1.0 - t),
                "completions/mean_length": 300.0 - 100.0 * t + 20.0 * noise,
                "completions/clipped_ratio": 0.05,
                "clip_ratio/region_mean": clip_ratio,
                "step_time": 12.5,
                "num_tokens": step * 51_200,
                "note": "not a number",
            })
            .to_string();
            // Python's json writes a NaN entropy as a bare token.
            let entropy = if step == 7 {
                "NaN".to_owned()
            } else {
                (0.9 - 0.4 * t).to_string()
            };
            let line = format!("{}, \"entropy\": {entropy}}}", line.trim_end_matches('}'));
            text.push_str(&line);
            text.push('\n');
            if step % 20 == 0 {
                let eval = serde_json::json!({
                    "step": step,
                    "eval/pass_rate": 0.2 + 0.4 * t,
                    "eval/quality": 0.5 + 0.2 * t,
                    "eval/reward": null,
                    "eval/mean_length": 280.0 - 80.0 * t,
                });
                text.push_str(&format!("{eval}\n"));
            }
        }
        text.push_str(r#"{"step": 121, "reward": 1.8, "rewards/format/me"#);
        text
    }

    fn decode_png(path: &Path) -> ((u32, u32), Vec<u8>) {
        let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
        pixels.truncate(info.buffer_size());
        ((info.width, info.height), pixels)
    }

    /// Pixels that are not the white background, and those of them that are
    /// coloured (a curve) rather than grey (text, grid, axes).
    fn ink(pixels: &[u8]) -> (usize, usize) {
        let mut drawn = 0;
        let mut coloured = 0;
        for rgb in pixels.chunks_exact(3) {
            if rgb != [255, 255, 255] {
                drawn += 1;
                let spread = rgb.iter().max().unwrap() - rgb.iter().min().unwrap();
                if spread > 60 {
                    coloured += 1;
                }
            }
        }
        (drawn, coloured)
    }

    #[test]
    fn write_plots_draws_a_damaged_log() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("metrics.jsonl"), synthetic_metrics(120)).unwrap();

        let written = write_plots(dir.path()).unwrap();

        let plots = dir.path().join("plots");
        let expected = [
            ("rewards.png", REWARDS_SIZE),
            ("training.png", grid_size(9)),
            ("eval.png", grid_size(3)),
        ];
        assert_eq!(
            written,
            expected
                .iter()
                .map(|(name, _)| plots.join(name))
                .collect::<Vec<_>>()
        );
        for (name, size) in expected {
            let path = plots.join(name);
            let (decoded_size, pixels) = decode_png(&path);
            assert_eq!(decoded_size, size, "{name}");
            let (drawn, coloured) = ink(&pixels);
            let total = (size.0 * size.1) as usize;
            assert!(
                drawn > total / 50,
                "{name}: only {drawn} of {total} pixels drawn"
            );
            assert!(coloured > 1000, "{name}: only {coloured} coloured pixels");
        }
        assert!(!plots.join("rewards.png.partial").exists());
    }

    #[test]
    fn damaged_lines_and_values_are_skipped() {
        let metrics = parse_metrics(&synthetic_metrics(120));

        // The cut last line (step 121) is gone, and with it nothing else.
        assert_eq!(metrics.get("reward").unwrap().len(), 120);
        assert_eq!(metrics.get("reward").unwrap().last().unwrap().0, 120);
        // A Python NaN loses its own value only, not its line.
        let entropy = metrics.get("entropy").unwrap();
        assert_eq!(entropy.len(), 119);
        assert!(!entropy.iter().any(|&(step, _)| step == 7));
        assert!(metrics
            .get("loss")
            .unwrap()
            .iter()
            .any(|&(step, _)| step == 7));
        // Nulls and strings are skipped; a metric that is never a number has no series.
        assert_eq!(metrics.get("kl").unwrap().len(), 108);
        assert_eq!(metrics.get("clip_ratio/region_mean").unwrap().len(), 60);
        assert!(metrics.get("eval/reward").is_none());
        assert!(metrics.get("note").is_none());
        assert!(metrics.get("step").is_none());
    }

    #[test]
    fn non_finite_tokens_outside_strings_become_null() {
        assert_eq!(
            null_non_finite(
                r#"{"a": NaN, "b": -Infinity, "c": Infinity, "d": "NaN \"Infinity\""}"#
            ),
            r#"{"a": null, "b": null, "c": null, "d": "NaN \"Infinity\""}"#
        );
        let object = parse_line(r#"{"step": 3, "kl": NaN, "loss": 0.5}"#).unwrap();
        assert_eq!(object["loss"], 0.5);
        assert!(object["kl"].is_null());
        // Numbers too large for a float are not JSON serde reads, NaN or not.
        let metrics = parse_metrics("{\"step\": 1, \"kl\": 1e999}\n{\"step\": 2.0, \"kl\": 0.1}\n");
        assert_eq!(metrics.get("kl").unwrap(), &[(2, 0.1)]);
    }

    #[test]
    fn missing_metrics_file_is_an_error_that_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let error = format!("{:#}", write_plots(dir.path()).unwrap_err());
        assert!(error.contains("metrics.jsonl"), "{error}");
        assert!(error.contains(&dir.path().display().to_string()), "{error}");
    }

    #[test]
    fn empty_or_unusable_file_writes_no_plots() {
        let dir = tempfile::tempdir().unwrap();
        for text in [
            "",
            "\n\n",
            "{\"reward\": 1.0}\n[1, 2]\nnot json\n{\"step\": 1, \"kl\": null}",
        ] {
            fs::write(dir.path().join("metrics.jsonl"), text).unwrap();
            assert_eq!(
                write_plots(dir.path()).unwrap(),
                Vec::<PathBuf>::new(),
                "{text:?}"
            );
        }
        assert!(!dir.path().join("plots").exists());
    }

    #[test]
    fn single_point_is_drawn() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("metrics.jsonl"),
            "{\"step\": 0, \"reward\": 0.25, \"kl\": 0.0}\n",
        )
        .unwrap();

        let written = write_plots(dir.path()).unwrap();

        let plots = dir.path().join("plots");
        assert_eq!(
            written,
            vec![plots.join("rewards.png"), plots.join("training.png")]
        );
        let (size, pixels) = decode_png(&written[0]);
        assert_eq!(size, REWARDS_SIZE);
        assert!(ink(&pixels).0 > 0);
        assert_eq!(decode_png(&written[1]).0, grid_size(1));
    }

    #[test]
    fn moving_average_is_centred_and_shrinks_at_the_ends() {
        let points: Vec<(i64, f64)> = (0..5).map(|i| (i, i as f64)).collect();
        let smoothed = moving_average(&points, 3);
        assert_eq!(
            smoothed,
            vec![(0, 0.5), (1, 1.0), (2, 2.0), (3, 3.0), (4, 3.5)]
        );
    }

    #[test]
    fn tick_labels_have_the_digits_their_spacing_needs() {
        let labels = |lo: f64, hi: f64, ticks: &[f64]| {
            let format = TickFormat::new(lo, hi, 6);
            ticks.iter().map(|&t| format.label(t)).collect::<Vec<_>>()
        };
        assert_eq!(labels(0.0, 1.0, &[0.0, 0.2, 1.0]), ["0.0", "0.2", "1.0"]);
        assert_eq!(labels(0.0, 0.035, &[0.0, 0.01]), ["0.00", "0.01"]);
        assert_eq!(labels(100.0, 300.0, &[150.0]), ["150"]);
        assert_eq!(labels(0.0, 2e-6, &[0.0, 1.5e-6]), ["0", "1.5e-6"]);
        assert_eq!(format_value(0.61834), "0.618");
        assert_eq!(format_value(254.3), "254");
        assert_eq!(format_value(3e-7), "3.00e-7");
    }
}
