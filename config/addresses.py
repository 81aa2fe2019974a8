"""Addresses of records, with Django's reverse() run once per URL pattern instead of once per link.

reverse() takes 30-70 µs. A page of 50 rows links each row's intervention, organisation, partners, hearing and
themes, about 250 links: 10-15% of the time a hearing page took to render. The pattern is reversed once with a
placeholder, and each address is that pattern with the value put in its place.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# A value that both <int:...> and <slug:...> accept, and that appears nowhere else in an address.
PLACEHOLDER = "9081726354"
# Values that <slug:...> accepts and that reverse() would not quote: put in as they are. Any other value goes
# through reverse() itself, which quotes it or refuses it.
PLAIN_VALUE = re.compile(r"[-a-zA-Z0-9_]+")


@lru_cache(maxsize=128)
def _around_placeholder(viewname, kwarg, urlconf, script_prefix):
    """The address before and after the value. The cache's key holds all reverse() reads besides its arguments:
    the URL configuration (per request or from the settings) and the script prefix (the site's mount point)."""
    kwargs = {kwarg: PLACEHOLDER} if kwarg else None
    before, _, after = reverse(viewname, urlconf=urlconf, kwargs=kwargs).partition(PLACEHOLDER)
    return before, after


def address(viewname, **kwargs):
    """reverse(viewname, kwargs=kwargs), for a pattern with one argument at most."""
    if len(kwargs) > 1:
        return reverse(viewname, kwargs=kwargs)
    kwarg, value = next(iter(kwargs.items()), ("", ""))
    text = str(value)
    if kwarg and not PLAIN_VALUE.fullmatch(text):
        return reverse(viewname, kwargs=kwargs)
    before, after = _around_placeholder(viewname, kwarg, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    return f"{before}{text}{after}"
