"""Pagination that forgives bad page numbers instead of answering 404."""

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
