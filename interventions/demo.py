"""The demo hearing, taken from the archive's founding document.

Source: /work/shared/seed/000_053678e5dfd91575.txt, a La Strada International news item on the
UNODC multi-stakeholder hearing of 13 July 2021. Every value below is stated there, or is public
record the document names (GA resolution 75/283, which has the President of the General Assembly
convene the hearing; the organisations' own websites). Where the document is silent the field
stays empty: no recording addresses, no times, no offsets, no session for the interventions.
"""

import datetime

from django.db import transaction

from hearings.models import Hearing, PublicationStatus, Recording, Session

from .models import Intervention, Organisation, Theme

PUBLISHED = PublicationStatus.PUBLISHED
HEARING_DATE = datetime.date(2021, 7, 13)

HEARING = {
    "slug": "multi-stakeholder-hearing-global-plan-of-action-trafficking-2021",
    "title": "Multi-stakeholder hearing on the UN Global Plan of Action against Trafficking in Persons",
    "convened_by": "President of the General Assembly",
    "organised_by": "UNODC",
    "start_date": HEARING_DATE,
    "format": Hearing.Format.ONLINE,
    "location": "Online",
    "description": (
        "An online interactive multi-stakeholder hearing organised by UNODC, part of the preparatory process "
        "for the high-level meeting of the UN General Assembly on the appraisal of the United Nations Global "
        "Plan of Action to Combat Trafficking in Persons, held pursuant to General Assembly resolution 75/283.\n\n"
        "The United Nations Global Plan of Action against Trafficking in Persons was first adopted by the "
        "General Assembly on 30 July 2010. It includes concrete actions to prevent trafficking in persons, "
        "protect and assist victims, prosecute related crimes and strengthen partnerships among Governments, "
        "civil society organizations and the private sector, including the media.\n\n"
        "A concept note and a provisional agenda were issued for the hearing; their addresses are not yet "
        "recorded in the archive."
    ),
    "status": PUBLISHED,
}

RELATED_MEETING = {
    "slug": "high-level-meeting-appraisal-global-plan-of-action-trafficking-2021",
    "title": (
        "High-level meeting of the General Assembly on the appraisal of the United Nations Global Plan of "
        "Action to Combat Trafficking in Persons"
    ),
    "start_date": datetime.date(2021, 11, 22),
    "end_date": datetime.date(2021, 11, 23),
    "location": "United Nations Headquarters, New York",
    "description": (
        "High-level meeting of the UN General Assembly on the appraisal of the United Nations Global Plan of "
        "Action to Combat Trafficking in Persons, convened pursuant to General Assembly resolution 75/283. "
        "The multi-stakeholder hearing of 13 July 2021 was part of its preparatory process."
    ),
    "status": PUBLISHED,
}

# The document says both sessions were recorded and are on UN Web TV, without giving their addresses.
RECORDING_NOTE = "The source gives no exact address for this recording, so the link goes to UN Web TV itself."
SESSIONS = [
    {"order": 1, "title": "Morning session", "recording_title": "UN Web TV – morning session"},
    {"order": 2, "title": "Afternoon session", "recording_title": "UN Web TV – afternoon session"},
]

ORGANISATIONS = [
    {
        "slug": "la-strada-international",
        "name": "La Strada International",
        "acronym": "LSI",
        "type": Organisation.Type.NETWORK,
        "website": "https://lastradainternational.org/",
    },
    {
        "slug": "global-alliance-against-traffic-in-women",
        "name": "Global Alliance against Traffic in Women",
        "acronym": "GAATW",
        "type": Organisation.Type.NETWORK,
        "website": "https://gaatw.org/",
    },
    {
        "slug": "united-nations-office-on-drugs-and-crime",
        "name": "United Nations Office on Drugs and Crime",
        "acronym": "UNODC",
        "type": Organisation.Type.UN_ENTITY,
    },
]

# Themes exactly as the document names them, kept flat.
THEMES = {
    "prevention-and-root-causes": "Prevention and root causes",
    "demand": "Demand",
    "migration-policy": "Migration policy",
    "residence-and-international-protection": "Residence and international protection",
    "human-rights-based-approach": "Human-rights-based approach",
    "prosecution": "Prosecution",
    "identification": "Identification",
    "protection-and-support-of-trafficked-persons": "Protection and support of trafficked persons",
    "partnerships": "Partnerships",
}

