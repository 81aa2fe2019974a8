"""Each intervention page offers a reference to cite, and downloads for reference managers."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hearings.models import PublicationStatus
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, SessionFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def intervention():
    hearing = HearingFactory(title="Multi-stakeholder hearing", start_date=datetime.date(2021, 7, 13))
    return InterventionFactory(
        hearing=hearing,
        session=SessionFactory(hearing=hearing, title="Morning session"),
        organisation=OrganisationFactory(name="Lawyers & Co {100% pro_bono} #1"),
        speaker_name="Suzanne Hoff",
        title="Gaps_in $ action ~ ^ \\ now",
        summary="Line one.\nLine two.",
        language="en",
        themes=[ThemeFactory(name="Prevention"), ThemeFactory(name="Demand")],
    )


def download(client, intervention, name):
    response = client.get(reverse(f"interventions:{name}", kwargs={"pk": intervention.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response.content.decode()


def parse_bibtex(text: str) -> tuple[str, str, dict[str, str]]:
    """A small BibTeX reader: one entry, braced values, braces balanced and specials escaped."""
    match = re.fullmatch(r"@(\w+)\{([^,\s]+),\n(.*)\n\}\n", text, re.DOTALL)
    assert match, text
    entry_type, key, body = match.groups()
    fields, position = {}, 0
    while position < len(body):
        field = re.compile(r"\s*(\w+) = \{").match(body, position)
        assert field, body[position:]
        depth, index = 1, field.end()
        while depth:
            char = body[index]
            if char == "\\":
                index += 2
                continue
            depth += {"{": 1, "}": -1}.get(char, 0)
            index += 1
        value = body[field.end() : index - 1]
        # An unescaped special character would break LaTeX.
        assert not re.search(r"(?<!\\)[&%$#_]", value), value
        fields[field.group(1)] = value
        position = index + (1 if body[index : index + 1] == "," else 0)
        position += 1 if body[position : position + 1] == "\n" else 0
    return entry_type, key, fields


def parse_ris(text: str) -> list[tuple[str, str]]:
    """A small RIS reader: every line is `TG  - value`, ended by CRLF, and the record ends with ER."""
    assert text.endswith("\r\n")
    lines = text[:-2].split("\r\n")
    tags = []
    for line in lines:
        match = re.fullmatch(r"([A-Z][A-Z0-9])  -(?: (.*))?", line)
        assert match, line
        tags.append((match.group(1), match.group(2) or ""))
    assert tags[0][0] == "TY"
    assert tags[-1] == ("ER", "")
    return tags


def test_page_shows_a_formatted_reference_with_the_accessed_date(client, intervention):
    html = client.get(intervention.get_absolute_url()).content.decode()
    today = timezone.localdate()
    assert (
        "Suzanne Hoff. “Gaps_in $ action ~ ^ \\ now”. Multi-stakeholder hearing, Morning session. 13 July 2021." in html
    )
    assert f"http://testserver/interventions/{intervention.pk}/. Accessed {today.day} {today:%B %Y}." in html


def test_page_links_the_three_downloads(client, intervention):
    html = client.get(intervention.get_absolute_url()).content.decode()
    for name in ("cite-bibtex", "cite-ris", "cite-csl-json"):
        assert f'href="{reverse(f"interventions:{name}", kwargs={"pk": intervention.pk})}"' in html


def test_bibtex_parses_with_special_characters_escaped(client, intervention):
    entry_type, key, fields = parse_bibtex(download(client, intervention, "cite-bibtex"))
    assert entry_type == "misc"
    assert key == f"intervention{intervention.pk}"
    assert fields["author"] == r"{Lawyers \& Co \{100\% pro\_bono\} \#1}"
    assert fields["title"] == r"Gaps\_in \$ action \textasciitilde{} \textasciicircum{} \textbackslash{} now"
    assert fields["date"] == "2021-07-13"
    assert fields["url"] == f"http://testserver/interventions/{intervention.pk}/"
    assert fields["urldate"] == timezone.localdate().isoformat()
    assert fields["abstract"] == "Line one. Line two."
    assert fields["note"] == "Delivered by Suzanne Hoff"


def test_ris_parses_one_value_per_line(client, intervention):
    tags = parse_ris(download(client, intervention, "cite-ris"))
    values = dict(tags)
    assert values["TY"] == "HEAR"
    assert values["AU"] == "Lawyers & Co {100% pro_bono} #1"
    assert values["T2"] == "Multi-stakeholder hearing"
    assert values["T3"] == "Morning session"
    assert values["DA"] == "2021/07/13"
    assert values["UR"] == f"http://testserver/interventions/{intervention.pk}/"
    assert values["AB"] == "Line one. Line two."
    assert [value for tag, value in tags if tag == "KW"] == ["Demand", "Prevention"]


def test_csl_json_describes_a_speech(client, intervention):
    [item] = json.loads(download(client, intervention, "cite-csl-json"))
    assert item["type"] == "speech"
    assert item["author"] == [{"literal": "Lawyers & Co {100% pro_bono} #1"}]
    assert item["event-title"] == "Multi-stakeholder hearing"
    assert item["issued"] == {"date-parts": [[2021, 7, 13]]}
    assert item["URL"] == f"http://testserver/interventions/{intervention.pk}/"
    today = timezone.localdate()
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}


@pytest.mark.parametrize("name", ["cite-bibtex", "cite-ris", "cite-csl-json"])
def test_withheld_speaker_names_are_not_cited(client, name):
    intervention = InterventionFactory(speaker_name="Secret Person", withhold_speaker_name=True)
    assert "Secret Person" not in download(client, intervention, name)


@pytest.mark.parametrize("name", ["cite-bibtex", "cite-ris", "cite-csl-json"])
def test_drafts_cannot_be_cited(client, name):
    draft = InterventionFactory(status=PublicationStatus.DRAFT)
    assert client.get(reverse(f"interventions:{name}", kwargs={"pk": draft.pk})).status_code == 404
