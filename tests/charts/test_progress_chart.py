"""The digest's progress chart renders a readable, deterministic PNG from plain data."""

from __future__ import annotations

import io
import math

import pytest
from PIL import Image

from app.charts import (
    PALETTE,
    ChartSpec,
    Series,
    chart_alt_text,
    chart_layout,
    render_progress_chart,
)
from app.charts.progress_chart import _printable

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LONG_TITLE = ("Raise the share of teams that check in every single week " * 3)[:150]


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def close(pixel: tuple[int, ...], colour: str, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], hex_rgb(colour), strict=True))


def window_has(image: Image.Image, x: float, y: float, colour: str, *, radius: int = 3) -> bool:
    """Whether a pixel of ``colour`` lies within ``radius`` pixels of (x, y)."""
    cx, cy = round(x), round(y)
    return any(
        close(image.getpixel((px, py)), colour)  # type: ignore[arg-type]
        for px in range(cx - radius, cx + radius + 1)
        for py in range(cy - radius, cy + radius + 1)
        if 0 <= px < image.width and 0 <= py < image.height
    )


def flat(value: float, weeks: int) -> list[float | None]:
    return [value] * weeks


def spec_with(*series: Series, weeks: int = 13, current_week: int = 8) -> ChartSpec:
    return ChartSpec("Growth · 2026-Q4 · week 8 of 13", weeks, current_week, list(series))


def test_renders_an_rgb_png_of_the_requested_size() -> None:
    spec = spec_with(Series("Grow weekly active teams", [0.1, 0.2, 0.3]))

    default = render_progress_chart(spec)
    large = render_progress_chart(spec, width=1200, height=675)

    assert default.startswith(PNG_SIGNATURE)
    image = decode(default)
    assert image.format == "PNG"
    assert (image.mode, image.size) == ("RGB", (800, 450))
    assert decode(large).size == (1200, 675)


def test_same_input_gives_the_same_bytes() -> None:
    def build() -> ChartSpec:
        return spec_with(
            Series("Grow weekly active teams", [0.1, None, 0.3, 0.45]),
            Series("Cut onboarding time", (0.0, 0.2, 0.2, 0.6)),
        )

    assert render_progress_chart(build()) == render_progress_chart(build())


def test_a_flat_series_is_drawn_at_its_value() -> None:
    spec = spec_with(Series("Half way", flat(0.5, 8)), Series("A quarter", flat(0.25, 8)))
    image = decode(render_progress_chart(spec))
    layout = chart_layout(spec)

    assert window_has(image, layout.x(5), layout.y(0.5), PALETTE[0])
    assert window_has(image, layout.x(5), layout.y(0.25), PALETTE[1])
    # And nowhere near a value it does not have.
    assert not window_has(image, layout.x(5), layout.y(0.8), PALETTE[0])


def test_a_missing_week_is_a_gap_not_a_zero() -> None:
    spec = spec_with(Series("Patchy", [0.5, 0.5, None, None, 0.5, 0.5]))
    image = decode(render_progress_chart(spec))
    layout = chart_layout(spec)

    assert window_has(image, layout.x(1.5), layout.y(0.5), PALETTE[0])  # line from 1 to 2
    assert not window_has(image, layout.x(3.5), layout.y(0.5), PALETTE[0])  # broken line
    assert not window_has(image, layout.x(3), layout.y(0.0), PALETTE[0], radius=4)
    assert window_has(image, layout.x(5.5), layout.y(0.5), PALETTE[0])


def test_out_of_range_values_are_clamped_to_the_plot() -> None:
    spec = spec_with(Series("Overachiever", [1.5, 1.5, 1.5]), Series("Slipping", [-0.2] * 3))
    image = decode(render_progress_chart(spec))
    layout = chart_layout(spec)

    assert layout.y_max == pytest.approx(1.2)  # the axis grows to show the overflow
    assert window_has(image, layout.x(2), layout.y(1.2), PALETTE[0])
    assert window_has(image, layout.x(2), layout.y(0.0), PALETTE[1])
    assert chart_layout(spec_with(Series("Normal", [0.4, 1.0]))).y_max == 1.0


def test_the_expected_pace_line_runs_from_zero_to_full() -> None:
    spec = spec_with()
    image = decode(render_progress_chart(spec))
    layout = chart_layout(spec)

    def near_pace(week: float) -> bool:
        # The line is dashed: look along it, not at a single point.
        return any(
            window_has(image, layout.x(w), layout.y(w / spec.weeks), "#8C8C8C", radius=2)
            for w in (week - 0.15, week, week + 0.15)
        )

    assert all(near_pace(week) for week in (1, 4, 6.5, 9, 12))