# The words the document quotes from Suzanne Hoff, without its quotation marks.
LSI_QUOTE = (
    "For effective prevention it is essential that root causes of human trafficking are effectively addressed, "
    "including the structural drivers of exploitation and abuse. While there is much ado about addressing demand, "
    "measures have so far mainly pointed at the sex industry and been focusing on criminalising the clients of sex "
    "workers, which has done nothing to address the real root causes of human trafficking. Moreover migration "
    "policies focus mainly on promoting return instead of facilitating legal migration"
)

# The document does not say in which session either intervention was delivered, so `session` stays empty.
INTERVENTIONS = [
    {
        "source_id": "demo-lsi-2021-07-13",
        "organisation": "la-strada-international",
        "title": "Remaining gaps in the implementation of anti-trafficking action in Europe and globally",
        "speaker_name": "Suzanne Hoff",
        "speaker_title": "International Coordinator",
        "summary": (
            "La Strada International raised concern about the remaining gaps in the implementation of "
            "anti-trafficking action in Europe and globally: serious gaps in the prevention and prosecution of "
            "human trafficking, and in the identification, protection and support of trafficked persons. It called "
            "upon States to equally address all forms of human trafficking with policies and measures based on a "
            "human rights approach, to effectively prevent human trafficking, and to improve access to residence "
            "and international protection for trafficked persons."
        ),
        # The document quotes part of the statement, not all of it.
        "text_delivered": LSI_QUOTE,
        "text_is_excerpt": True,
        "themes": [
            "prevention-and-root-causes",
            "demand",
            "migration-policy",
            "residence-and-international-protection",
            "human-rights-based-approach",
            "prosecution",
            "identification",
            "protection-and-support-of-trafficked-persons",
        ],
    },
    {
        "source_id": "demo-gaatw-2021-07-13",
        "organisation": "global-alliance-against-traffic-in-women",
        "title": "Intervention by the Global Alliance against Traffic in Women (GAATW)",
        "summary": (
            "The Global Alliance against Traffic in Women (GAATW) intervened at the hearing, as did other civil "
            "society actors. The source refers to the intervention without giving its content."
        ),
        "themes": [],
    },
]


class Tally:
    """Counts of created, updated and unchanged records."""

    def __init__(self):
        self.created = self.updated = self.unchanged = 0

    def upsert(self, model, lookup, values):
        """Create the record or bring it up to date, saving only when something differs."""
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**{**lookup, **values})
            obj.full_clean()
            obj.save()
            self.created += 1
        elif any(getattr(obj, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(obj, field, value)
            obj.full_clean()
            obj.save()
            self.updated += 1
        else:
            self.unchanged += 1
        return obj

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@transaction.atomic
def load() -> Tally:
    tally = Tally()
    hearing = tally.upsert(Hearing, {"slug": HEARING["slug"]}, HEARING)
    meeting = tally.upsert(Hearing, {"slug": RELATED_MEETING["slug"]}, RELATED_MEETING)
    hearing.related_hearings.add(meeting)

    for spec in SESSIONS:
        session = tally.upsert(
            Session, {"hearing": hearing, "order": spec["order"]}, {"title": spec["title"], "date": HEARING_DATE}
        )
        tally.upsert(
            Recording,
            {"session": session, "order": 1},
            {
                "title": spec["recording_title"],
                "provider": Recording.Provider.UN_WEB_TV,
                "url": "https://webtv.un.org/",
                "note": RECORDING_NOTE,
            },
        )

    organisations = {spec["slug"]: tally.upsert(Organisation, {"slug": spec["slug"]}, spec) for spec in ORGANISATIONS}
    themes = {slug: tally.upsert(Theme, {"slug": slug}, {"name": name}) for slug, name in THEMES.items()}

    for spec in INTERVENTIONS:
        values = {
            "hearing": hearing,
            "session": None,
            "organisation": organisations[spec["organisation"]],
            "title": spec["title"],
            "summary": spec["summary"],
            "speaker_name": spec.get("speaker_name", ""),
            "speaker_title": spec.get("speaker_title", ""),
            "text_delivered": spec.get("text_delivered", ""),
            "text_is_excerpt": spec.get("text_is_excerpt", False),
            "language": "en",
            "date": HEARING_DATE,
            "status": PUBLISHED,
        }
        intervention = tally.upsert(Intervention, {"source_id": spec["source_id"]}, values)
        intervention.themes.set([themes[slug] for slug in spec["themes"]])
    return tally
