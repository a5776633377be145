"""Charts for the team digest, rendered to PNG bytes (pure functions: no Slack, no database)."""

from app.charts.progress_chart import (
    PALETTE,
    ChartLayout,
    ChartSpec,
    Series,
    chart_alt_text,
    chart_layout,
    render_progress_chart,
)

__all__ = [
    "PALETTE",
    "ChartLayout",
    "ChartSpec",
    "Series",
    "chart_alt_text",
    "chart_layout",
    "render_progress_chart",
]
