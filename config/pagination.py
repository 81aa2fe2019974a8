"""Pagination that forgives bad page numbers instead of answering 404."""

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _


class ForgivingPaginationMixin:
    """`page=abc` shows the first page; a page past the end shows the last one, with a notice."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset, page_size, orphans=self.get_paginate_orphans(), allow_empty_first_page=True
        )
        try:
            number = int(self.request.GET.get(self.page_kwarg, 1))
        except (TypeError, ValueError):
            number = 1
        self.page_notice = ""
        if number > paginator.num_pages:
            self.page_notice = _("There is no page %(number)s; this is the last page.") % {"number": number}
            number = paginator.num_pages
        page = paginator.page(max(number, 1))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_notice"] = getattr(self, "page_notice", "")
        return context


class IdsFirstPaginator(Paginator):
    """Finds a page's ids first, then loads those rows: the same page, in the same order, as plain slicing.

    A deep page sorted over a large table otherwise makes the database sort whole rows, texts and all, only to
    throw all but twenty away; sorting ids alone can be read from a narrow index.

    `seek`, when set, is a function of the page's first row number and the one after its last, returning
    (rows skipped, a condition): the rows matching the condition, in the same order, are exactly the rows from
    that many onwards, up to at least the page's last. A deep page then starts near its first row instead of
    counting past every row before it.

    `leading`, when set (and `seek` is not), is a queryset of rows that all come first in the order, in that
    order: see leading_slice().

    `rows_by_id`, when set, is a function of the page's ids returning a queryset of those rows: the rows are then
    read by id alone, rather than through the paginated queryset's filters a second time.
    """

    seek = None
    leading = None
    rows_by_id = None

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        if self.seek:
            skipped, condition = self.seek(bottom, top)
            ids = list(queryset.filter(condition).values_list("pk", flat=True)[bottom - skipped : top - skipped])
        else:
            leading = None if self.leading is None else self.leading.values_list("pk", flat=True)
            ids = leading_slice(queryset.values_list("pk", flat=True), leading, bottom, top)
        by_id = self.rows_by_id(ids) if self.rows_by_id else queryset.filter(pk__in=ids)
        rows = {row.pk: row for row in by_id}
        # A row deleted or withdrawn between the two queries is left out rather than failing the page.
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def leading_slice(queryset, leading, start, stop) -> list:
    """`queryset[start:stop]` as a list, read from `leading` alone when that gives the same rows.

    `leading` (a queryset, or None) must hold rows of `queryset` that all come before every other row, in the same
    order: its rows are the queryset's first ones. When it has at least `stop` rows, the queryset's first `stop`
    rows are its own; otherwise the whole queryset is sliced after all.
    """
    if leading is not None and stop > start:
        rows = list(leading[start:stop])
        if len(rows) == stop - start:
            return rows
    return list(queryset[start:stop])
