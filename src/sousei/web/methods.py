"""Methods pages (/methods/walls …) rendered from docs/methods, and the filter that keeps internal names off pages.

The method notes are maintained once, as Markdown in docs/methods; the app renders them (markdown-it-py, which Rich
already depends on) so that a page can link a method by its title instead of printing a repository path. Warehouse
table names (core_…__…, out_…__…) are the developers' vocabulary: `plain_text` drops them from texts written for
the warehouse (indicator caveats, chart notes) before they reach a page.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

METHODS_DIR = Path(__file__).resolve().parents[3] / "docs" / "methods"
# Japanese link titles of the method notes (the notes themselves are written in English for the developers).
METHOD_TITLES_JA = {
    "walls": "出生の壁（結婚の壁・第2子以降の壁）の求め方",
    "priority": "優先課題の選び方と順位",
    "migration": "コーホート残差法による純移動の求め方",
    "projection": "将来人口推計の方法",
}
SLUG = re.compile(r"^[a-z0-9_]+$")
TABLE_NAME = r"(?:core|out|raw|meta|stg)_[a-z0-9_]*__[a-z0-9_]+"
_IN_BRACKETS = re.compile(rf"[（(]\s*`?{TABLE_NAME}`?(?:\s*[、,/／]\s*`?{TABLE_NAME}`?)*\s*[）)]")
_BARE = re.compile(rf"`?{TABLE_NAME}`?")
_CODE_PARAGRAPH = re.compile(r"<p>(?:Code|Tests?|Step|Validation|Benchmark):.*?</p>\n?", re.S)
_METHOD_PATH = re.compile(r"`?docs/methods/([a-z0-9_]+)\.md`?")


def method_slugs() -> list[str]:
    """The method notes present in docs/methods (none when the package runs outside its repository)."""
    if not METHODS_DIR.is_dir():
        return []
    return sorted(p.stem for p in METHODS_DIR.glob("*.md"))


def method_title(slug: str) -> str:
    return METHOD_TITLES_JA.get(slug, slug)


@cache
def render_method(slug: str) -> tuple[str, Markup] | None:
    """(English heading, HTML) of docs/methods/<slug>.md; None when there is no such note."""
    if not SLUG.match(slug) or slug not in method_slugs():
        return None
    text = (METHODS_DIR / f"{slug}.md").read_text(encoding="utf-8")
    heading = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("# ")), slug)
    # html=False: the notes are ours, but raw HTML in them is escaped all the same.
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    html = md.render(text)
    # The notes open with the developers' pointers (code, steps, tests): not for this page. Warehouse table names
    # are the developers' vocabulary too; sibling notes are linked by their page.
    html = _CODE_PARAGRAPH.sub("", html)
    html = re.sub(rf"<code>{TABLE_NAME}</code>|{TABLE_NAME}", "a warehouse table", html)
    html = re.sub(
        r"<code>docs/methods/([a-z0-9_]+)\.md</code>|docs/methods/([a-z0-9_]+)\.md",
        lambda m: f'<a href="/methods/{m.group(1) or m.group(2)}">{m.group(1) or m.group(2)}</a>',
        html,
    )
    return heading, Markup(html)


def plain_text(text: str | None) -> Markup:
    """`text` HTML-escaped, without warehouse table names, with docs/methods paths turned into titled links."""
    if not text:
        return Markup("")
    out = str(escape(text))
    out = _IN_BRACKETS.sub("", out)
    out = _BARE.sub("データ", out)

    def link(m: re.Match[str]) -> str:
        slug = m.group(1)
        if slug not in method_slugs():
            return "方法の解説"
        return f'<a href="/methods/{slug}">{escape(method_title(slug))}</a>'

    return Markup(_METHOD_PATH.sub(link, out))
