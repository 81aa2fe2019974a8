import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from hearings.models import Hearing, PublicationStatus, Recording, Session
from interventions.models import Intervention, Organisation, Theme

pytestmark = pytest.mark.django_db

HEARING_SLUG = "multi-stakeholder-hearing-global-plan-of-action-trafficking-2021"
QUOTE = (
    "For effective prevention it is essential that root causes of human trafficking are effectively addressed, "
    "including the structural drivers of exploitation and abuse. While there is much ado about addressing demand, "
    "measures have so far mainly pointed at the sex industry and been focusing on criminalising the clients of sex "
    "workers, which has done nothing to address the real root causes of human trafficking. Moreover migration "
    "policies focus mainly on promoting return instead of facilitating legal migration"
)
MODELS = [Hearing, Session, Recording, Organisation, Theme, Intervention]


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    """Every row of every demo model, with its timestamps, plus the many-to-many links."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}
    rows["themes"] = list(Intervention.themes.through.objects.order_by("pk").values())
    rows["related"] = list(Hearing.related_hearings.through.objects.order_by("pk").values())
    return rows


def test_loads_the_published_hearing():
    load_demo()
    hearing = Hearing.objects.published().get(slug=HEARING_SLUG)
    assert hearing.title == "Multi-stakeholder hearing on the UN Global Plan of Action against Trafficking in Persons"
    assert hearing.start_date == datetime.date(2021, 7, 13)
    assert hearing.format == Hearing.Format.ONLINE
    assert (hearing.convened_by, hearing.organised_by) == ("President of the General Assembly", "UNODC")
    assert "resolution 75/283" in hearing.description
    assert "30 July 2010" in hearing.description


def test_leaves_unknown_document_addresses_empty():
    load_demo()
    hearing = Hearing.objects.get(slug=HEARING_SLUG)
    assert (hearing.concept_note_url, hearing.agenda_url, hearing.official_url) == ("", "", "")
    assert "concept note" in hearing.description


def test_loads_two_sessions_each_with_a_un_web_tv_recording():
    load_demo()
    sessions = Session.objects.filter(hearing__slug=HEARING_SLUG).order_by("order")
    assert [(s.order, s.title, s.date, s.start_time) for s in sessions] == [
        (1, "Morning session", datetime.date(2021, 7, 13), None),
        (2, "Afternoon session", datetime.date(2021, 7, 13), None),
    ]
    for session in sessions:
        [recording] = session.recordings.all()
        assert recording.provider == Recording.Provider.UN_WEB_TV
        assert recording.url == "https://webtv.un.org/"
        assert "no exact address" in recording.note


def test_links_the_general_assembly_high_level_meeting():
    load_demo()
    [meeting] = Hearing.objects.get(slug=HEARING_SLUG).related_hearings.all()
    assert meeting.title.startswith("High-level meeting of the General Assembly on the appraisal")
    assert (meeting.start_date, meeting.end_date) == (datetime.date(2021, 11, 22), datetime.date(2021, 11, 23))
    assert meeting.location == "United Nations Headquarters, New York"
    assert meeting.format == ""
    assert meeting.status == PublicationStatus.PUBLISHED


def test_loads_the_organisations():
    load_demo()
    assert set(Organisation.objects.values_list("acronym", "name", "type")) == {
        ("LSI", "La Strada International", "network"),
        ("GAATW", "Global Alliance against Traffic in Women", "network"),
        ("UNODC", "United Nations Office on Drugs and Crime", "un_entity"),
    }


def test_loads_the_nine_themes_the_document_names():
    load_demo()
    assert set(Theme.objects.values_list("name", flat=True)) == {
        "Prevention and root causes",
        "Demand",
        "Migration policy",
        "Residence and international protection",
        "Human-rights-based approach",
        "Prosecution",
        "Identification",
        "Protection and support of trafficked persons",
        "Partnerships",
    }
    assert not Theme.objects.filter(parent__isnull=False).exists()


def test_loads_the_la_strada_intervention():
    load_demo()
    intervention = Intervention.objects.published().get(organisation__acronym="LSI")
    assert (intervention.speaker_name, intervention.speaker_title) == ("Suzanne Hoff", "International Coordinator")
    assert intervention.session is None
    assert intervention.date == datetime.date(2021, 7, 13)
    assert intervention.language == "en"
    assert (intervention.start_offset, intervention.end_offset) == (None, None)
    assert intervention.themes.count() == 8
    assert not intervention.themes.filter(name="Partnerships").exists()


def test_stores_the_quoted_words_exactly():
    load_demo()
    assert Intervention.objects.get(organisation__acronym="LSI").text_delivered == QUOTE


def test_gaatw_intervention_claims_no_content():
    load_demo()
    intervention = Intervention.objects.published().get(organisation__acronym="GAATW")
    assert intervention.title == "Intervention by the Global Alliance against Traffic in Women (GAATW)"
    assert (intervention.speaker_name, intervention.text_delivered, intervention.session) == ("", "", None)
    assert not intervention.themes.exists()


def test_running_twice_keeps_the_counts():
    load_demo()
    counts = [model.objects.count() for model in MODELS]
    load_demo()
    assert [model.objects.count() for model in MODELS] == counts == [2, 2, 2, 3, 9, 2]


def test_running_twice_changes_nothing():
    load_demo()
    before = snapshot()
    output = load_demo()
    assert snapshot() == before
    assert "0 created, 0 updated" in output


def test_running_again_restores_an_edited_record():
    load_demo()
    Intervention.objects.filter(organisation__acronym="LSI").update(text_delivered="edited")
    assert "1 updated" in load_demo()
    assert Intervention.objects.get(organisation__acronym="LSI").text_delivered == QUOTE
