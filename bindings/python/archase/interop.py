"""pandas interop (optional: the package does not need pandas).

``to_pandas(objects)`` makes a DataFrame of facts, worklist lines, decisions
or any dataclasses the package returns: a ``Money`` field becomes two
columns, ``<field>`` (``decimal.Decimal``, exact) and ``<field>_currency``;
dates stay ``datetime.date`` objects; enums become their names.
``from_pandas(df, archase.Invoice)`` reads such a frame (or one with the
same columns) back into facts, for ``Engine.put`` or a batch.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, List, Type

from .money import Money

__all__ = ["to_pandas", "from_pandas"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("to_pandas/from_pandas need pandas: pip install pandas") from e
    return pandas


def to_pandas(objects: Iterable[Any]) -> Any:
    """A DataFrame with a row per object and a column per field."""
    pd = _pandas()
    rows = []
    for obj in objects:
        row = {}
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if isinstance(v, Money):
                row[f.name], row[f.name + "_currency"] = v.amount, v.currency
            elif isinstance(v, enum.Enum):
                row[f.name] = v.name.lower()
            elif isinstance(v, tuple) and v and dataclasses.is_dataclass(v[0]):
                row[f.name] = [dataclasses.asdict(x) for x in v]
            else:
                row[f.name] = v
        rows.append(row)
    return pd.DataFrame(rows)


def _value(annotation: str, v: Any, currency: Any) -> Any:
    pd = _pandas()
    if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)):
        return None
    if currency is not None:
        if isinstance(v, float):
            raise TypeError("money columns must hold decimal.Decimal or str, not float")
        return Money(Decimal(str(v)), str(currency))
    if "date" in annotation and not isinstance(v, date):
        return pd.Timestamp(v).date()
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    return v


def from_pandas(df: Any, cls: Type[Any]) -> List[Any]:
    """Facts of class ``cls`` (``archase.Invoice``...) from a DataFrame's rows.
    Money columns need their ``_currency`` column and exact values (Decimal
    or text), never floats."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out = []
    for rec in df.to_dict("records"):
        kw = {}
        for name, f in fields.items():
            if name not in rec:
                continue
            cur = rec.get(name + "_currency")
            if cur is not None and _pandas().isna(cur):
                cur = None
            v = _value(str(f.type), rec[name], cur)
            if isinstance(v, str) and isinstance(f.default, enum.Enum):
                v = type(f.default)[v.upper()]  # an enum column holds names
            if isinstance(v, list) and name in ("tags", "invoice_ids"):
                v = tuple(v)
            if v is not None:
                kw[name] = v
        out.append(cls(**kw))
    return out
