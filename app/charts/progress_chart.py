"""The digest's progress chart: each objective's progress per week against the expected pace.

A pure renderer: a :class:`ChartSpec` goes in, PNG bytes come out. It draws with Pillow and
the font built into Pillow (``ImageFont.load_default(size=...)``), so it reads nothing from
the system or the network and the same spec always gives the same bytes.

Drawing conventions:

* The x axis is the cycle: week 0 (the start) at the y axis, the last week at the right end.
  ``Series.points[i]`` is the progress at the end of week ``i + 1``; points past the last
  week are ignored.
* The y axis runs from 0 % to 100 %, or to 120 % when some value exceeds 100 %. Values are
  clamped into that range for drawing (an objective at 150 % is drawn at 120 %, one at
  -10 % at 0 %), and a clamped point gets a hollow marker to show it lies off the scale.
  ``None`` and NaN are gaps: the line breaks there rather than dropping to 0.
* The expected pace is a dashed grey straight line from 0 % at week 0 to 100 % at the last
  week; "now" is a thin vertical line at ``current_week``, with the weeks still to come
  lightly shaded.
* Objectives get a colour from :data:`PALETTE` and a marker shape, so lines stay tellable
  apart for colour-blind readers and in greyscale. The legend sits in its own column to the
  right of the plot, so it never covers a line; long titles are cut with "…".
* Pillow's built-in font covers little beyond ASCII, so other characters are approximated
  (é → e, ≥ → >=) and emoji dropped rather than drawn as empty boxes.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, TypeAlias

from PIL import Image, ImageDraw, ImageFont

# Okabe & Ito's colour-blind-safe set (without yellow and black, which read badly as thin
# lines on white) followed by picks from Paul Tol's "muted" scheme; the most distinct
# colours come first, since most teams have only a few objectives.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#332288",  # indigo
    "#999933",  # olive
    "#882255",  # wine
    "#44AA99",  # teal
    "#117733",  # green
    "#AA4499",  # purple
)
# Shapes cycle with the colours, so even the 12 colours differ twice over (hue and shape).
MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond")

MIN_WIDTH, MIN_HEIGHT = 320, 180
# Values are clamped into [0, Y_OVERFLOW] for drawing; the axis only extends past 100 %
# when some value actually does.
Y_OVERFLOW = 1.2
_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
_WEEK_STEPS = (1, 2, 4, 5, 10, 13, 20, 26, 50, 52, 100)
# Drawn at twice the size and scaled down: ImageDraw does not anti-alias lines or markers.
_SUPERSAMPLE = 2

_BACKGROUND = "#FFFFFF"
_FUTURE_SHADE = "#F5F6F8"
_GRID = "#E4E6EA"
_AXIS = "#9AA0A6"
_TEXT = "#1F2328"
_MUTED_TEXT = "#5F6670"
_PACE = "#8C8C8C"
_NOW = "#B4B9C0"

Font: TypeAlias = ImageFont.FreeTypeFont | ImageFont.ImageFont
# Pillow's built-in font covers ASCII and little else; these read well in its place.
_REPLACEMENTS = {
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "≈": "~",
    "–": "-",
    "—": "-",
    "→": "->",
    "←": "<-",
    "•": "-",
    "×": "x",
    "€": "EUR",
    "£": "GBP",
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "½": "1/2",
    "¼": "1/4",
    "¾": "3/4",
}
_MISSING_PROBE = "\ue000"  # a private-use code point: certainly not in the font

HAlign = Literal["left", "center", "right"]
VAlign = Literal["top", "middle", "bottom"]


@dataclass(frozen=True)
class Series:
    """One objective's line.

    ``points`` holds the progress (1.0 = 100 %) at the end of each week of the cycle so far,
    week 1 first; ``None`` means no data that week.
    """

    label: str
    points: Sequence[float | None]


@dataclass(frozen=True)
class ChartSpec:
    """What to chart: a title, the cycle's length, the current week and the objectives."""

    title: str
    weeks: int
    current_week: int
    series: Sequence[Series]


