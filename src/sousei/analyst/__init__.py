"""The population analyst: a 人口ビジョン 現状分析 in Japanese for any municipality (facts → narrative → HTML → PDF).

`facts` reads every figure through `sousei.query.Warehouse` into a `FactBook` (value, unit, the string as printed,
table, source, year, comparison); `narrative` writes the sections from the FactBook only; `polish` optionally asks a
language model for better prose and keeps it only when `verify` finds nothing new or lost; `svg` draws the
dashboard's own chart definitions (`sousei.charts`) as inline vector graphics; `render` makes the self-contained
HTML; `pdf` prints it with Debian's Chromium; `batch` writes many reports on both cores.
"""

import hashlib
from pathlib import Path


def _code_version() -> str:
    """A digest of the analyst's own code and templates: a batch resumes only reports written by this very code, so
    a change of wording or layout redoes every report without anyone remembering to bump a number."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted([*here.rglob("*.py"), *here.glob("templates/*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


ANALYST_VERSION = _code_version()