def test_now_is_marked_and_the_future_shaded() -> None:
    spec = spec_with(Series("Half way", flat(0.5, 8)), current_week=8)
    image = decode(render_progress_chart(spec))
    layout = chart_layout(spec)
    middle = layout.y(0.6)

    assert window_has(image, layout.x(8), middle, "#B4B9C0", radius=1)
    past = image.getpixel((round(layout.x(7.5)), round(middle)))
    future = image.getpixel((round(layout.x(10.5)), round(middle)))
    assert past == (255, 255, 255)
    assert future != past and close(future, "#F5F6F8", tolerance=4)  # type: ignore[arg-type]


def test_the_legend_never_covers_the_plot_and_long_titles_stay_inside() -> None:
    series = [
        Series(f"{LONG_TITLE[:-3]}{i:02d}", [min(1.0, 0.08 * i + 0.07 * w) for w in range(13)])
        for i in range(12)
    ]
    spec = spec_with(*series, current_week=13)
    image = decode(render_progress_chart(spec))
    layout = chart_layout(spec)

    assert layout.plot_right < layout.legend_left
    gutter = image.crop(
        (
            math.ceil(layout.plot_right) + 8,
            math.ceil(layout.plot_top),
            math.floor(layout.legend_left) - 1,
            math.floor(layout.plot_bottom),
        )
    )
    margin = image.crop((math.ceil(layout.legend_right) + 1, 0, image.width, image.height))
    white = (255, 255, 255)
    assert gutter.getcolors() == [(gutter.width * gutter.height, white)]
    assert margin.getcolors() == [(margin.width * margin.height, white)]
    # Every objective's colour is in the legend column.
    legend = image.crop(
        (math.floor(layout.legend_left), 0, math.ceil(layout.legend_right), image.height)
    )
    legend_pixels = [pixel for _, pixel in legend.getcolors(1 << 16) or []]
    for colour in PALETTE:
        assert any(isinstance(p, tuple) and close(p, colour, 20) for p in legend_pixels)


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        ("no series", ChartSpec("Nothing yet", 13, 1, [])),
        ("all None", ChartSpec("Quiet", 13, 5, [Series("A", [None] * 5), Series("B", [])])),
        ("one week", ChartSpec("Sprint", 1, 1, [Series("Only", [0.4])])),
        ("one week, no data", ChartSpec("Sprint", 1, 0, [Series("Only", [])])),
        (
            "12 series with 150-char titles",
            ChartSpec(
                LONG_TITLE,
                13,
                8,
                [Series(LONG_TITLE, [0.1 * i + 0.05 * w for w in range(8)]) for i in range(12)],
            ),
        ),
        (
            "values above 1 and below 0",
            ChartSpec("Wild", 13, 6, [Series("A", [1.7, -0.4, 3.0, -2.0, 1.01, 0.99])]),
        ),
        (
            "NaN and infinities",
            ChartSpec("Odd", 13, 4, [Series("A", [math.nan, math.inf, -math.inf, 0.5])]),
        ),
        ("more points than weeks", ChartSpec("Long", 4, 4, [Series("A", [0.1] * 20)])),
        ("now past the end", ChartSpec("Late", 13, 40, [Series("A", [0.3] * 13)])),
        ("now before the start", ChartSpec("Early", 13, -3, [Series("A", [0.3])])),
        (
            "more series than colours",
            ChartSpec("Crowded", 13, 8, [Series(f"O{i}", [0.04 * i] * 8) for i in range(20)]),
        ),
        (
            "a year of weeks",
            ChartSpec("Annual", 52, 30, [Series("A", [w / 60 for w in range(30)])]),
        ),
        (
            "characters outside the built-in font",
            ChartSpec(
                "Wachstum · Q4 🚀", 13, 2, [Series("Kundenzufriedenheit erhöhen ≥ 45 %", [0.2])]
            ),
        ),
        ("blank label", ChartSpec("", 13, 2, [Series("", [0.2, 0.3])])),
    ],
)
def test_edge_cases_render(name: str, spec: ChartSpec) -> None:
    for width, height in ((800, 450), (320, 180), (1600, 900)):
        image = decode(render_progress_chart(spec, width=width, height=height))
        assert image.size == (width, height), name


def test_impossible_specs_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one week"):
        render_progress_chart(ChartSpec("No cycle", 0, 0, []))
    with pytest.raises(ValueError, match="pixels"):
        render_progress_chart(spec_with(), width=100, height=100)


def test_text_outside_the_font_is_approximated_not_boxed() -> None:
    printable = _printable("Kundenzufriedenheit erhöhen 🚀 ≥ 45")

    assert "🚀" not in printable and "≥" not in printable
    assert printable.startswith("Kundenzufriedenheit erh") and printable.endswith("45")
    assert _printable("Plain ASCII · with a middle dot…") == "Plain ASCII · with a middle dot…"


def test_alt_text_describes_the_latest_values() -> None:
    spec = spec_with(
        Series("Grow weekly active teams", [0.1, 0.25, None]),
        Series("Cut onboarding time", [None, None]),
    )

    text = chart_alt_text(spec)

    assert "Expected pace at week 8: 62%" in text
    assert "Grow weekly active teams: 25%" in text
    assert "Cut onboarding time: no data" in text