@dataclass(frozen=True)
class ChartLayout:
    """Where :func:`render_progress_chart` puts things, in output pixels.

    Exposed so callers and tests can find a point on the image without re-deriving margins.
    """

    width: int
    height: int
    unit: float  # pixels per design pixel: the chart is designed at 800×450
    plot_left: float
    plot_top: float
    plot_right: float
    plot_bottom: float
    legend_left: float
    legend_right: float
    weeks: int
    y_max: float

    def x(self, week: float) -> float:
        """The x coordinate of ``week`` (0 = start of the cycle, ``weeks`` = its end)."""
        return self.plot_left + (self.plot_right - self.plot_left) * week / self.weeks

    def y(self, value: float) -> float:
        """The y coordinate of a progress value, clamped to the drawn range as lines are."""
        clamped = min(max(value, 0.0), self.y_max)
        return self.plot_bottom - (self.plot_bottom - self.plot_top) * clamped / self.y_max

    def scaled(self, factor: int) -> ChartLayout:
        """The same layout for an image ``factor`` times larger (used for supersampling)."""
        return replace(
            self,
            width=self.width * factor,
            height=self.height * factor,
            unit=self.unit * factor,
            plot_left=self.plot_left * factor,
            plot_top=self.plot_top * factor,
            plot_right=self.plot_right * factor,
            plot_bottom=self.plot_bottom * factor,
            legend_left=self.legend_left * factor,
            legend_right=self.legend_right * factor,
        )


def _drawable(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def _visible_points(spec: ChartSpec, series: Series) -> list[float | None]:
    """The points inside the cycle; later ones have no place on the x axis."""
    return list(series.points[: spec.weeks])


def chart_layout(spec: ChartSpec, *, width: int = 800, height: int = 450) -> ChartLayout:
    """The geometry of the chart for ``spec`` at ``width`` × ``height``.

    Raises ValueError for a cycle of less than one week or an image smaller than
    ``MIN_WIDTH`` × ``MIN_HEIGHT`` (nothing readable fits there).
    """
    if spec.weeks < 1:
        raise ValueError(f"a cycle has at least one week, got weeks={spec.weeks}")
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise ValueError(f"the chart needs at least {MIN_WIDTH}×{MIN_HEIGHT} pixels")
    # Text and strokes scale with the image, within limits that keep small charts legible.
    unit = max(0.75, min(width / 800, height / 450, 2.5))
    pad = 16 * unit
    legend_width = min(200 * unit, width * 0.3)
    legend_right = width - pad
    legend_left = legend_right - legend_width
    overflow = any(
        _drawable(v) and v is not None and v > 1.0
        for s in spec.series
        for v in _visible_points(spec, s)
    )
    return ChartLayout(
        width=width,
        height=height,
        unit=unit,
        plot_left=pad + 36 * unit,  # room for "100%"
        plot_top=pad + 42 * unit,  # the title, then the "now" label
        plot_right=legend_left - 24 * unit,
        plot_bottom=height - pad - 34 * unit,  # week numbers and the axis caption
        legend_left=legend_left,
        legend_right=legend_right,
        weeks=spec.weeks,
        y_max=Y_OVERFLOW if overflow else 1.0,
    )


@lru_cache(maxsize=16)
def _font(size: int) -> Font:
    # The font bundled with Pillow: no system fonts, so output is the same on every machine.
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=16)
def _cap_box(size: int) -> tuple[float, float]:
    """Top and bottom of a capital letter, for aligning text by its visible cap height."""
    _, top, _, bottom = _font(size).getbbox("H")
    return float(top), float(bottom)


@lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    font = _font(24)
    missing = _font_probe()
    return (bytes(font.getmask(char)), font.getlength(char)) != missing


@lru_cache(maxsize=1)
def _font_probe() -> tuple[bytes, float]:
    """How a character the font lacks renders (its "tofu" box)."""
    font = _font(24)
    return bytes(font.getmask(_MISSING_PROBE)), font.getlength(_MISSING_PROBE)


