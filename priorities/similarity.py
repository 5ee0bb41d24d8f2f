"""Which open issues are likely the same concern as another: by the words residents used and by
where they put the pin, not by category and ward (a ward has many unrelated problems, and two
residents seldom choose the same category for the same thing).

Text similarity is pg_trgm's: the share of three-letter pieces of words two texts have in common,
over the words that say what the problem is: little words ("on", "the") are left out, and so,
between two issues of one ward, is the ward's name (long enough to make "Graffiti in Daneshouse
with Stoneyholme" look like "Off-road motorbikes in Daneshouse with Stoneyholme"); between wards
the names stay, as they tell two places apart. On PostgreSQL the database computes it (`similarity()`);
elsewhere `text_similarity` does the same sum in Python, so both give the same suggestions.
"""

import math
import re
from dataclasses import dataclass

from django.db import connection

# How alike the words must be, by what else is known of where the two are. Pins are the best
# evidence: near each other, some shared words will do; far apart, only near-identical wording
# (a misplaced pin). Without pins, the ward stands in for the place. Calibrated on residents'
# phrasings: "Cars racing on Burnley Road at night" and "Boy racers speeding on Burnley Road every
# night" share 0.56; "Begging outside the shops" and "Off-road motorbikes on the field" nothing;
# "Fly-tipping off Park Road" and "Speeding on Park Road" (one street, two problems) 0.32.
TEXT_NEAR_PINS = 0.2
TEXT_FAR_PINS = 0.75
TEXT_SAME_WARD = 0.4
TEXT_OTHER_WARD = 0.6
NEAR_METRES = 400
# Pins this close with the same category are one place's one problem, whatever the words.
SAME_SPOT_METRES = 75
# No pair below this is ever suggested on its words, so no lower score need be computed.
TEXT_FLOOR = min(TEXT_NEAR_PINS, TEXT_SAME_WARD)
WORD = re.compile(r"[^\W_]+")
# Words that say nothing about what the problem is.
LITTLE_WORDS = frozenset(
    "a an and are at behind by every for from in into is it near of off on onto or our outside over the there "
    "they this to up with".split()
)


def words_that_matter(text: str, *, place_words: frozenset[str] = frozenset()) -> str:
    """The text reduced to the words compared: lower case, without little words or place names."""
    return " ".join(w for w in WORD.findall(text.lower()) if w not in LITTLE_WORDS and w not in place_words)


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
    PostgreSQL (pg_trgm), none elsewhere. Issues must have their ward loaded."""
    if not queue or not candidates:
        return {}
    issues = {i.pk: i for i in [*candidates, *queue]}
    kept = {pk: words_that_matter(i.description) for pk, i in issues.items()}
    stripped = {
        pk: words_that_matter(i.description, place_words=frozenset(WORD.findall(i.ward.name.lower())))
        for pk, i in issues.items()
    }
    ward = {pk: i.ward_id for pk, i in issues.items()}
    queue_ids, candidate_ids = [i.pk for i in queue], [c.pk for c in candidates]
    if connection.vendor == "postgresql":
        return _similarities_in_postgres(queue_ids, candidate_ids, kept=kept, stripped=stripped, ward=ward)
    grams = {"kept": {pk: trigrams(t) for pk, t in kept.items()}}
    grams["stripped"] = {pk: trigrams(t) for pk, t in stripped.items()}
    pairs = {}
    for issue_id in queue_ids:
        for candidate_id in candidate_ids:
            which = grams["stripped" if ward[issue_id] == ward[candidate_id] else "kept"]
            mine, theirs = which[issue_id], which[candidate_id]
            # The union's size from the intersection's: one set operation a pair, not two.
            shared = len(mine & theirs)
            if shared and candidate_id != issue_id:
                score = shared / (len(mine) + len(theirs) - shared)
                if score >= TEXT_FLOOR:
                    pairs[(issue_id, candidate_id)] = score
    return pairs


PAIRS_SQL = """
    SELECT id, other, score FROM (
        SELECT q.id, c.id AS other, CASE WHEN q.ward = c.ward THEN similarity(q.stripped, c.stripped)
                                         ELSE similarity(q.kept, c.kept) END AS score
        FROM unnest(%s::int[], %s::int[], %s::text[], %s::text[]) AS q(id, ward, kept, stripped),
             unnest(%s::int[], %s::int[], %s::text[], %s::text[]) AS c(id, ward, kept, stripped)
        WHERE q.id <> c.id
    ) AS pairs
    WHERE score >= %s
"""


def _similarities_in_postgres(queue_ids, candidate_ids, *, kept, stripped, ward) -> dict[tuple[int, int], float]:
    def columns(ids):
        return [ids, [ward[pk] for pk in ids], [kept[pk] for pk in ids], [stripped[pk] for pk in ids]]

    with connection.cursor() as cursor:
        cursor.execute(PAIRS_SQL, [*columns(queue_ids), *columns(candidate_ids), TEXT_FLOOR])
        return {(q, c): score for q, c, score in cursor.fetchall()}
