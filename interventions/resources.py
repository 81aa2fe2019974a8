"""Spreadsheet import and export of organisations, hearings with their sessions, and interventions.

Columns, aliases and the mapping format are documented in docs/import.md. The hearing resource
lives here rather than in hearings/ because it shares this app's cleaning and mapping code, and
`hearings` must not depend on `interventions`.
"""

import tablib
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from import_export import fields

from hearings.models import DatePrecision, Hearing, Session

from . import cleaning
from .importing import (
    ArchiveResource,
    BoolWidget,
    ChoiceWidget,
    DateWidget,
    IntegerWidget,
    NaturalKeyListWidget,
    NaturalKeyWidget,
    OffsetWidget,
    TextWidget,
    TimeWidget,
    sheet_row,
)
from .models import CONTENT_LANGUAGES, ImportMapping, Intervention, Organisation, Theme

ORGANISATION_ALIASES = {
    "organisation": "name",
    "organization": "name",
    "organisation name": "name",
    "organization name": "name",
    "org": "name",
    "country": "name",
    "abbreviation": "acronym",
    "short name": "acronym",
    "iso3": "acronym",
    "iso code": "acronym",
    "organisation type": "type",
    "organization type": "type",
    "ecosoc": "ecosoc_status",
    "ecosoc status": "ecosoc_status",
    "based in": "country",
    "region": "country",
    "url": "website",
    "web": "website",
    "network": "parent",
    "member of": "parent",
}

HEARING_ALIASES = {
    "hearing": "title",
    "hearing title": "title",
    "name": "title",
    "date": "start_date",
    "year": "start_date",
    "start": "start_date",
    "end": "end_date",
    "venue": "location",
    "session": "session_title",
    "session name": "session_title",
    "session number": "session_order",
    "chair": "session_chair",
    "moderator": "session_chair",
}

INTERVENTION_ALIASES = {
    "organisation": "organisation",
    "organization": "organisation",
    "org": "organisation",
    "country": "organisation",
    "delivered by": "organisation",
    "on behalf of": "on_behalf_of",
    "co sponsors": "on_behalf_of",
    "speaker": "speaker_name",
    "name": "speaker_name",
    "name of person speaking": "speaker_name",
    "speaker name": "speaker_name",
    "post": "speaker_title",
    "position": "speaker_title",
    "speaker post": "speaker_title",
    "speaker position": "speaker_title",
    "role": "hearing_role",
    "statement": "text_delivered",
    "text": "text_delivered",
    "speech": "text_delivered",
    "written statement": "text_submitted",
    "lang": "language",
    "theme": "themes",
    "tags": "themes",
    "start": "start_offset",
    "starts at": "start_offset",
    "end": "end_offset",
    "ends at": "end_offset",
    "external id": "source_id",
    "speech id": "source_id",
    "id in source": "source_id",
    "url": "source_url",
    "year": "hearing_date",
    "hearing year": "hearing_date",
    "iso3": "organisation_acronym",
    "iso code": "organisation_acronym",
    "acronym": "organisation_acronym",
    "type": "organisation_type",
}


def unique_slug(model, text, taken=None, max_length=120):
    """A slug for `text` that no row of `model` (nor any slug in `taken`) uses yet."""
    base = slugify(text)[: max_length - 4] or "record"
    slug, n = base, 1
    taken = taken if taken is not None else set()
    while slug in taken or model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


class NaturalKeys:
    """Records found by slug, exact name (any case) or, when it is unique, acronym."""

    def __init__(self, records, kind, name_attr="name", acronym_attr=None):
        self.kind, self.name_attr, self.acronym_attr = kind, name_attr, acronym_attr
        self.by_key = {}
        self.acronyms = {}
        for record in records:
            self.add(record)

    def add(self, record):
        self.by_key.setdefault(record.slug, record)
        self.by_key[getattr(record, self.name_attr).casefold()] = record
        acronym = getattr(record, self.acronym_attr) if self.acronym_attr else ""
        if acronym:
            self.acronyms.setdefault(acronym.casefold(), []).append(record)

    def find(self, text):
        if not text:
            return None
        record = self.by_key.get(text) or self.by_key.get(text.casefold())
        if record is None:
            matches = self.acronyms.get(text.casefold(), [])
            record = matches[0] if len(matches) == 1 else None
        return record


