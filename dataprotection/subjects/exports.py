"""Everything found about a person as plain data: one list of records per table family, the same
for the page, the JSON download and the CSV download (one row per field, so nested records such
as a member's channels keep their shape in a spreadsheet)."""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _

from dataprotection.subjects import selectors
from dataprotection.subjects.selectors import Term
from pact_portal.spreadsheets import safe_value

# The sections in the order the page, the JSON and the CSV give them, with their headings.
SECTIONS = {
    "in_the_know_members": _("In the Know memberships"),
    "deliveries": _("Alerts sent to them"),
    "feedback": _("Their feedback on alerts"),
    "survey_responses": _("Survey responses linked to their membership"),
    "inbound_texts": _("Texts received from their number (STOP)"),
    "outbox_messages": _("Messages kept in the outbox"),
    "accounts": _("Portal accounts"),
    "sign_in_records": _("Sign-in and lockout records"),
    "issues": _("Concerns they raised (contact email)"),
    "open311_reports": _("Reports sent through Open311 apps"),
    "priority_followers": _("Priorities they follow"),
    "panel_register": _("PACT panel register entries"),
    "email_voters": _("Ballots asked for by email"),
}


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _member(subscriber) -> dict:
    return {
        "reference": str(subscriber.reference),
        "ward": subscriber.ward.name,
        "language": subscriber.language,
        "source": subscriber.source,
        "consent_method": subscriber.consent_method,
        "consent_at": _when(subscriber.consent_at),
        "consent_taken_by": subscriber.consent_taken_by.full_name if subscriber.consent_taken_by_id else None,
        "self_description_consented_at": _when(subscriber.demographics_consent_at),
        "age_band": subscriber.age_band,
        "ethnic_group": subscriber.ethnic_group,
        "joined_at": _when(subscriber.created_at),
        "erased_at": _when(subscriber.erased_at),
        "channels": [
            {
                "channel": row.channel,
                "address": row.address,
                "status": row.status,
                "confirmed_at": _when(row.confirmed_at),
                "unsubscribed_at": _when(row.unsubscribed_at),
            }
            for row in subscriber.channels.all()
        ],
        "interests": [interest.name for interest in subscriber.interests.all()],
    }


def _deliveries(subscribers) -> tuple[list[dict], list[dict]]:
    deliveries, feedback = [], []
    for subscriber in subscribers:
        for delivery in subscriber.deliveries.all():
            deliveries.append(
                {
                    "member": str(subscriber.reference),
                    "alert": delivery.alert.title,
                    "channel": delivery.channel,
                    "status": delivery.status,
                    "queued_at": _when(delivery.queued_at),
                    "sent_at": _when(delivery.sent_at),
                    "opened_at": _when(delivery.opened_at),
                    "error": delivery.error,
                }
            )
            if hasattr(delivery, "feedback"):
                note = delivery.feedback
                feedback.append(
                    {
                        "alert": delivery.alert.title,
                        "useful": note.useful,
                        "acted_on": note.acted_on,
                        "comment": note.comment,
                        "given_at": _when(note.created_at),
                    }
                )
    return deliveries, feedback


def _response(response) -> dict:
    return {
        "survey": response.survey.title,
        "submitted_at": _when(response.submitted_at),
        "answers": [
            {
                "question": answer.question.text,
                "answer": answer.text or (answer.option.label if answer.option_id else answer.number),
            }
            for answer in response.answers.all()
        ],
    }


def _account(user) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "force": user.force.name if user.force_id else None,
        "division": user.division.name if user.division_id else None,
        "agency": user.agency.name if user.agency_id else None,
        "collar_number": user.collar_number,
        "public_bio": user.public_bio,
        "is_active": user.is_active,
        "joined_at": _when(user.date_joined),
        "last_sign_in": _when(user.last_login),
        "two_step_sign_in": bool(user.totpdevice_set.all()),
        "team_memberships": [
            {
                "neighbourhood": m.neighbourhood.name,
                "role": m.role,
                "from": _when(m.start_date),
                "until": _when(m.end_date),
            }
            for m in user.memberships.all()
        ],
        "api_tokens": [
            {"name": t.name, "made_at": _when(t.created), "expires_at": _when(t.expiry)}
            for t in user.auth_token_set.all()
        ],
    }


