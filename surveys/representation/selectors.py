"""Whom the portal hears from: In the Know members and survey respondents compared with the
ward reference population (WardPopulation), for a ward, a neighbourhood (its wards added up), a
division or the force, within the viewer's area.

Representation index = a group's share among members (or respondents) ÷ its share of the
population × 100: 100 is in proportion, 50 is half as many as there would be. Members are counted
only if they can be reached today (an active channel) and described themselves (the separately
consented age band / ethnic group); so the base of each share is the members who gave that
category, never all members. A base under MIN_BASE is too small to say anything and could point
at individuals: its shares and indexes are suppressed. Only wards with census figures for a
category are counted in it, so a ward without figures cannot skew the shares.

Ethnic groups are reported broad, as the six groups the ONS's own 2021 summaries use with White
split in two (White British is the majority almost everywhere, so lumping Irish, Gypsy or Irish
Traveller, Roma and Other White into it would hide exactly the groups officers miss): White British;
White other; Asian; Black; Mixed; Other (Arab, any other). "Prefer not to say" is left out of every
base.

Cost: a constant handful of queries whatever the area: the viewer's team memberships (for a
neighbourhood officer), the wards in scope, then one grouped query each for the population, the
members and the respondents; Python only adds the grouped rows up.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from accounts.policy import scope_for
from messaging.models import AgeBand, ChannelStatus, Subscriber, SubscriberChannel
from neighbourhoods.models import Neighbourhood, Ward
from neighbourhoods.selectors import area_title, wards_in_scope
from surveys.models import PopulationCategory, Response, Survey, WardPopulation

MIN_BASE = 10
# A group this small a share of the population is not a sign-up target or a headline gap.
MIN_POPULATION_SHARE = Decimal("2")
SIGN_UP_ROWS = 25
UNDER_REPRESENTED = 3

AGE_GROUPS = [(value, label) for value, label in AgeBand.choices if value != AgeBand.NOT_SAID]
BROAD_ETHNIC_GROUPS = [
    ("white_british", "White British"),
    ("white_other", "White other"),
    ("asian", "Asian"),
    ("black", "Black"),
    ("mixed", "Mixed"),
    ("other", "Other"),
]
CATEGORY_GROUPS = {PopulationCategory.AGE_BAND: AGE_GROUPS, PopulationCategory.ETHNIC_GROUP: BROAD_ETHNIC_GROUPS}
CATEGORY_LABELS = {PopulationCategory.AGE_BAND: "Age", PopulationCategory.ETHNIC_GROUP: "Ethnic group"}


def broad_ethnic_group(value: str) -> str | None:
    """The broad group of an EthnicGroup value (None for "prefer not to say" or blank)."""
    if not value or value == "not_said":
        return None
    if value == "white_british":
        return "white_british"
    head = value.split("_", 1)[0]
    return "white_other" if head == "white" else head


def group_of(category: str, value: str) -> str | None:
    if category == PopulationCategory.ETHNIC_GROUP:
        return broad_ethnic_group(value)
    return value if value and value != AgeBand.NOT_SAID else None


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def representation_index(*, count: int, base: int, population: int, population_total: int) -> int | None:
    """Share among `base` ÷ share of the population × 100, or None when the base is under MIN_BASE."""
    if base < MIN_BASE or not population or not population_total:
        return None
    value = Decimal(count * population_total * 100) / Decimal(base * population)
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


# --- the area ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepresentationArea:
    """What the page covers (`wards`), inside the viewer's whole area (`scope_wards`)."""

    title: str
    level: str  # force, division, neighbourhood or ward
    wards: list[Ward]
    scope_wards: list[Ward]
    neighbourhood: Neighbourhood | None = None
    ward: Ward | None = None

    @property
    def is_empty(self) -> bool:
        return not self.wards

    @property
    def ward_ids(self) -> list[int]:
        return [w.pk for w in self.wards]

    @property
    def neighbourhoods(self) -> list[Neighbourhood]:
        """The neighbourhoods of the viewer's area, for drilling in (no query: from the wards)."""
        return sorted({w.neighbourhood_id: w.neighbourhood for w in self.scope_wards}.values(), key=str)


