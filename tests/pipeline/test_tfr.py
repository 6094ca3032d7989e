"""Total fertility rates on the built warehouse: published extremes, counts, pinned gaps, 1:1 mapping to 2020."""

from __future__ import annotations

import duckdb
import pytest

from sousei.pipeline.errors import BuildError
from sousei.pipeline.sources.tfr import build_raw, read_tfr_2008, read_tfr_2018


def test_published_extremes_2018_2022(wh: duckdb.DuckDBPyConnection) -> None:
    # CATALOG: minimum 0.76 京都市東山区 (a ward), maximum 2.25 徳之島町.
    lo = wh.execute(
        "SELECT area_code, name, tfr FROM raw_tfr__tfr WHERE period = '2018-2022' ORDER BY tfr, area_code LIMIT 1"
    ).fetchone()
    hi = wh.execute(
        "SELECT area_code, name, tfr FROM raw_tfr__tfr WHERE period = '2018-2022' ORDER BY tfr DESC LIMIT 1"
    ).fetchone()
    assert lo == ("26105", "京都府 京都市 東山区", 0.76)
    assert hi == ("46530", "鹿児島県 徳之島町", 2.25)
    assert wh.execute(
        "SELECT muni_code, tfr FROM core_tfr__tfr WHERE period = '2018-2022' ORDER BY tfr DESC LIMIT 1"
    ).fetchone() == ("46530", 2.25)


def test_row_counts(wh: duckdb.DuckDBPyConnection) -> None:
    counts = dict(
        ((p, lvl), n)
        for p, lvl, n in wh.execute("SELECT period, area_level, count(*) FROM raw_tfr__tfr GROUP BY ALL").fetchall()
    )
    # CATALOG: 2018–2022 1,816 rows = 1,683 municipalities + 133 wards; 2008–2012 1,918 areas of the time.
    assert counts[("2018-2022", "municipality")] == 1683
    assert counts[("2018-2022", "ward")] == 133
    assert sum(n for (p, _), n in counts.items() if p == "2008-2012") == 1918
    assert counts[("2008-2012", "special_wards")] == 1  # 13100 東京都の区部


def test_missing_pinned(wh: duckdb.DuckDBPyConnection) -> None:
    missing = dict(wh.execute("SELECT period, count(*) FROM core_tfr__missing GROUP BY period").fetchall())
    assert missing == {"2018-2022": 58, "2008-2012": 1}
    rated = dict(wh.execute("SELECT period, count(*) FROM core_tfr__tfr GROUP BY period").fetchall())
    assert rated == {"2018-2022": 1741 - 58, "2008-2012": 1741 - 1}
    # 栃木市 absorbed 岩舟町 in 2014: two areas of 2008–2012, no rate (rates cannot be summed).
    reason = wh.execute("SELECT reason FROM core_tfr__missing WHERE muni_code = '09203'").fetchone()[0]
    assert "09367" in reason
    # Duplicate names are among the 2018–2022 gaps (CATALOG caveat: 南部町, 美里町, 伊達市 …).
    names = wh.execute(
        "SELECT count(*) FROM core_tfr__missing WHERE period = '2018-2022' AND muni_code IN ('02445', '04505', '07213')"
    ).fetchone()
    assert names == (3,)


def test_code_changes_mapped_one_to_one(wh: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        wh.execute(
            "SELECT area_code, muni_code FROM core_tfr__tfr WHERE period = '2008-2012' AND area_code <> muni_code"
        ).fetchall()
    )
    assert rows == {"40305": "40231", "03305": "03216", "04423": "04216", "12402": "12239"}
    assert wh.execute(
        "SELECT tfr FROM core_tfr__tfr WHERE muni_code = '40231' AND period = '2008-2012'"
    ).fetchone() == (1.71,)


def test_dash_wards_are_null(wh: duckdb.DuckDBPyConnection) -> None:
    # 相模原市, 岡山市, 熊本市 wards were created during 2008–2012: '-' is printed, kept as NULL with its status.
    rows = wh.execute("SELECT count(*), count(tfr) FROM raw_tfr__tfr WHERE tfr_status = 'not_available'").fetchone()
    assert rows == (12, 0)


XML = """<?xml version="1.0"?><ArrayOfCityTfr><CityTfr><Code>01100</Code><Name>札幌市</Name><Tfr>1.08</Tfr></CityTfr>
<CityTfr><Code>14151</Code><Name>緑区</Name><Tfr>-</Tfr></CityTfr></ArrayOfCityTfr>"""


def test_readers() -> None:
    assert read_tfr_2008(XML) == [("01100", "札幌市", 1.08, "published"), ("14151", "緑区", None, "not_available")]
    assert read_tfr_2018("code,name,tfr_2018_2022\n01209,北海道 夕張市,1.2\n")[0][2] == 1.2
    with pytest.raises(BuildError, match="header"):
        read_tfr_2018("code,name,tfr\n01100,札幌市,1.1\n")
    with pytest.raises(BuildError, match="neither a number"):
        read_tfr_2018("code,name,tfr_2018_2022\n01100,札幌市,X\n")


def test_unknown_code_stops() -> None:
    with pytest.raises(BuildError, match="99999"):
        build_raw("2018-2022", [("99999", "?", 1.0, "published")], {"01100"}, {"01101"}, "x")
