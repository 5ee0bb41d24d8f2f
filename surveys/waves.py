"""A wave's name from its dates. Trends put waves side by side by name, so "Summer 2025" on a wave
that opened in December 2025 would put a winter's answers in the summer's place."""

import re
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

# The Met Office's seasons, by the month a wave opens in (UK time).
SEASONS = {12: "Winter", 1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring",
           6: "Summer", 7: "Summer", 8: "Summer", 9: "Autumn", 10: "Autumn", 11: "Autumn"}  # fmt: skip
SEASON_WORDS = {"spring": "Spring", "summer": "Summer", "autumn": "Autumn", "fall": "Autumn", "winter": "Winter"}
SEASON_RE = re.compile(r"\b(spring|summer|autumn|fall|winter)\b", re.IGNORECASE)
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def _local_date(moment: datetime | date) -> date:
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment


def winter_years(day: date) -> tuple[int, int]:
    """The two years a winter spans: December 2025 and February 2026 are both winter 2025/26."""
    start = day.year if day.month == 12 else day.year - 1
    return start, start + 1


def season_label(opens_at: datetime | date) -> str:
    """A wave's name from the day it opens: "Spring 2026", or "Winter 2025/26" across the new year."""
    day = _local_date(opens_at)
    season = SEASONS[day.month]
    if season == "Winter":
        start, end = winter_years(day)
        return f"Winter {start}/{end % 100:02d}"
    return f"{season} {day.year}"


def wave_label_problem(label: str, opens_at: datetime | date) -> str | None:
    """Why a wave's name contradicts its opening date (a season or year it does not open in), or None."""
    day = _local_date(opens_at)
    season = SEASONS[day.month]
    named = {SEASON_WORDS[word.lower()] for word in SEASON_RE.findall(label)}
    years = {int(year) for year in YEAR_RE.findall(label)}
    # A winter's name may give either year it spans ("Winter 2025", "Winter 2025/26", "Winter 2026").
    allowed_years = set(winter_years(day)) if season == "Winter" and named <= {"Winter"} else {day.year}
    if (named and named != {season}) or (years and not years <= allowed_years):
        # The season's name stays English: it is the wave label staff type, which trends compare.
        return gettext(
            "“%(label)s” does not match the opening date: a wave opening on %(date)s is %(season)s. "
            "Name it after the season and year it opens in, or change the opening date."
        ) % {"label": label, "date": date_format(day, "j F Y"), "season": season_label(day)}
    return None
