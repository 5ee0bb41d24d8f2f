"""How sure a survey figure is: 95% confidence intervals and tests of differences, in words.

A survey hears from some residents, not all, so every share it gives could have come out a little
differently with another sample of the same size. The interval says how far (the Wilson score
interval, which stays sensible near 0% and 100% and for small groups, where the textbook
"p ± 1.96 × standard error" does not); the test says whether a difference between two waves or two
groups is bigger than such sampling alone would often produce (the two-proportion z-test, at 5%).

The arithmetic is statsmodels' (tested against published worked examples in
tests/surveys/test_statistics.py); this module only chooses the method and says the result in
words a chief inspector can read. A weighted figure passes its effective sample size (Kish) as
`base`, so its interval and tests are as wide as the weighting makes them.
"""

import math
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Interval:
    """A 95% confidence interval for a share, in percent."""

    low: float
    high: float


def wilson_interval(*, favourable: float, base: float) -> Interval | None:
    """The 95% Wilson score interval of favourable / base, in percent; None without a base.
    Both may be fractional (a weighted count over an effective sample size)."""
    if not base or base <= 0 or favourable is None:
        return None
    low, high = proportion_confint(favourable, base, alpha=1 - CONFIDENCE, method="wilson")
    return Interval(low=round(100 * float(low), 1), high=round(100 * float(high), 1))


@dataclass(frozen=True)
class Difference:
    """A second share against a first (a later wave against an earlier one, BME against White)."""

    first: float  # percent
    second: float  # percent
    p_value: float

    @property
    def points(self) -> float:
        return round(self.second - self.first, 1)

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE

    @property
    def verdict(self) -> str:
        if self.significant:
            return _("This is a real difference: too large to be explained by sampling alone (%(p)s).") % {
                "p": p_text(self.p_value)
            }
        return _("This could be chance: the difference is within what sampling alone would produce.")

    @property
    def verdict_short(self) -> str:
        """For a table cell beside the figures."""
        if self.significant:
            return _("Real difference (%(p)s)") % {"p": p_text(self.p_value)}
        return _("Could be chance")


def p_text(p_value: float) -> str:
    if p_value < 0.001:
        return "p < 0.001"
    return f"p = {p_value:.3f}" if p_value < 0.01 else f"p = {p_value:.2f}"


def compare(*, first: tuple[float, float], second: tuple[float, float]) -> Difference | None:
    """Two independent shares, each (favourable, base), by the two-sided two-proportion z-test
    with the pooled variance; None unless both have a base."""
    (fav1, n1), (fav2, n2) = first, second
    if not n1 or not n2 or fav1 is None or fav2 is None:
        return None
    pooled = (fav1 + fav2) / (n1 + n2)
    if pooled in (0, 1):
        # Everyone (or no one) in both groups: no difference at all, and no variance to test with.
        p_value = 1.0
    else:
        _z, p = proportions_ztest([fav1, fav2], [n1, n2], alternative="two-sided")
        p_value = float(p) if math.isfinite(p) else 1.0
    return Difference(first=100 * fav1 / n1, second=100 * fav2 / n2, p_value=p_value)


def _shown(difference: Difference) -> dict:
    """The two shares as whole percentages and the points between those, so the sentence adds up
    as read ("from 42% to 61%" is 19 points, whatever the unrounded difference)."""
    first, second = round(difference.first), round(difference.second)
    return {
        "first": first,
        "second": second,
        "points": abs(second - first),
        "sign": (second > first) - (second < first),
    }


def change_text(difference: Difference, *, since: str) -> str:
    """ "Up 6 points since the last wave (from 61% to 67%). This could be chance: …"."""
    values = _shown(difference) | {"since": since}
    if values["sign"] > 0:
        head = _("Up %(points)s points %(since)s (from %(first)s%% to %(second)s%%).") % values
    elif values["sign"] < 0:
        head = _("Down %(points)s points %(since)s (from %(first)s%% to %(second)s%%).") % values
    else:
        head = _("No change %(since)s (%(first)s%% both times).") % values
    if not difference.significant:
        return f"{head} {difference.verdict}"
    real = _("This is a real change: too large to be explained by sampling alone (%(p)s).")
    return f"{head} {real % {'p': p_text(difference.p_value)}}"


