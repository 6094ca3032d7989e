"""The structure of e-Stat API 3.0 JSON responses (API仕様 3.0, 4. 出力データ) as a small schema, checked before
anything reads a response, so that an unexpected shape is an EstatError naming the path of the element, never a
TypeError.

Only what the client, the store and the estat step read is checked: objects where they index by key, scalars where
they read a value. The JSON API writes a one-element list as the bare element; `_items` accepts both.
"""

from __future__ import annotations

from typing import Any

from sousei.estat.errors import EstatError

SCALAR = (str, int, float)


def _kind(x: Any) -> str:
    if isinstance(x, dict):
        return "an object"
    if isinstance(x, list):
        return "a list"
    if isinstance(x, bool):
        return f"a boolean ({x})"
    if x is None:
        return "null"
    if isinstance(x, (int, float)):
        return f"a number ({x})"
    return f"a string ({str(x)[:40]!r})"


def _fail(path: str, x: Any, expected: str) -> EstatError:
    return EstatError("format", f"unexpected response structure: {path} is {_kind(x)}, expected {expected}", path=path)


def _obj(x: Any, path: str) -> dict[str, Any]:
    if not isinstance(x, dict):
        raise _fail(path, x, "an object")
    return x


def _opt_obj(parent: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
    x = parent.get(key)
    return None if x is None else _obj(x, f"{path}.{key}")


def _scalar(parent: dict[str, Any], key: str, path: str, *, required: bool = False) -> None:
    x = parent.get(key)
    if x is None and not required:
        return
    if isinstance(x, bool) or not isinstance(x, SCALAR):
        raise _fail(f"{path}.{key}", x, "a string or a number")


def _items(parent: dict[str, Any], key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
    """The objects under `key` (a list of objects, or one bare object), each with its path."""
    x = parent.get(key)
    if x is None:
        return []
    if isinstance(x, dict):
        return [(f"{path}.{key}", x)]
    if not isinstance(x, list):
        raise _fail(f"{path}.{key}", x, "an object or a list of objects")
    return [(f"{path}.{key}[{i}]", _obj(item, f"{path}.{key}[{i}]")) for i, item in enumerate(x)]


def _status(root: dict[str, Any], path: str) -> int:
    result = _obj(root.get("RESULT"), f"{path}.RESULT")
    _scalar(result, "STATUS", f"{path}.RESULT", required=True)
    try:
        return int(result["STATUS"])
    except (TypeError, ValueError):
        raise EstatError(
            "format", f"{path}.RESULT.STATUS is {result['STATUS']!r}, not a number", path=f"{path}.RESULT.STATUS"
        ) from None


def _root(body: Any, root: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise EstatError(
            "format",
            f"unexpected response structure: the body is {_kind(body)}, expected an object with {root}",
            path="(body)",
        )
    if root not in body:
        raise EstatError("format", f"the response has no {root} (keys {list(body)[:5]})", path=root)
    return _obj(body[root], root)


def check_meta_info(body: Any) -> int:
    """Check a getMetaInfo body; returns RESULT.STATUS."""
    path = "GET_META_INFO"
    root = _root(body, path)
    status = _status(root, path)
    inf = _opt_obj(root, "METADATA_INF", path)
    if inf is None:
        return status
    path += ".METADATA_INF"
    _opt_obj(inf, "TABLE_INF", path)
    class_inf = _opt_obj(inf, "CLASS_INF", path)
    if class_inf is not None:
        for obj_path, obj in _items(class_inf, "CLASS_OBJ", f"{path}.CLASS_INF"):
            _scalar(obj, "@id", obj_path, required=True)
            _scalar(obj, "@name", obj_path)
            for cls_path, cls in _items(obj, "CLASS", obj_path):
                _scalar(cls, "@code", cls_path, required=True)
                for attr in ("@name", "@level", "@unit", "@parentCode"):
                    _scalar(cls, attr, cls_path)
    return status


def check_stats_data(body: Any) -> int:
    """Check a getStatsData body; returns RESULT.STATUS."""
    path = "GET_STATS_DATA"
    root = _root(body, path)
    status = _status(root, path)
    data = _opt_obj(root, "STATISTICAL_DATA", path)
    if data is None:
        return status
    path += ".STATISTICAL_DATA"
    info = _opt_obj(data, "RESULT_INF", path)
    if info is not None:
        for key in ("TOTAL_NUMBER", "FROM_NUMBER", "TO_NUMBER", "NEXT_KEY"):
            _scalar(info, key, f"{path}.RESULT_INF")
    data_inf = _opt_obj(data, "DATA_INF", path)
    if data_inf is not None:
        for value_path, value in _items(data_inf, "VALUE", f"{path}.DATA_INF"):
            _scalar(value, "$", value_path, required=True)
            for key, x in value.items():
                if key != "$" and (isinstance(x, bool) or not isinstance(x, SCALAR)):
                    raise _fail(f"{value_path}.{key}", x, "a string or a number")
    return status


CHECKS = {"GET_META_INFO": check_meta_info, "GET_STATS_DATA": check_stats_data}
