"""Anonymised responses as CSV or XLSX: one row per response, no database ids, no exact times,
the disclosure rules applied to every row (surveys/disclosure.py), and only the responses from
the reader's area (export_responses)."""

import csv
import io
from collections import Counter, defaultdict

from django.db.models import QuerySet
from django.utils.formats import date_format
from openpyxl import Workbook

from accounts.policy import scope_for
from accounts.roles import ScopeLevel
from pact_portal.databases.routers import replica_reads
from pact_portal.spreadsheets import safe_value
from surveys import disclosure
from surveys.models import AGREEMENT_LABELS, Answer, Question, QuestionKind, Response, Survey
from surveys.results.selectors import BROAD_ETHNIC, NOT_SAID, age_group, broad_ethnic_group

FIXED_HEADERS = ["Row", "Month submitted", "Ward code", "Ward", "Neighbourhood", "Division", "Age band",
                 "Ethnic group (broad)"]  # fmt: skip
AGE_LABELS = dict(Response._meta.get_field("age_band").choices)
BROAD_LABELS = dict(BROAD_ETHNIC)


def _answer_text(question, answers) -> str | int:
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "; ".join(a.option.label for a in answers if a.option_id)
    if question.kind == QuestionKind.AGREEMENT:
        return "; ".join(AGREEMENT_LABELS.get(a.number, str(a.number)) for a in answers if a.number is not None)
    if question.kind == QuestionKind.RATING:
        numbers = [a.number for a in answers if a.number is not None]
        return numbers[0] if numbers else ""
    if question.kind == QuestionKind.WARD:
        return "; ".join(a.ward.name for a in answers if a.ward_id)
    return "\n".join(a.text for a in answers if a.text)


def export_responses(*, survey: Survey, viewer) -> QuerySet[Response]:
    """The survey's responses from the viewer's area: a row names its ward, age band and ethnic
    group and carries free text, so unlike the results pages' suppressed counts a file of another
    division's rows is not for a chief inspector. Force-wide staff also get the responses that gave
    no ward, which belong to no one's area."""
    responses = Response.objects.filter(survey=survey)
    scope = scope_for(viewer)
    if scope.level == ScopeLevel.FORCE:
        # survey_for_results has already refused a survey of a force outside the viewer's.
        return responses
    lookup = scope.neighbourhood_filter(via="ward__neighbourhood__")
    return responses.none() if lookup is None else responses.filter(**lookup)


EXPORT_AREAS = {
    ScopeLevel.FORCE: "every response, from the whole force",
    ScopeLevel.DIVISION: "only the responses from wards in your division",
    ScopeLevel.NEIGHBOURHOOD: "only the responses from wards in the neighbourhoods you work in",
}


def export_area(*, viewer) -> str:
    """What the viewer's downloads hold, in words for the results page (no query)."""
    return EXPORT_AREAS.get(viewer.scope_level, "no responses")


@replica_reads()
def export_rows(*, survey: Survey, viewer) -> tuple[list[str], list[list]]:
    """Headers and rows from the viewer's area, in three queries (and one for a neighbourhood
    officer's teams). A row's ward and neighbourhood are blanked when its ward has fewer than
    MIN_GROUP responses (the division is kept); its age band or ethnic group is blanked when fewer
    than MIN_GROUP responses share that group and that area."""
    questions = list(Question.objects.filter(survey=survey).select_related("section"))
    in_area = export_responses(survey=survey, viewer=viewer)
    responses = list(in_area.select_related("ward__neighbourhood__division").order_by("submitted_at", "pk"))
    answers = defaultdict(list)
    for answer in (
        Answer.objects.filter(response__in=in_area.values("pk")).select_related("option", "ward").order_by("pk")
    ):
        answers[(answer.response_id, answer.question_id)].append(answer)
    per_ward = Counter(r.ward_id for r in responses)
    areas = [_area(r, per_ward) for r in responses]
    per_age = Counter((area, age_group(r.age_band)) for area, r in zip(areas, responses, strict=True))
    per_ethnic = Counter((area, broad_ethnic_group(r.ethnic_group)) for area, r in zip(areas, responses, strict=True))
    rows = []
    for n, (response, area) in enumerate(zip(responses, areas, strict=True), start=1):
        ward = response.ward if area[0] == "ward" else None
        neighbourhood = ward.neighbourhood if ward else None
        division = response.ward.neighbourhood.division if response.ward and response.ward.neighbourhood else None
        age, ethnic = age_group(response.age_band), broad_ethnic_group(response.ethnic_group)
        rows.append(
            [
                n,
                date_format(response.submitted_at, "Y-m"),
                ward.code if ward else "",
                ward.name if ward else "",
                neighbourhood.name if neighbourhood else "",
                division.name if division else "",
                AGE_LABELS.get(age, "") if age != NOT_SAID and per_age[(area, age)] >= disclosure.MIN_GROUP else "",
                BROAD_LABELS.get(ethnic, "")
                if ethnic != NOT_SAID and per_ethnic[(area, ethnic)] >= disclosure.MIN_GROUP
                else "",
                *(_answer_text(q, answers.get((response.pk, q.pk), [])) for q in questions),
            ]
        )
    return [*FIXED_HEADERS, *(q.text for q in questions)], [[safe_value(v) for v in row] for row in rows]


def _area(response, per_ward) -> tuple:
    """The smallest area a row may name: its ward if that has enough responses, else its division."""
    if response.ward_id and per_ward[response.ward_id] >= disclosure.MIN_GROUP:
        return ("ward", response.ward_id)
    neighbourhood = response.ward.neighbourhood if response.ward_id else None
    return ("division", neighbourhood.division_id if neighbourhood else None)


def as_csv(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_value(h) for h in headers])
    writer.writerows(rows)
    # The byte order mark tells Excel the file is UTF-8, so "Séamus" and "£" survive.
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(headers, rows, *, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Responses"
    sheet.append([safe_value(h) for h in headers])
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = min(60, max(8, len(str(header)) + 2))
    book.properties.title = safe_value(title)[:250]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