def representation_area_for(*, user, neighbourhood: str = "", ward: str = "") -> RepresentationArea | None:
    """The viewer's area, or a neighbourhood (by code) or ward (by ONS code) inside it; None when the
    one asked for is not in the viewer's area, so the page answers 404 as if it did not exist."""
    scope = scope_for(user)
    wards = wards_in_scope(user=user)
    if ward:
        chosen = [w for w in wards if w.code == ward]
        if not chosen:
            return None
        return RepresentationArea(
            title=chosen[0].name, level="ward", wards=chosen, scope_wards=wards,
            neighbourhood=chosen[0].neighbourhood, ward=chosen[0],
        )  # fmt: skip
    if neighbourhood:
        chosen = [w for w in wards if w.neighbourhood.code == neighbourhood]
        if not chosen:
            return None
        place = chosen[0].neighbourhood
        return RepresentationArea(
            title=place.name, level="neighbourhood", wards=chosen, scope_wards=wards, neighbourhood=place
        )
    return RepresentationArea(
        title=area_title(level=scope.level, wards=wards), level=scope.level, wards=wards, scope_wards=wards
    )


def surveys_for_representation(*, area: RepresentationArea) -> list[Survey]:
    """The surveys of the area's force(s) whose respondents can be compared (one query)."""
    forces = {w.neighbourhood.division.force_id for w in area.scope_wards}
    return list(Survey.objects.filter(force_id__in=forces).exclude(status="draft").only("title", "wave_label"))


# --- the figures ------------------------------------------------------------------------------


@dataclass
class GroupFigures:
    category: str
    group: str
    label: str
    population: int = 0
    members: int = 0
    respondents: int = 0
    population_share: Decimal | None = None
    member_share: Decimal | None = None
    respondent_share: Decimal | None = None
    member_index: int | None = None
    respondent_index: int | None = None


@dataclass
class CategoryFigures:
    category: str
    label: str
    groups: list[GroupFigures]
    population_total: int = 0
    member_base: int = 0
    respondent_base: int = 0
    wards_with_figures: int = 0


@dataclass
class SignUpRow:
    """How many more members of a group a ward needs to be in proportion: (the group's share of the
    ward's population × the ward's members who gave that category) − the members in the group.
    `priority` is the group's place among the area's most under-represented (1 = the worst), None
    for a group that is not one of them; `area_index` is the group's member index across the area."""

    ward: Ward
    category: str
    group: str
    label: str
    population_share: Decimal
    member_base: int
    members: int
    shortfall: int
    priority: int | None = None
    area_index: int | None = None


