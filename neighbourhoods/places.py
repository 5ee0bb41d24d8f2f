"""The gazetteer: towns, villages, parishes and districts of towns, with approximate centres
(data/lancashire-places/, whose README says where they come from). The ward files name wards
only, so without it "Padiham" finds nothing; with it, a place leads to the ward containing its
point (neighbourhoods.selectors.place_search).

The file is small (a few hundred lines) and never changes while the portal runs, so it is read
once per process and searched in memory: a search costs no query until its places are located.
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

PLACES_FILE = Path(__file__).parent / "data" / "lancashire-places" / "places.csv"
KIND_LABELS = {"town": _("town"), "village": _("village"), "area": _("part of a town"), "parish": _("parish")}
# Towns first: someone typing "Lyth" most likely means Lytham, not a hamlet of the same letters.
_KIND_ORDER = {"town": 0, "area": 1, "village": 2, "parish": 3}


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    district_code: str
    latitude: float
    longitude: float
    key: str  # the name normalised, as search compares it

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def normalise(text: str) -> str:
    """A name as search compares it: case, apostrophes, hyphens and "Saint" do not matter, so
    "St Anne's", "st annes" and "Saint Annes" are one name, as are "Knott End on Sea" and "Knott End-on-Sea"."""
    text = re.sub(r"['’`]", "", text.casefold())
    text = re.sub(r"[^\w]+", " ", text).strip()
    return re.sub(r"\bsaint\b", "st", text)


@cache
def gazetteer() -> tuple[Place, ...]:
    with PLACES_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Place(
                name=row["name"].strip(),
                key=normalise(row["name"]),
                kind=row["kind"].strip(),
                district_code=row["district"].strip(),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            for row in csv.DictReader(handle)
        )


def places_matching(query: str, *, limit: int = 8) -> list[Place]:
    """Places whose name holds the query: the exact name first, then names starting with it, then
    names with a word starting with it, then the rest; towns before villages within each."""
    key = normalise(query)
    if len(key) < 2:
        return []

    def rank(place: Place) -> tuple:
        name = place.key
        closeness = 0 if name == key else 1 if name.startswith(key) else 2 if f" {key}" in f" {name}" else 3
        return (closeness, _KIND_ORDER.get(place.kind, len(_KIND_ORDER)), place.name)

    return sorted((p for p in gazetteer() if key in p.key), key=rank)[:limit]
