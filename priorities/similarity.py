"""Which open issues are likely the same concern as another: by the words residents used and by
where they put the pin, not by category and ward (a ward has many unrelated problems, and two
residents seldom choose the same category for the same thing).

Text similarity is pg_trgm's: the share of three-letter pieces of words two texts have in common.
On PostgreSQL the database computes it (`similarity()`); elsewhere `text_similarity` does the same
sum in Python, so both give the same suggestions.
"""

import math
import re
from dataclasses import dataclass

from django.db import connection

# How alike the words must be, by what else is known of where the two are. Pins are the best
# evidence: near each other, some shared words will do; far apart, only near-identical wording
# (a misplaced pin). Without pins, the ward stands in for the place. Calibrated on residents'
# phrasings: "Cars racing on Burnley Road at night" and "Boy racers speeding on Burnley Road every
# night" share 0.49; "Begging outside the shops" and "Off-road motorbikes on the field" 0.09.
TEXT_NEAR_PINS = 0.2
TEXT_FAR_PINS = 0.75
TEXT_SAME_WARD = 0.3
TEXT_OTHER_WARD = 0.6
NEAR_METRES = 400
# Pins this close with the same category are one place's one problem, whatever the words.
SAME_SPOT_METRES = 75
# No pair below this is ever suggested on its words, so no lower score need be computed.
TEXT_FLOOR = min(TEXT_NEAR_PINS, TEXT_SAME_WARD)
WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each lower-cased word padded with two spaces before and one after."""
    grams = set()
    for word in WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def text_similarity(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def distance_m(a, b) -> float | None:
    """Metres between two issues' pins (haversine), or None when either has no pin."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat, dlon = lat2 - lat1, math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


def _within_a_box(a, b, metres: float) -> bool:
    """Whether two pins are within `metres` north-south and (at UK latitudes) east-west."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return False
    degrees = metres / 111_000
    return abs(a.latitude - b.latitude) <= degrees and abs(a.longitude - b.longitude) <= 2 * degrees


@dataclass(frozen=True)
class Match:
    score: float
    text: float
    metres: float | None


def match(issue, other, text: float) -> Match | None:
    """A suggestion if the words are alike enough for what is known of where the two are, or if
    both sit on the same spot under the same category; scored so the likeliest comes first."""
    same_category = issue.category == other.category
    if text < TEXT_FLOOR and not (same_category and _within_a_box(issue, other, SAME_SPOT_METRES)):
        return None  # the common case, decided without trigonometry
    metres = distance_m(issue, other)
    if metres is not None:
        needed = TEXT_NEAR_PINS if metres <= NEAR_METRES else TEXT_FAR_PINS
        same_spot = metres <= SAME_SPOT_METRES and same_category
    else:
        needed = TEXT_SAME_WARD if issue.ward_id == other.ward_id else TEXT_OTHER_WARD
        same_spot = False
    if text < needed and not same_spot:
        return None
    closeness = 0.0 if metres is None else max(0.0, 1 - metres / NEAR_METRES)
    return Match(score=text + 0.3 * closeness + (0.05 if same_category else 0), text=text, metres=metres)


def similarities(queue, candidates) -> dict[tuple[int, int], float]:
    """Text similarity of every (queued issue, candidate) pair from TEXT_FLOOR up: one query on
    PostgreSQL (pg_trgm), none elsewhere."""
    if not queue or not candidates:
        return {}
    if connection.vendor == "postgresql":
        return _similarities_in_postgres([i.pk for i in queue], [c.pk for c in candidates])
    grams = {c.pk: trigrams(c.description) for c in candidates}
    for issue in queue:
        grams.setdefault(issue.pk, trigrams(issue.description))
    pairs = {}
    for issue in queue:
        mine = grams[issue.pk]
        for candidate in candidates:
            theirs = grams[candidate.pk]
            # The union's size from the intersection's: one set operation a pair, not two.
            shared = len(mine & theirs)
            if shared and candidate.pk != issue.pk:
                score = shared / (len(mine) + len(theirs) - shared)
                if score >= TEXT_FLOOR:
                    pairs[(issue.pk, candidate.pk)] = score
    return pairs


def _similarities_in_postgres(queue_ids: list[int], candidate_ids: list[int]) -> dict[tuple[int, int], float]:
    sql = """
        SELECT q.id, c.id, similarity(q.description, c.description)
        FROM priorities_issue q JOIN priorities_issue c ON c.id = ANY(%s) AND c.id <> q.id
        WHERE q.id = ANY(%s) AND similarity(q.description, c.description) >= %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [candidate_ids, queue_ids, TEXT_FLOOR])
        return {(q, c): score for q, c, score in cursor.fetchall()}