def _sign_in_records(records: dict[str, list]) -> list[dict]:
    rows = []
    for kind, entries in records.items():
        rows += [
            {
                "kind": kind,
                "at": _when(entry.attempt_time),
                "ip_address": entry.ip_address,
                "user_agent": entry.user_agent,
            }
            for entry in entries
        ]
    return rows


def _panel_member(member) -> dict:
    return {
        "panel": member.panel.name,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "organisation": member.organisation,
        "role": member.role,
        "term_starts": _when(member.term_starts),
        "term_ends": _when(member.term_ends),
        "email": member.email,
        "telephone": member.telephone,
        "meetings_attended": [_when(a.meeting.starts_at) for a in member.attendance.all()],
    }


def subject_findings(*, term: Term, viewer) -> dict[str, list[dict]]:
    """Everything held about the person at `term` in the viewer's area, section by section
    (a fixed number of queries, whatever is found)."""
    subscribers = selectors.subscribers_matching(term=term, viewer=viewer)
    deliveries, feedback = _deliveries(subscribers)
    found = {
        "in_the_know_members": [_member(s) for s in subscribers],
        "deliveries": deliveries,
        "feedback": feedback,
        "survey_responses": [_response(r) for r in selectors.survey_responses_of(subscribers=subscribers)],
        "inbound_texts": [
            {"received_at": _when(e.received_at), "provider": e.provider, "payload": e.payload}
            for e in selectors.inbound_texts_matching(term=term)
        ],
        "outbox_messages": [
            {"to": m.to, "channel": m.channel, "subject": m.subject, "body": m.body, "created_at": _when(m.created_at)}
            for m in selectors.outbox_matching(term=term)
        ],
        "accounts": [_account(u) for u in selectors.users_matching(term=term, viewer=viewer)],
        "sign_in_records": _sign_in_records(selectors.sign_in_records_matching(term=term)),
        "issues": [
            {
                "reference": str(i.reference),
                "neighbourhood": i.neighbourhood.name,
                "category": i.category,
                "description": i.description,
                "status": i.status,
                "contact_email": i.contact_email,
                "raised_at": _when(i.created_at),
            }
            for i in selectors.issues_matching(term=term, viewer=viewer)
        ],
        "open311_reports": [
            {
                "issue": str(r.issue.reference),
                "app": r.api_key.name,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "phone": r.phone,
                "address": r.address_string,
                "sent_at": _when(r.created_at),
            }
            for r in selectors.open311_matching(term=term, viewer=viewer)
        ],
        "priority_followers": [
            {"priority": f.priority.title, "email": f.email, "since": _when(f.created_at)}
            for f in selectors.followers_matching(term=term, viewer=viewer)
        ],
        "panel_register": [_panel_member(m) for m in selectors.panel_members_matching(term=term, viewer=viewer)],
        "email_voters": [
            {
                "vote": str(v.vote.reference),
                "neighbourhood": v.vote.neighbourhood.name,
                "ward": v.ward.name,
                "email": v.email,
                "asked_at": _when(v.created_at),
                # Whether they voted, never what: the ballot is not theirs to read back once cast.
                "voted": v.ballot_id is not None,
            }
            for v in selectors.email_voters_matching(term=term, viewer=viewer)
        ],
    }
    return found


def findings_counts(found: dict[str, list[dict]]) -> dict[str, int]:
    return {section: len(rows) for section, rows in found.items() if rows}


def findings_json(*, found: dict, request: dict) -> str:
    return json.dumps({"request": request, "found": found}, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _flatten(value, prefix: str):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _flatten(inner, f"{prefix}[{index}]")
    else:
        yield prefix, value


def findings_csv(*, found: dict) -> str:
    """One row per field: section, record number, field (a path into nested records), value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "record", "field", "value"])
    for section, records in found.items():
        for number, record in enumerate(records, start=1):
            for field, value in _flatten(record, ""):
                writer.writerow([section, number, field, safe_value("" if value is None else value)])
    return buffer.getvalue()
