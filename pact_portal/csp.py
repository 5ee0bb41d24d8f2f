"""Letting exactly the styles of a page we rendered ourselves past the strict policy.

Two kinds of page need it: the printable return, whose styles travel inline because the PDF is
drawn from the same self-contained HTML, and previews of an email (inline styles are the only
kind mail clients honour), shown in a sandboxed srcdoc frame that inherits the page's policy.
Each admitted style is named by its hash, so nothing else, injected or not, gets through.
"""

import base64
import hashlib
import html as html_module
import re

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", flags=re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle="([^"]*)\"""")


def _hash(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def style_sources(*documents: str) -> list[str]:
    """style-src sources for every <style> block and style="…" attribute in these documents."""
    blocks = {block for document in documents for block in _STYLE_BLOCK.findall(document)}
    attributes = {html_module.unescape(value) for document in documents for value in _STYLE_ATTRIBUTE.findall(document)}
    sources = sorted(_hash(text) for text in blocks | attributes)
    # A hash admits a style attribute only with 'unsafe-hashes' (CSP 3); blocks need no keyword.
    return (["'unsafe-hashes'"] if attributes else []) + sources


def admit_styles(response, *documents: str):
    """Add the documents' own styles to this response's Content-Security-Policy."""
    sources = style_sources(*documents)
    if sources:
        response._csp_update = {"style-src": sources}
    return response
