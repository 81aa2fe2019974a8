"""The records the browser tests look at: the demo hearing, plus a timed, themed session of interventions."""

import datetime
import importlib
from types import SimpleNamespace

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from hearings.models import PublicationStatus, Recording
from interventions.models import Intervention, Organisation, Theme
from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)


def build_archive():
    call_command("load_demo", verbosity=0)
    lsi = Organisation.objects.get(slug="la-strada-international")
    demand = Theme.objects.get(slug="demand")
    hearing = HearingFactory(
        title="Expert hearing on labour exploitation",
        slug="expert-hearing-labour",
        start_date=datetime.date(2023, 3, 2),
    )
    session = SessionFactory(hearing=hearing, title="Opening session", order=1)
    RecordingFactory(session=session, provider=Recording.Provider.YOUTUBE, url="https://www.youtube.com/watch?v=abc")
    union = OrganisationFactory(name="Building Workers Union", slug="building-workers-union", type="trade_union")
    labour = ThemeFactory(name="Labour exploitation", slug="labour-exploitation")
    timed = InterventionFactory(
        hearing=hearing,
        session=session,
        order=1,
        organisation=lsi,
        title="Demand-side measures that reach labour exploitation",
        themes=[demand, labour],
        start_offset=754,
        end_offset=1054,
    )
    other = InterventionFactory(
        hearing=hearing,
        session=session,
        order=2,
        organisation=lsi,
        title="Access to residence",
        themes=[labour],
        start_offset=1100,
        end_offset=1300,
    )
    union_speech = InterventionFactory(
        hearing=hearing,
        session=session,
        order=3,
        organisation=union,
        title="Recruitment fees",
        themes=[demand],
        start_offset=1300,
        end_offset=1500,
        language="fr",
        summary="Les frais de recrutement doivent être abolis.",
    )
    return SimpleNamespace(
        lsi=lsi,
        union=union,
        demand=demand,
        labour=labour,
        hearing=hearing,
        timed=timed,
        other=other,
        union_speech=union_speech,
        # La Strada International on Demand: the filtered result of the researcher's journey.
        demand_by_lsi_ids=list(
            Intervention.objects.published().filter(organisation=lsi, themes=demand).values_list("pk", flat=True)
        ),
    )


def withdrawn_intervention(archive):
    """Once public, since withdrawn: its permalink answers with a notice instead of the content."""
    return InterventionFactory(
        hearing=archive.hearing,
        organisation=archive.union,
        title="Statement withdrawn at the speaker's request",
        status=PublicationStatus.WITHDRAWN,
    )


def editorial_group(name):
    """A group as the data migration makes it: a transactional test's flush removes the migration's groups."""
    migration = importlib.import_module("interventions.migrations.0005_editorial_groups")
    group, _ = Group.objects.get_or_create(name=name)
    for app_label, codename in migration.group_permissions()[name]:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group