MISSING_HINT = (
    "tick “create unknown organisations, themes and hearings” (--create-missing on the command line) to add it, "
    "or correct the cell"
)


class OrganisationResource(ArchiveResource):
    target = ImportMapping.Target.ORGANISATIONS
    aliases = ORGANISATION_ALIASES
    long_text_fields = ("description",)
    identity_field = "name"

    name = fields.Field("name", "name", TextWidget())
    acronym = fields.Field("acronym", "acronym", TextWidget())
    slug = fields.Field("slug", "slug", TextWidget())
    type = fields.Field("type", "type", ChoiceWidget(Organisation.Type.choices))
    ecosoc_status = fields.Field("ecosoc_status", "ecosoc_status", ChoiceWidget(Organisation.EcosocStatus.choices))
    country = fields.Field("country", "country", TextWidget())
    website = fields.Field("website", "website", TextWidget())
    description = fields.Field("description", "description", TextWidget(long=True))
    parent = fields.Field("parent", "parent", None)

    class Meta:
        model = Organisation
        fields = ["name", "acronym", "slug", "type", "ecosoc_status", "country", "website", "description", "parent"]
        import_id_fields = ["slug"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.keys = None
        self.fields["parent"].widget = NaturalKeyWidget("organisation", self.find_parent, lambda o: o.name)

    def identity(self, row):
        return cleaning.clean_text(row.get("slug")) or cleaning.clean_text(row.get("name")).casefold()

    def prepare(self, rows):
        self.keys = NaturalKeys(Organisation.objects.all(), "organisation", acronym_attr="acronym")
        taken = set()
        for row in rows:
            if not row.get("slug"):
                existing = self.keys.find(row.get("name", ""))
                row["slug"] = existing.slug if existing else unique_slug(Organisation, row.get("name", ""), taken)

    def find_parent(self, text, row=None):
        record = self.keys.find(text)
        if record is None:
            raise ValueError(f"no organisation in the archive is called “{text}”.")
        return record

    def get_instance(self, instance_loader, row):
        return Organisation.objects.filter(slug=row.get("slug")).first()


class HearingResource(ArchiveResource):
    """One row per session; the hearing's columns repeat on each of its sessions' rows."""

    target = ImportMapping.Target.HEARINGS
    aliases = HEARING_ALIASES
    long_text_fields = ("description", "session_description")
    identity_field = "session_order"
    session_columns = (
        "session_order",
        "session_title",
        "session_kind",
        "session_date",
        "session_start_time",
        "session_end_time",
        "session_chair",
        "session_description",
    )
    helper_columns = session_columns

    slug = fields.Field("slug", "slug", TextWidget())
    title = fields.Field("title", "title", TextWidget())
    start_date = fields.Field("start_date", "start_date", DateWidget())
    date_precision = fields.Field("date_precision", "date_precision", ChoiceWidget(DatePrecision.choices))
    end_date = fields.Field("end_date", "end_date", DateWidget())
    format = fields.Field("format", "format", ChoiceWidget(Hearing.Format.choices))
    location = fields.Field("location", "location", TextWidget())
    convened_by = fields.Field("convened_by", "convened_by", TextWidget())
    organised_by = fields.Field("organised_by", "organised_by", TextWidget())
    description = fields.Field("description", "description", TextWidget(long=True))
    official_url = fields.Field("official_url", "official_url", TextWidget())
    concept_note_url = fields.Field("concept_note_url", "concept_note_url", TextWidget())
    agenda_url = fields.Field("agenda_url", "agenda_url", TextWidget())
    status = fields.Field("status", "status", TextWidget(), readonly=True)

    session_widgets = {
        "order": IntegerWidget(),
        "title": TextWidget(),
        "kind": ChoiceWidget(Session.Kind.choices),
        "date": DateWidget(),
        "start_time": TimeWidget(),
        "end_time": TimeWidget(),
        "chair": TextWidget(),
        "description": TextWidget(long=True),
    }

    class Meta:
        model = Hearing
        fields = [
            "slug",
            "title",
            "start_date",
            "date_precision",
            "end_date",
            "format",
            "location",
            "convened_by",
            "organised_by",
            "description",
            "official_url",
            "concept_note_url",
            "agenda_url",
            "status",
        ]
        import_id_fields = ["slug"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def identity(self, row):
        order = cleaning.clean_text(row.get("session_order"))
        return f"{row.get('slug') or row.get('title', '')} / session {order}" if order else ""

    def prepare(self, rows):
        taken = {}
        for row in rows:
            try:
                start, year_only = cleaning.clean_date_or_year(row.get("start_date"))
            except ValueError:
                start, year_only = None, False  # the start_date column reports it
            if year_only:
                # A year alone: stored as 1 January and shown as the year, never as an invented day.
                row["start_date"] = start.isoformat()
                row["date_precision"] = DatePrecision.YEAR
            elif start and not row.get("date_precision"):
                row["date_precision"] = DatePrecision.DAY
            if not row.get("slug"):
                title = row.get("title", "")
                existing = Hearing.objects.filter(title__iexact=title).first()
                if existing:
                    row["slug"] = existing.slug
                else:
                    taken.setdefault(title, unique_slug(Hearing, title, set(taken.values())))
                    row["slug"] = taken[title]

    def get_instance(self, instance_loader, row):
        return Hearing.objects.filter(slug=row.get("slug")).first()

    def session_values(self, row):
        values, errors = {}, {}
        for column in self.session_columns:
            if column in row:
                name = column.removeprefix("session_")
                try:
                    values[name] = self.session_widgets[name].clean(row[column])
                except ValueError as error:
                    errors[column] = str(error)
        if errors:
            raise ValidationError(errors)
        return values if values.get("order") or values.get("title") else None

    def session_for(self, hearing, values):
        if not hearing.pk:
            return None
        sessions = hearing.sessions.all()
        if values.get("order"):
            return sessions.filter(order=values["order"]).first()
        return sessions.filter(title__iexact=values["title"]).first()

    def skip_row(self, instance, original, row, import_validation_errors=None):
        values = self.session_values(row)
        if values:
            session = self.session_for(instance, values)
            if session is None or any(getattr(session, name) != value for name, value in values.items()):
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        values = self.session_values(row)
        if not values:
            return
        session = self.session_for(instance, values) or Session(hearing=instance)
        if session.pk is None and not values.get("order"):
            values["order"] = (max((s.order for s in instance.sessions.all()), default=0)) + 1
        for name, value in values.items():
            if value not in (None, "") or name in ("date", "start_time", "end_time", "chair", "description"):
                setattr(session, name, value if value is not None or name not in ("chair", "description") else "")
        try:
            session.full_clean()
        except ValidationError as error:
            raise ValidationError(
                {f"session_{name}": messages for name, messages in error.message_dict.items()}
            ) from error
        if self.user is not None:
            session._history_user = self.user
        session.save()

    def export(self, queryset=None, **kwargs):
        """One row per session (and one for a hearing without sessions), so the file re-imports as it is."""
        if queryset is None:
            queryset = self.get_queryset()
        export_fields = self.get_export_fields()
        dataset = tablib.Dataset(headers=[f.column_name for f in export_fields] + list(self.session_columns))
        for hearing in queryset.prefetch_related("sessions"):
            base = [self.export_field(f, hearing) for f in export_fields]
            sessions = sorted(hearing.sessions.all(), key=lambda s: s.order)
            for session in sessions or [None]:
                dataset.append(base + self.export_session(session))
        return dataset

    def export_session(self, session):
        if session is None:
            return [""] * len(self.session_columns)
        return [
            self.session_widgets[column.removeprefix("session_")].render(
                getattr(session, column.removeprefix("session_"))
            )
            for column in self.session_columns
        ]


class InterventionResource(ArchiveResource):
    target = ImportMapping.Target.INTERVENTIONS
    aliases = INTERVENTION_ALIASES
    long_text_fields = ("summary", "text_delivered", "text_submitted")
    helper_columns = ("organisation_acronym", "organisation_type", "organisation_country", "hearing_date")
    identity_field = "source_id"
    # Intervention.clean() states the offset rule in words; the database enforces every check on save.
    validate_check_constraints = False

    source_id = fields.Field("source_id", "source_id", TextWidget())
    id = fields.Field("id", "id", IntegerWidget(), readonly=True)
    hearing = fields.Field("hearing", "hearing", None)
    session = fields.Field("session", "session", None)
    order = fields.Field("order", "order", IntegerWidget())
    organisation = fields.Field("organisation", "organisation", None)
    on_behalf_of = fields.Field("on_behalf_of", "on_behalf_of", None)
    speaker_name = fields.Field("speaker_name", "speaker_name", TextWidget())
    speaker_title = fields.Field("speaker_title", "speaker_title", TextWidget())
    withhold_speaker_name = fields.Field("withhold_speaker_name", "withhold_speaker_name", BoolWidget())
    hearing_role = fields.Field("hearing_role", "hearing_role", ChoiceWidget(Intervention.HearingRole.choices))
    modality = fields.Field("modality", "modality", ChoiceWidget(Intervention.Modality.choices))
    title = fields.Field("title", "title", TextWidget())
    summary = fields.Field("summary", "summary", TextWidget(long=True))
    text_delivered = fields.Field("text_delivered", "text_delivered", TextWidget(long=True))
    text_is_excerpt = fields.Field("text_is_excerpt", "text_is_excerpt", BoolWidget())
    text_submitted = fields.Field("text_submitted", "text_submitted", TextWidget(long=True))
    language = fields.Field("language", "language", ChoiceWidget(CONTENT_LANGUAGES))
    themes = fields.Field("themes", "themes", None)
    date = fields.Field("date", "date", DateWidget())
    start_offset = fields.Field("start_offset", "start_offset", OffsetWidget())
    end_offset = fields.Field("end_offset", "end_offset", OffsetWidget())
    source_url = fields.Field("source_url", "source_url", TextWidget())
    status = fields.Field("status", "status", TextWidget(), readonly=True)

    class Meta:
        model = Intervention
        fields = [
            "source_id",
            "id",
            "hearing",
            "session",
            "order",
            "organisation",
            "on_behalf_of",
            "speaker_name",
            "speaker_title",
            "withhold_speaker_name",
            "hearing_role",
            "modality",
            "title",
            "summary",
            "text_delivered",
            "text_is_excerpt",
            "text_submitted",
            "language",
            "themes",
            "date",
            "start_offset",
            "end_offset",
            "source_url",
            "status",
        ]
        import_id_fields = []
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.organisations = self.themes_by_key = self.hearings = None
        self.existing = {}
        by_name = lambda record: record.name  # noqa: E731
        self.fields["hearing"].widget = NaturalKeyWidget("hearing", self.find_hearing, lambda h: h.slug)
        self.fields["session"].widget = NaturalKeyWidget("session", self.find_session, lambda s: s.title)
        self.fields["organisation"].widget = NaturalKeyWidget("organisation", self.find_organisation, by_name)
        self.fields["on_behalf_of"].widget = NaturalKeyListWidget(
            Organisation, "organisation", self.find_organisation, by_name
        )
        self.fields["themes"].widget = NaturalKeyListWidget(Theme, "theme", self.find_theme, by_name)

    def get_queryset(self):
        return Intervention.objects.select_related("hearing", "session", "organisation").prefetch_related(
            "themes", "on_behalf_of"
        )

    def identity(self, row):
        return cleaning.clean_text(row.get("source_id"))

    # Relations.

    def prepare(self, rows):
        self.organisations = NaturalKeys(Organisation.objects.all(), "organisation", acronym_attr="acronym")
        self.themes_by_key = NaturalKeys(Theme.objects.all(), "theme")
        self.hearings = NaturalKeys(Hearing.objects.all(), "hearing", name_attr="title")
        source_ids = [row["source_id"] for row in rows if row.get("source_id")]
        self.existing = {i.source_id: i for i in self.get_queryset().filter(source_id__in=source_ids)}

        unknown = {"organisations": {}, "themes": {}, "hearings": {}}
        for number, row in enumerate(rows, 1):
            names = [row.get("organisation", "")] + cleaning.split_list(row.get("on_behalf_of"))
            for name in filter(None, names):
                if self.organisations.find(name) is None:
                    unknown["organisations"].setdefault(name, (number, row))
            for name in cleaning.split_list(row.get("themes")):
                if self.themes_by_key.find(name) is None:
                    unknown["themes"].setdefault(name, (number, row))
            hearing = row.get("hearing", "")
            if hearing and self.hearings.find(hearing) is None:
                unknown["hearings"].setdefault(hearing, (number, row))
        self.report.unknown = {kind: sorted(names) for kind, names in unknown.items() if names}
        if self.create_missing:
            self.create_organisations(unknown["organisations"])
            self.create_themes(unknown["themes"])
            self.create_hearings(unknown["hearings"])
        self.flag_duplicates(rows)

    def flag_duplicates(self, rows):
        """New rows with the organisation, hearing and title (in any case) of a record the archive has.

        Only flagged: the curator sees them in the preview and decides. A row whose source_id
        matches updates that record instead, so it is never a duplicate.
        """
        new_rows = []
        for number, row in enumerate(rows, 1):
            if row.get("source_id") in self.existing or cleaning.clean_text(row.get("id")):
                continue
            organisation = self.organisations.find(cleaning.clean_text(row.get("organisation")))
            hearing = self.hearings.find(cleaning.clean_text(row.get("hearing")))
            title = cleaning.clean_text(row.get("title")).casefold()
            if organisation and hearing and title:
                new_rows.append((number, row, organisation.pk, hearing.pk, title))
        if not new_rows:
            return
        # One query for the whole file: the candidates share an organisation and a hearing with some row.
        candidates = {}
        for record in Intervention.objects.filter(
            organisation__in={organisation for _n, _r, organisation, _h, _t in new_rows},
            hearing__in={hearing for _n, _r, _o, hearing, _t in new_rows},
        ).only("pk", "organisation_id", "hearing_id", "title", "source_id"):
            key = (record.organisation_id, record.hearing_id, record.title.strip().casefold())
            candidates.setdefault(key, []).append(record)
        for number, row, organisation, hearing, title in new_rows:
            for record in candidates.get((organisation, hearing, title), []):
                if row.get("source_id") and record.source_id == row.get("source_id"):
                    continue
                source = f", source id {record.source_id}" if record.source_id else ""
                self.report.duplicates.append(
                    f"Row {sheet_row(number)}: likely duplicate of intervention {record.pk} “{record.title}”{source}, "
                    "with the same organisation, hearing and title; remove the row if it is the same intervention."
                )

    def create_organisations(self, unknown):
        type_widget = ChoiceWidget(Organisation.Type.choices)
        taken = set()
        for name, (number, row) in unknown.items():
            try:
                kind = type_widget.clean(row.get("organisation_type")) or Organisation.Type.OTHER
            except ValueError as error:
                self.report.add_row_problem(number, "organisation_type", str(error))
                continue
            organisation = Organisation(
                name=name,
                slug=unique_slug(Organisation, name, taken),
                acronym=cleaning.clean_text(row.get("organisation_acronym")) if row.get("organisation") == name else "",
                type=kind if row.get("organisation") == name else Organisation.Type.OTHER,
                country=cleaning.clean_text(row.get("organisation_country")),
            )
            if self.save_new(organisation, number, "organisation"):
                self.organisations.add(organisation)
                self.report.created.setdefault("organisations", []).append(name)

    def create_themes(self, unknown):
        taken = set()
        for name, (number, _row) in unknown.items():
            theme = Theme(name=name, slug=unique_slug(Theme, name, taken))
            if self.save_new(theme, number, "themes"):
                self.themes_by_key.add(theme)
                self.report.created.setdefault("themes", []).append(name)

    def create_hearings(self, unknown):
        taken = set()
        for title, (number, row) in unknown.items():
            try:
                start, year_only = cleaning.clean_date_or_year(row.get("hearing_date"))
            except ValueError as error:
                self.report.add_row_problem(number, "hearing_date", str(error))
                continue
            if start is None:
                self.report.add_row_problem(
                    number,
                    "hearing",
                    f"no hearing in the archive is called “{title}”; give its date or year in “hearing_date” "
                    "to create it.",
                )
                continue
            hearing = Hearing(
                title=title,
                slug=unique_slug(Hearing, title, taken),
                start_date=start,
                date_precision=DatePrecision.YEAR if year_only else DatePrecision.DAY,
            )
            if self.save_new(hearing, number, "hearing"):
                self.hearings.add(hearing)
                self.report.created.setdefault("hearings", []).append(title)

    def save_new(self, record, number, field_name):
        try:
            record.full_clean()
        except ValidationError as error:
            details = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
            self.report.add_row_problem(number, field_name, f"cannot create “{record}”: {details}")
            return False
        if self.user is not None:
            record._history_user = self.user
        record.save()
        return True

    def find_organisation(self, text, row=None):
        record = self.organisations.find(text)
        if record is None:
            raise ValueError(f"no organisation in the archive is called “{text}”; {MISSING_HINT}.")
        return record

    def find_theme(self, text, row=None):
        record = self.themes_by_key.find(text)
        if record is None:
            raise ValueError(f"no theme in the archive is called “{text}”; {MISSING_HINT}.")
        return record

    def find_hearing(self, text, row=None):
        record = self.hearings.find(text)
        if record is None:
            raise ValueError(f"no hearing in the archive is called “{text}”; {MISSING_HINT}.")
        return record

    def find_session(self, text, row=None):
        hearing = self.hearings.find(cleaning.clean_text((row or {}).get("hearing")))
        if hearing is None:
            raise ValueError("a session needs its hearing in the “hearing” column.")
        sessions = hearing.sessions.all()
        found = sessions.filter(order=int(text)) if text.isdigit() else sessions.filter(title__iexact=text)
        if len(found) != 1:
            raise ValueError(f"the hearing “{hearing.title}” has no session “{text}” (give its title or number).")
        return found[0]

    def get_instance(self, instance_loader, row):
        source_id = cleaning.clean_text(row.get("source_id"))
        if source_id:
            # prepare() fetched every intervention the file names by source_id in one query.
            return self.existing.get(source_id)
        pk = cleaning.clean_text(row.get("id"))
        if pk.isdigit():
            return Intervention.objects.filter(pk=int(pk)).first()
        return None


RESOURCES = {
    ImportMapping.Target.INTERVENTIONS: InterventionResource,
    ImportMapping.Target.ORGANISATIONS: OrganisationResource,
    ImportMapping.Target.HEARINGS: HearingResource,
}