def gap_text(difference: Difference, *, first_label: str, second_label: str) -> str:
    """ "White respondents 8 points more favourable than BME respondents (70% against 62%). …"."""
    values = _shown(difference) | {"first_label": first_label, "second_label": second_label}
    if values["sign"] < 0:
        head = _(
            "%(first_label)s %(points)s points more favourable than %(second_label)s "
            "(%(first)s%% against %(second)s%%)."
        )
    elif values["sign"] > 0:
        head = _(
            "%(second_label)s %(points)s points more favourable than %(first_label)s "
            "(%(second)s%% against %(first)s%%)."
        )
    else:
        head = _("%(first_label)s and %(second_label)s equally favourable (%(first)s%%).")
    return f"{capfirst(head % values)} {difference.verdict}"


@dataclass(frozen=True)
class GapChange:
    """How a gap between two groups (White minus BME, say) moved from one period to another."""

    earlier: float  # points, first group minus second
    later: float
    p_value: float

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE


def compare_gaps(*, earlier: tuple[tuple, tuple], later: tuple[tuple, tuple]) -> GapChange | None:
    """Whether a gap between two groups changed between two periods: each period is the two
    groups' (favourable, base). The four samples are independent, so the variance of the change in
    the gap is the sum of the four shares' variances p(1 − p)/n, and the change over its standard
    error is tested against the normal distribution, two-sided (a Wald test, as HMIC's appendix 3
    compares two survey figures by their confidence intervals). None unless all four have a base."""
    groups = [*earlier, *later]
    if any(not base or favourable is None for favourable, base in groups):
        return None
    shares = [favourable / base for favourable, base in groups]
    variance = sum(p * (1 - p) / base for p, (_fav, base) in zip(shares, groups, strict=True))
    before, after = shares[0] - shares[1], shares[2] - shares[3]
    if variance <= 0:
        # Every group all-or-nothing both times: nothing varies, so no change could be chance.
        p_value = 1.0 if math.isclose(before, after) else 0.0
    else:
        p_value = float(2 * norm.sf(abs(after - before) / math.sqrt(variance)))
    return GapChange(earlier=100 * before, later=100 * after, p_value=p_value)


def gap_change_text(change: GapChange, *, since: str) -> str:
    """ "The gap narrowed by 9 points since the previous quarter (from 14 to 5 points). This could be
    chance: …"; a gap that changed sides is said as that, not as narrowing."""
    earlier, later = round(change.earlier), round(change.later)
    values = {"since": since, "earlier": earlier, "later": later, "points": abs(abs(later) - abs(earlier))}
    if earlier * later < 0:
        head = _("The gap changed sides %(since)s (from %(earlier)+d to %(later)+d points).") % values
    elif abs(later) < abs(earlier):
        head = _("The gap narrowed by %(points)s points %(since)s (from %(earlier)s to %(later)s points).") % values
    elif abs(later) > abs(earlier):
        head = _("The gap widened by %(points)s points %(since)s (from %(earlier)s to %(later)s points).") % values
    else:
        head = _("The gap is the same size %(since)s (%(later)s points).") % values
    if change.significant:
        tail = _("This is a real change: too large to be explained by sampling alone (%(p)s).")
        return f"{head} {tail % {'p': p_text(change.p_value)}}"
    return f"{head} {_('This could be chance: the change is within what sampling alone would produce.')}"


def design_effect(weights) -> float | None:
    """Kish's design effect of unequal weights, n Σw² / (Σw)²: how many times the variance of a
    weighted share exceeds that of an unweighted one from the same number of people."""
    weights = list(weights)
    total = sum(weights)
    if not weights or total <= 0:
        return None
    return len(weights) * sum(w * w for w in weights) / (total * total)


def effective_sample_size(weights) -> float | None:
    """Kish's effective sample size, (Σw)² / Σw²: the number of unweighted respondents that would
    give a share as precise as this weighted one."""
    weights = list(weights)
    squares = sum(w * w for w in weights)
    if not weights or squares <= 0:
        return None
    return sum(weights) ** 2 / squares
