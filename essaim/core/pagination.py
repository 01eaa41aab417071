from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: on a table of 100,000 upcoming sessions an exact
    COUNT(*) costs more than the page itself, and nobody pages past the first thousand."""

    def __init__(self, *args: Any, cap: int = 1000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            # Counting needs the filters only: ordering, selected annotations and joined rows would be
            # compiled (and, on SQLite, computed) for nothing.
            rows = rows.order_by().values("pk")
        head = rows[: self.cap + 1]
        return head.count() if isinstance(head, QuerySet) else len(head)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap
