"""An intervention as a reference: BibTeX, RIS and CSL-JSON, for reference managers."""

import datetime
import json
import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from .models import Intervention

# LaTeX gives these characters a meaning, so a title holding them would break the entry.
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in BIBTEX_ESCAPES))


def bibtex_escape(value: str) -> str:
    value = " ".join(value.split())
    return _BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES[match.group()], value)


def ris_value(value: str) -> str:
    """RIS holds one value per line: line breaks inside a value would start a bogus tag."""
    return " ".join(str(value).split())


def venue(intervention: Intervention) -> str:
    if intervention.session_id:
        return f"{intervention.hearing.title}, {intervention.session.title}"
    return intervention.hearing.title


def citation_key(intervention: Intervention) -> str:
    return f"intervention{intervention.pk}"


def bibtex(intervention: Intervention, permalink: str, accessed: datetime.date) -> str:
    fields = [
        # Double braces keep an organisation's name whole instead of being read as "Last, First".
        ("author", "{" + bibtex_escape(intervention.organisation.name) + "}"),
        ("title", bibtex_escape(intervention.title)),
        ("howpublished", bibtex_escape(f"Intervention at {venue(intervention)}")),
        ("date", intervention.date.isoformat()),
        ("year", str(intervention.date.year)),
        ("url", permalink),
        ("urldate", accessed.isoformat()),
    ]
    if intervention.public_speaker_name:
        fields.append(("note", bibtex_escape(f"Delivered by {intervention.public_speaker_name}")))
    if intervention.summary:
        fields.append(("abstract", bibtex_escape(intervention.summary)))
    fields.append(("language", intervention.language))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{citation_key(intervention)},\n{body}\n}}\n"


def ris(intervention: Intervention, permalink: str, accessed: datetime.date) -> str:
    lines = [
        ("TY", "HEAR"),
        ("ID", citation_key(intervention)),
        ("AU", intervention.organisation.name),
        ("TI", intervention.title),
        ("T2", intervention.hearing.title),
    ]
    if intervention.session_id:
        lines.append(("T3", intervention.session.title))
    if intervention.public_speaker_name:
        lines.append(("A2", intervention.public_speaker_name))
    lines += [
        ("PY", str(intervention.date.year)),
        ("DA", intervention.date.strftime("%Y/%m/%d")),
        ("UR", permalink),
        ("Y2", accessed.strftime("%Y/%m/%d")),
        ("LA", intervention.language),
    ]
    if intervention.summary:
        lines.append(("AB", intervention.summary))
    lines += [("KW", theme.name) for theme in intervention.theme_list]
    lines.append(("ER", ""))
    # The RIS format: a two-letter tag, two spaces, a hyphen and a space, lines ending in CRLF.
    return "".join(f"{tag}  - {ris_value(value)}".rstrip(" ") + "\r\n" for tag, value in lines)


def _date_parts(value: datetime.date) -> dict:
    return {"date-parts": [[value.year, value.month, value.day]]}


def csl_json(intervention: Intervention, permalink: str, accessed: datetime.date) -> list[dict]:
    item = {
        "id": citation_key(intervention),
        "type": "speech",
        "title": intervention.title,
        "author": [{"literal": intervention.organisation.name}],
        "event-title": intervention.hearing.title,
        "genre": "Intervention",
        "issued": _date_parts(intervention.date),
        "accessed": _date_parts(accessed),
        "URL": permalink,
        "language": intervention.language,
    }
    if intervention.session_id:
        item["section"] = intervention.session.title
    if intervention.public_speaker_name:
        item["note"] = f"Delivered by {intervention.public_speaker_name}"
    if intervention.summary:
        item["abstract"] = intervention.summary
    if intervention.hearing.location:
        item["event-place"] = intervention.hearing.location
    return [item]


def _download(request: HttpRequest, pk: int, render, content_type: str, extension: str) -> HttpResponse:
    intervention = get_object_or_404(Intervention.objects.published().with_related(), pk=pk)
    permalink = request.build_absolute_uri(intervention.get_absolute_url())
    response = HttpResponse(render(intervention, permalink, timezone.localdate()), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{citation_key(intervention)}.{extension}"'
    return response


@require_GET
def cite_bibtex(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, bibtex, "application/x-bibtex; charset=utf-8", "bib")


@require_GET
def cite_ris(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, ris, "application/x-research-info-systems; charset=utf-8", "ris")


@require_GET
def cite_csl_json(request: HttpRequest, pk: int) -> HttpResponse:
    def render(intervention, permalink, accessed):
        return json.dumps(csl_json(intervention, permalink, accessed), ensure_ascii=False, indent=2)

    return _download(request, pk, render, "application/vnd.citationstyles.csl+json; charset=utf-8", "json")
