"""Evaluation views: the deck's reasons table reproduced from answers, the reference dataset as the deck prints it."""

from __future__ import annotations

import pytest

from sousei.domain.evaluation import (
    back_office_summary,
    continuation_summary,
    load_reference,
    mean_by_group,
    reasons,
    reasons_table,
    summarise_ratings,
)

DECK = "../shared/seed/000_c7495e51de0d592a.txt"


def test_reference_is_the_decks_text() -> None:
    """Every reason, count and share in the reference dataset appears on one line of the deck as printed."""
    from pathlib import Path

    deck = Path(DECK).read_text(encoding="utf-8")
    ref = load_reference()
    for r in ref["official_survey"]["reasons"]:
        assert f"{r['text']}\t{r['count']}\t{r['share_pct']:.1f}%" in deck
    assert "① 市町村の評価（回答数：57）" in deck and ref["municipality_survey"]["answers"] == 57
    assert "② 支援官の評価（回答数：125）" in deck and ref["official_survey"]["answers"] == 125
    assert "自治体からの全体評価は平均4.6" in deck and ref["municipality_survey"]["rating_mean"] == 4.6
    assert "支援官自身も全体評価は平均4.3" in deck and ref["official_survey"]["rating_mean"] == 4.3
    assert "180名・60チーム" in deck and ref["programme"]["officials"] == 180
    assert [(f["field"], f["teams"]) for f in ref["programme"]["fields"]] == [
        ("観光", 22),
        ("産業振興", 21),
        ("まちづくり", 19),
    ]
    assert len(reasons()) == 12


def test_reasons_table_reproduces_the_deck_from_125_answers() -> None:
    """125 answers whose selections add up to the deck's counts give the deck's table (one row excepted)."""
    ref = load_reference()["official_survey"]
    answers: list[set[str]] = [set() for _ in range(ref["answers"])]
    for r in ref["reasons"]:
        for k in range(r["count"]):
            answers[k].add(r["id"])
    table = reasons_table(answers)
    published = {r["id"]: (r["count"], r["share_pct"]) for r in ref["reasons"]}
    assert [row.id for row in table] == [r["id"] for r in ref["reasons"]]
    for row in table:
        count, share = published[row.id]
        assert row.count == count
        if row.id == "valued":  # the deck prints 29.0% for 36 of 125, which is 28.8%
            assert (row.share_pct, share) == (28.8, 29.0)
        else:
            assert row.share_pct == share


def test_ratings_and_other_summaries() -> None:
    s = summarise_ratings([5, 5, 4, 3])
    assert (s.answers, s.mean, s.distribution) == (4, 4.2, {5: 2, 4: 1, 3: 1, 2: 0, 1: 0})
    assert summarise_ratings([]).mean is None
    with pytest.raises(ValueError, match="評価は1〜5の整数です"):
        summarise_ratings([6])
    c = continuation_summary([(True, 2), (True, 3), (False, None), (True, 2)])
    assert c == {"answers": 4, "continue": 3, "stop": 1, "years": {1: 0, 2: 2, 3: 1, 4: 0, 5: 0}}
    assert back_office_summary(["used", "unknown", "unknown", "known_unused"])["unknown"] == (2, 50.0)
    assert mean_by_group([("観光", 5), ("観光", 4), ("交通", 3)]) == [("観光", 2, 4.5), ("交通", 1, 3.0)]
    with pytest.raises(ValueError, match="理由の選択肢にないID"):
        reasons_table([{"nope"}])
