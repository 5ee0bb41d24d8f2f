"""The headers every page carries, and the templates that make a strict policy possible."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

from pact_portal.csp import style_sources

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Email bodies are read in mail clients, which ignore CSP and need inline styles.
NOT_WEB_PAGES = ("emails",)


@pytest.mark.django_db
def test_it_sends_a_strict_content_security_policy_and_the_other_policies(client):
    response = client.get("/")
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin" and response.headers["X-Frame-Options"] == "DENY"


def _web_templates():
    for path in TEMPLATES.rglob("*.html"):
        if not any(part in NOT_WEB_PAGES for part in path.parts):
            yield path


def test_no_web_template_has_an_inline_script_handler_or_style():
    offenders = []
    for path in _web_templates():
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        for attribute in re.findall(r"\s(on[a-z]+|style)=[\"']", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: {attribute}=")
    assert not offenders, offenders


def test_it_admits_exactly_a_documents_own_styles_by_hash():
    document = '<style>p{color:red}</style><p style="margin: 0 &amp; 1">x</p><p style="margin: 0 &amp; 1">y</p>'
    sources = style_sources(document)
    block = base64.b64encode(hashlib.sha256(b"p{color:red}").digest()).decode()
    attribute = base64.b64encode(hashlib.sha256(b"margin: 0 & 1").digest()).decode()
    assert sources == ["'unsafe-hashes'", *sorted([f"'sha256-{block}'", f"'sha256-{attribute}'"])]
    assert style_sources("<p>No styles</p>") == []