@lru_cache(maxsize=4096)
def _printable_char(char: str) -> str:
    """``char``, or the closest thing the built-in font can draw, so no tofu boxes appear."""
    if char.isascii() or _has_glyph(char):
        return char
    if char.isspace():
        return " "
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    # Accented letters lose their accent (é → e): still readable, unlike a box.
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and base != char and all(c.isascii() or _has_glyph(c) for c in base):
        return base
    # Emoji and other symbols are decoration: drop them, with their joiners and selectors.
    if unicodedata.category(char)[0] in "SMC":
        return ""
    return "?"


def _printable(text: str) -> str:
    return "".join(_printable_char(c) for c in text)


def _text(
    draw: ImageDraw.ImageDraw,
    x: float,
    y: float,
    text: str,
    size: int,
    fill: str,
    *,
    ha: HAlign = "left",
    va: VAlign = "top",
) -> None:
    """Draw ``text`` aligned at (x, y); vertical alignment uses cap height, not the glyphs."""
    font = _font(size)
    left, _, right, _ = draw.textbbox((0, 0), text, font=font)
    cap_top, cap_bottom = _cap_box(size)
    if ha == "center":
        x -= (left + right) / 2
    elif ha == "right":
        x -= right
    else:
        x -= left
    if va == "middle":
        y -= (cap_top + cap_bottom) / 2
    elif va == "bottom":
        y -= cap_bottom
    else:
        y -= cap_top
    draw.text((x, y), text, font=font, fill=fill)


def _fit(text: str, size: int, max_width: float) -> str:
    """``text`` on one line, cut with "…" so it is at most ``max_width`` pixels wide."""
    text = " ".join(_printable(text).split())
    font = _font(size)
    if font.getlength(text) <= max_width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that still fits with the ellipsis
        mid = (low + high + 1) // 2
        if font.getlength(text[:mid].rstrip() + "…") <= max_width:
            low = mid
        else:
            high = mid - 1
    cut = text[:low]
    # Prefer ending on a whole word ("Grow weekly active teams…", not "…teams fro…") unless
    # that would throw away much of the room; never end on a dangling dash or comma.
    space = cut.rfind(" ")
    if space > 0.6 * len(cut):
        cut = cut[:space]
    return cut.rstrip(" -,;:·/") + "…"


def _dashed_line(
    draw: ImageDraw.ImageDraw,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    fill: str,
    width: int,
    dash: float,
    gap: float,
) -> None:
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    if length == 0:
        return
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    position = 0.0
    while position < length:
        stop = min(position + dash, length)
        draw.line(
            [(x0 + ux * position, y0 + uy * position), (x0 + ux * stop, y0 + uy * stop)],
            fill=fill,
            width=width,
        )
        position += dash + gap


def _marker(
    draw: ImageDraw.ImageDraw,
    shape: str,
    x: float,
    y: float,
    radius: float,
    colour: str,
    *,
    hollow: bool = False,
) -> None:
    """A point marker; ``hollow`` marks a value clamped to the edge of the plot."""
    # A white rim separates a marker from lines crossing beneath it; a hollow marker is the
    # same shape drawn with a coloured rim around a white centre.
    rim = max(1, round(radius / 3))
    fill, outline = (_BACKGROUND, colour) if hollow else (colour, _BACKGROUND)
    if hollow:
        rim = max(1, round(radius / 2))
    if shape == "square":
        r = radius * 0.9
        draw.rectangle((x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=rim)
    elif shape == "triangle":
        r = radius * 1.35
        points = [(x, y - r), (x + r * 0.95, y + r * 0.65), (x - r * 0.95, y + r * 0.65)]
        draw.polygon(points, fill=fill, outline=outline, width=rim)
    elif shape == "diamond":
        r = radius * 1.2
        points = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
        draw.polygon(points, fill=fill, outline=outline, width=rim)
    else:
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=fill,
            outline=outline,
            width=rim,
        )


