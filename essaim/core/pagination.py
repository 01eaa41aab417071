from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import QuerySet


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: on a table of 100,000 upcoming sessions an exact
    COUNT(*) costs more than the page itself, and nobody pages past the first thousand."""

    def __init__(
        self, *args: Any, cap: int = 1000, count_cache_key: str = "", count_cache_seconds: int = 30, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.count_cache_key = count_cache_key
        self.count_cache_seconds = count_cache_seconds

    @cached_property
    def count(self) -> int:
        """With `count_cache_key`, the count is kept a few seconds in this process: the
        number shown above a busy public list may lag a little; the rows never do."""
        if not self.count_cache_key:
            return self._count()
        fragments = caches["fragments"]
        count = fragments.get(self.count_cache_key)
        if count is None:
            count = self._count()
            fragments.set(self.count_cache_key, count, self.count_cache_seconds)
        return int(count)

    def _count(self) -> int:
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
