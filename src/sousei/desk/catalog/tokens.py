"""Japanese tokens for the catalog's full-text search, made in Python with SudachiPy (core dictionary).

Both the stored documents and the search box go through here, and both database backends index exactly these
strings (SQLite FTS5 and PostgreSQL tsvector), so the two give the same hits:

- each morpheme of the longest split (mode C) gives its *normalised* form, which folds spelling variants
  (りんご・リンゴ・林檎 → 林檎, ﾄﾞﾛｰﾝ → ドローン, シュミレーション → シミュレーション);
- a compound also gives its finer units (mode A): 観光客 → 観光客, 観光, 客 — so a search for 観光 finds 観光客;
- particles, auxiliaries, symbols and spaces are left out; tokens are lower-cased NFKC and keep only letters and
  digits (nothing a backend's own tokenizer would split again).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable

from sudachipy import Dictionary, SplitMode

# Parts of speech that carry no meaning for search.
_SKIP_POS = frozenset({"補助記号", "空白", "助詞", "助動詞"})

_local = threading.local()
_dictionary: Dictionary | None = None
_dictionary_lock = threading.Lock()


def _tokenizer():  # type: ignore[no-untyped-def]
    """One Sudachi tokenizer per thread (a tokenizer is not thread-safe; the dictionary is shared)."""
    global _dictionary
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = Dictionary(dict="core")
        make = getattr(_dictionary, "tokenizer", None) or _dictionary.create  # create(): SudachiPy < 0.6.9
        tok = make(mode=SplitMode.C)
        _local.tokenizer = tok
    return tok


def _clean(form: str) -> list[str]:
    """NFKC, lower case, and split on anything that is not a letter or a digit."""
    out, cur = [], []
    for ch in unicodedata.normalize("NFKC", form).lower():
        if unicodedata.category(ch)[0] in "LN":
            cur.append(ch)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def _morpheme_tokens(text: str, finer: bool) -> list[str]:
    tokens: list[str] = []
    for m in _tokenizer().tokenize(text):
        if m.part_of_speech()[0] in _SKIP_POS:
            continue
        tokens.extend(_clean(m.normalized_form()))
        if finer:
            parts = m.split(SplitMode.A)
            if len(parts) > 1:
                for p in parts:
                    if p.part_of_speech()[0] not in _SKIP_POS:
                        tokens.extend(_clean(p.normalized_form()))
    return tokens


def document_tokens(texts: Iterable[str]) -> list[str]:
    """The tokens stored for a document made of these texts (order kept, repeats kept: they weigh in the rank)."""
    out: list[str] = []
    for t in texts:
        if t:
            out.extend(_morpheme_tokens(t, finer=True))
    return out


def _katakana(text: str) -> str:
    return "".join(chr(ord(ch) + 0x60) if 0x3041 <= ord(ch) <= 0x3096 else ch for ch in text)


def _is_hiragana(text: str) -> bool:
    return all(0x3041 <= ord(ch) <= 0x309F or ch == "ー" for ch in text)


def query_terms(query: str) -> list[list[list[str]]]:
    """The search box as AND-groups, one per space-separated word; each group lists alternatives (OR), each
    alternative a list of tokens that must all occur (AND).

    A word in hiragana (two characters or more) also tries its katakana spelling, because loanwords and names are
    written in katakana (ひだすけ finds ヒダスケ！, どろーん finds ドローン) and Sudachi splits unknown hiragana into
    particles.
    A word that yields no token (only particles or symbols) is dropped.
    """
    groups: list[list[list[str]]] = []
    for word in unicodedata.normalize("NFKC", query).split():
        alternatives: list[list[str]] = []
        for spelling in [word, _katakana(word)] if len(word) > 1 and _is_hiragana(word) else [word]:
            toks = _morpheme_tokens(spelling, finer=False)
            if toks and toks not in alternatives:
                alternatives.append(toks)
        if alternatives:
            groups.append(alternatives)
    return groups