def _runs(points: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Unbroken stretches of (week, value); a gap (None/NaN) ends a stretch."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for index, value in enumerate(points):
        if value is None or math.isnan(value):
            if current:
                runs.append(current)
            current = []
        else:
            current.append((index + 1, value))
    if current:
        runs.append(current)
    return runs


def _draw_axes(draw: ImageDraw.ImageDraw, spec: ChartSpec, layout: ChartLayout) -> None:
    u = layout.unit
    tick_size = round(11 * u)
    hairline = max(1, round(u))
    now = min(max(spec.current_week, 0), layout.weeks)
    if 0 < now < layout.weeks:
        # The weeks still ahead, faintly shaded: the eye goes to what has happened so far.
        draw.rectangle(
            (layout.x(now), layout.plot_top, layout.plot_right, layout.plot_bottom),
            fill=_FUTURE_SHADE,
        )
    for tick in _TICKS:
        y = layout.y(tick)
        if tick > 0:
            draw.line([(layout.plot_left, y), (layout.plot_right, y)], fill=_GRID, width=hairline)
        _text(
            draw,
            layout.plot_left - 7 * u,
            y,
            f"{round(tick * 100)}%",
            tick_size,
            _MUTED_TEXT,
            ha="right",
            va="middle",
        )
    plot_width = layout.plot_right - layout.plot_left
    wanted = math.ceil(layout.weeks / max(1, int(plot_width / (24 * u))))
    # Label every week when they fit, else every 2nd, 4th, 5th… week: round numbers read best.
    step = next((s for s in _WEEK_STEPS if s >= wanted), wanted)
    for week in range(1, layout.weeks + 1):
        x = layout.x(week)
        labelled = week % step == 0 or step == 1
        tick_length = (5 if labelled else 3) * u
        draw.line(
            [(x, layout.plot_bottom), (x, layout.plot_bottom + tick_length)],
            fill=_AXIS,
            width=hairline,
        )
        if labelled:
            _text(
                draw, x, layout.plot_bottom + 9 * u, str(week), tick_size, _MUTED_TEXT, ha="center"
            )
    _text(
        draw,
        (layout.plot_left + layout.plot_right) / 2,
        layout.plot_bottom + 25 * u,
        "week of the cycle",
        round(10 * u),
        _MUTED_TEXT,
        ha="center",
    )
    draw.line(
        [(layout.plot_left, layout.plot_top), (layout.plot_left, layout.plot_bottom)],
        fill=_AXIS,
        width=hairline,
    )
    draw.line(
        [(layout.plot_left, layout.plot_bottom), (layout.plot_right, layout.plot_bottom)],
        fill=_AXIS,
        width=hairline,
    )
    if now > 0:
        x = layout.x(now)
        draw.line([(x, layout.plot_top), (x, layout.plot_bottom)], fill=_NOW, width=hairline)
        _text(
            draw,
            x,
            layout.plot_top - 9 * u,
            "now",
            round(10 * u),
            _MUTED_TEXT,
            ha="center",
            va="bottom",
        )


def _draw_pace(draw: ImageDraw.ImageDraw, layout: ChartLayout) -> None:
    u = layout.unit
    _dashed_line(
        draw,
        (layout.x(0), layout.y(0.0)),
        (layout.x(layout.weeks), layout.y(1.0)),
        fill=_PACE,
        width=max(1, round(1.75 * u)),
        dash=7 * u,
        gap=5 * u,
    )


def _draw_series(draw: ImageDraw.ImageDraw, spec: ChartSpec, layout: ChartLayout) -> bool:
    """Draw every objective's line and markers; False when there was nothing to draw."""
    u = layout.unit
    line_width = max(1, round(2.25 * u))
    radius = 3.8 * u
    drew = False
    for index, series in enumerate(spec.series):
        colour = PALETTE[index % len(PALETTE)]
        shape = MARKERS[index % len(MARKERS)]
        for run in _runs(_visible_points(spec, series)):
            points = [(layout.x(week), layout.y(value)) for week, value in run]
            if len(points) > 1:
                draw.line(points, fill=colour, width=line_width, joint="curve")
            for (x, y), (_, value) in zip(points, run, strict=True):
                clamped = not 0.0 <= value <= layout.y_max
                _marker(draw, shape, x, y, radius, colour, hollow=clamped)
            drew = True
    return drew


def _draw_empty_note(draw: ImageDraw.ImageDraw, layout: ChartLayout) -> None:
    """Say there is no data yet, on a white card so the pace line does not cross the words."""
    u = layout.unit
    size = round(13 * u)
    message = "No progress recorded yet"
    x = (layout.plot_left + layout.plot_right) / 2
    y = (layout.plot_top + layout.plot_bottom) / 2
    half_width = _font(size).getlength(message) / 2 + 10 * u
    half_height = 13 * u
    draw.rounded_rectangle(
        (x - half_width, y - half_height, x + half_width, y + half_height),
        radius=4 * u,
        fill=_BACKGROUND,
        outline=_GRID,
        width=max(1, round(u)),
    )
    _text(draw, x, y, message, size, _MUTED_TEXT, ha="center", va="middle")


def _draw_legend(draw: ImageDraw.ImageDraw, spec: ChartSpec, layout: ChartLayout) -> None:
    u = layout.unit
    size = round(12 * u)
    row = 21 * u
    swatch = 24 * u
    text_left = layout.legend_left + swatch + 8 * u
    max_text = layout.legend_right - text_left
    rows = max(1, int((layout.plot_bottom - layout.plot_top) / row))
    # The pace entry always shows; objectives that do not fit collapse into "+N more".
    labels = list(spec.series)
    shown = labels if len(labels) + 1 <= rows else labels[: max(0, rows - 2)]
    y = layout.plot_top + row / 2
    for index, series in enumerate(shown):
        colour = PALETTE[index % len(PALETTE)]
        left, right = layout.legend_left, layout.legend_left + swatch
        draw.line([(left, y), (right, y)], fill=colour, width=max(1, round(2.25 * u)))
        _marker(draw, MARKERS[index % len(MARKERS)], (left + right) / 2, y, 4.4 * u, colour)
        _text(
            draw,
            text_left,
            y,
            _fit(series.label or "(untitled)", size, max_text),
            size,
            _TEXT,
            va="middle",
        )
        y += row
    hidden = len(labels) - len(shown)
    if hidden:
        _text(draw, text_left, y, f"+{hidden} more", size, _MUTED_TEXT, va="middle")
        y += row
    if labels:
        y += row * 0.25  # set the reference line apart from the objectives
    _dashed_line(
        draw,
        (layout.legend_left, y),
        (layout.legend_left + swatch, y),
        fill=_PACE,
        width=max(1, round(1.75 * u)),
        dash=6 * u,
        gap=4 * u,
    )
    _text(draw, text_left, y, "expected pace", size, _MUTED_TEXT, va="middle")


def render_progress_chart(spec: ChartSpec, *, width: int = 800, height: int = 450) -> bytes:
    """The chart for ``spec`` as an RGB PNG of ``width`` × ``height`` pixels.

    Deterministic: the same spec and size give the same bytes. Raises ValueError for a
    cycle shorter than a week or an image smaller than ``MIN_WIDTH`` × ``MIN_HEIGHT``.
    """
    layout = chart_layout(spec, width=width, height=height).scaled(_SUPERSAMPLE)
    image = Image.new("RGB", (layout.width, layout.height), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    u = layout.unit
    _draw_axes(draw, spec, layout)
    _draw_pace(draw, layout)
    if not _draw_series(draw, spec, layout):
        _draw_empty_note(draw, layout)
    _draw_legend(draw, spec, layout)
    title_size = round(17 * u)
    pad = 16 * u
    _text(draw, pad, pad, _fit(spec.title, title_size, layout.width - 2 * pad), title_size, _TEXT)
    # A box filter over 2×2 blocks is the anti-aliasing, and cheap.
    output = image.reduce(_SUPERSAMPLE)
    buffer = io.BytesIO()
    output.save(buffer, format="PNG")
    return buffer.getvalue()


def chart_alt_text(spec: ChartSpec) -> str:
    """A plain-text description of the chart, for the image's alt text (screen readers)."""
    now = min(max(spec.current_week, 0), spec.weeks)
    expected = round(100 * now / spec.weeks) if spec.weeks > 0 else 0
    parts = [f"{spec.title}. Expected pace at week {now}: {expected}%."]
    for series in spec.series:
        known = [v for v in _visible_points(spec, series) if _drawable(v)]
        latest = f"{round(100 * known[-1])}%" if known and known[-1] is not None else "no data"
        parts.append(f"{' '.join(series.label.split())}: {latest}.")
    return " ".join(parts)
