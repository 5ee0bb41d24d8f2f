"""PACT panels for tests: `panel(world)` is Daneshouse's panel, `member(panel, ...)` a current member."""

from datetime import date

from meetings.panels.models import Panel, PanelArea, PanelMember, PanelRole

TERM_START = date(2026, 1, 1)


def panel(world, *, neighbourhoods=None, name="Daneshouse PACT panel", quorum=3) -> Panel:
    made = Panel.objects.create(name=name, quorum=quorum, created_by=world.pcso)
    for neighbourhood in neighbourhoods or [world.daneshouse]:
        PanelArea.objects.create(panel=made, neighbourhood=neighbourhood)
    return made


def member(panel, **fields) -> PanelMember:
    values = {
        "first_name": "Aisha",
        "last_name": "Hussain",
        "role": PanelRole.RESIDENT,
        "term_starts": TERM_START,
        "email": "aisha@example.org",
        "telephone": "01282 000111",
    }
    return PanelMember.objects.create(panel=panel, **(values | fields))