@dataclass
class Representation:
    categories: list[CategoryFigures]
    under_represented: list[GroupFigures]
    sign_up_next: list[SignUpRow]
    # Wards with census figures but too few members who described themselves to rank.
    thin_wards: list[tuple[Ward, int]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    is_synthetic: bool = False

    @property
    def has_population(self) -> bool:
        return any(c.population_total for c in self.categories)


def representation_figures(*, area: RepresentationArea, survey: Survey | None = None) -> Representation:
    """Population, member and respondent shares and indexes for the area, with the sign-up list."""
    ids = area.ward_ids
    population, sources, synthetic = population_by_ward(ids)
    members = grouped_by_ward(reachable_members(ids))
    responses = Response.objects.filter(ward_id__in=ids)
    if survey is not None:
        responses = responses.filter(survey=survey)
    respondents = grouped_by_ward(responses)
    categories = [
        category_figures(category, population[category], members[category], respondents[category])
        for category in CATEGORY_GROUPS
    ]
    under_represented = most_under_represented(categories)
    ranked, thin = _sign_up_next(area.wards, population, members, categories, under_represented)
    return Representation(
        categories=categories,
        under_represented=under_represented,
        sign_up_next=ranked,
        thin_wards=thin,
        sources=sorted(sources),
        is_synthetic=synthetic,
    )


def population_by_ward(ward_ids: list[int]):
    """{category: {ward id: {group: people}}}, the sources, and whether any figure is synthetic."""
    population = {category: defaultdict(lambda: defaultdict(int)) for category in CATEGORY_GROUPS}
    sources, synthetic = set(), False
    rows = WardPopulation.objects.filter(ward_id__in=ward_ids).values_list(
        "ward_id", "category", "group", "count", "source", "is_synthetic"
    )
    for ward_id, category, value, count, source, is_synthetic in rows:
        group = group_of(category, value)
        if category in population and group is not None:
            population[category][ward_id][group] += count
            sources.add(source)
            synthetic = synthetic or is_synthetic
    return population, sources, synthetic


def reachable_members(ward_ids: list[int]):
    # IN, not a correlated EXISTS: SQLite runs the EXISTS once per member, hundreds of times slower.
    reachable = SubscriberChannel.objects.filter(status=ChannelStatus.ACTIVE).values("subscriber_id")
    return Subscriber.objects.current().filter(
        ward_id__in=ward_ids, demographics_consent_at__isnull=False, pk__in=reachable
    )


def profile_groups(*, age_band: str, ethnic_group: str) -> list[tuple[str, str]]:
    """(category, group) for each part of a person's profile that falls in a census group."""
    given = ((PopulationCategory.AGE_BAND, age_band), (PopulationCategory.ETHNIC_GROUP, ethnic_group))
    return [(category, group) for category, value in given if (group := group_of(category, value)) is not None]


def grouped_by_ward(queryset):
    """{category: {ward id: {group: count}}} from one query grouped by ward, age band and ethnic group."""
    counts = {category: defaultdict(lambda: defaultdict(int)) for category in CATEGORY_GROUPS}
    rows = queryset.order_by().values_list("ward_id", "age_band", "ethnic_group").annotate(n=Count("pk"))
    for ward_id, age_band, ethnic_group, n in rows:
        for category, group in profile_groups(age_band=age_band, ethnic_group=ethnic_group):
            counts[category][ward_id][group] += n
    return counts


def category_figures(category: str, population: dict, members: dict, respondents: dict) -> CategoryFigures:
    # Only wards with census figures count, so a ward without them cannot skew the shares.
    wards = list(population)
    rows = [GroupFigures(category=category, group=group, label=label) for group, label in CATEGORY_GROUPS[category]]
    for row in rows:
        row.population = sum(population[w].get(row.group, 0) for w in wards)
        row.members = sum(members[w].get(row.group, 0) for w in wards if w in members)
        row.respondents = sum(respondents[w].get(row.group, 0) for w in wards if w in respondents)
    figures = CategoryFigures(
        category=category, label=CATEGORY_LABELS[category], groups=rows, wards_with_figures=len(wards),
        population_total=sum(r.population for r in rows), member_base=sum(r.members for r in rows),
        respondent_base=sum(r.respondents for r in rows),
    )  # fmt: skip
    for row in rows:
        row.population_share = _percent(row.population, figures.population_total)
        if figures.member_base >= MIN_BASE:
            row.member_share = _percent(row.members, figures.member_base)
        if figures.respondent_base >= MIN_BASE:
            row.respondent_share = _percent(row.respondents, figures.respondent_base)
        total = figures.population_total
        row.member_index = representation_index(
            count=row.members, base=figures.member_base, population=row.population, population_total=total
        )
        row.respondent_index = representation_index(
            count=row.respondents, base=figures.respondent_base, population=row.population, population_total=total
        )
    return figures


def most_under_represented(categories: list[CategoryFigures]) -> list[GroupFigures]:
    candidates = [
        row
        for figures in categories
        for row in figures.groups
        if row.member_index is not None and row.member_index < 100 and row.population_share >= MIN_POPULATION_SHARE
    ]
    return sorted(candidates, key=lambda r: (r.member_index, -r.population))[:UNDER_REPRESENTED]


def _sign_up_next(
    wards: list[Ward], population: dict, members: dict, categories: list[CategoryFigures], first: list[GroupFigures]
) -> tuple[list[SignUpRow], list]:
    """Ward and group pairs in the order the page's gaps give: the area's most under-represented
    groups first, worst first, each ward by the members it needs; then every other pair by the
    members it needs. Ranking by members needed alone put White British residents of big rural
    wards above the 16 to 24s the page called the widest gap."""
    priority = {(row.category, row.group): n for n, row in enumerate(first, start=1)}
    area_index = {(row.category, row.group): row.member_index for c in categories for row in c.groups}
    rows, thin = [], {}
    for ward in wards:
        for category, groups in CATEGORY_GROUPS.items():
            people = population[category].get(ward.pk)
            if not people:
                continue
            counted = members[category].get(ward.pk, {})
            base, total = sum(counted.values()), sum(people.values())
            if base < MIN_BASE:
                thin[ward.pk] = (ward, min(base, thin.get(ward.pk, (ward, base))[1]))
                continue
            for group, label in groups:
                share = Decimal(people.get(group, 0)) / Decimal(total) if total else Decimal(0)
                shortfall = (share * base - counted.get(group, 0)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
                if share * 100 >= MIN_POPULATION_SHARE and shortfall >= 1:
                    rows.append(
                        SignUpRow(
                            ward=ward, category=category, group=group, label=label,
                            population_share=(share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
                            member_base=base, members=counted.get(group, 0), shortfall=int(shortfall),
                            priority=priority.get((category, group)), area_index=area_index.get((category, group)),
                        )
                    )  # fmt: skip
    rows.sort(key=lambda r: (r.priority is None, r.priority or 0, -r.shortfall, r.ward.name, r.category, r.group))
    return rows[:SIGN_UP_ROWS], sorted(thin.values(), key=lambda item: (item[1], item[0].name))
