"""Small factories: each builds the least a valid, published record needs."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from hearings.models import Hearing, PublicationStatus, Recording, Session
from interventions.models import Intervention, Organisation, Theme


class HearingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hearing

    title = factory.Sequence(lambda n: f"Multi-stakeholder hearing {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    start_date = datetime.date(2021, 7, 13)
    format = Hearing.Format.ONLINE
    organised_by = "UNODC"
    status = PublicationStatus.PUBLISHED


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    hearing = factory.SubFactory(HearingFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    order = factory.Sequence(lambda n: n + 1)


class RecordingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recording

    session = factory.SubFactory(SessionFactory)
    provider = Recording.Provider.YOUTUBE
    url = factory.Sequence(lambda n: f"https://www.youtube.com/watch?v=video{n}")
    order = factory.Sequence(lambda n: n + 1)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Civil Society Organisation {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    type = Organisation.Type.NGO


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention
        skip_postgeneration_save = True

    hearing = factory.SubFactory(HearingFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Intervention {n}")
    summary = "Calls on States to address the root causes of trafficking."
    speaker_name = factory.Sequence(lambda n: f"Speaker {n}")
    language = "en"
    status = PublicationStatus.PUBLISHED

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def on_behalf_of(self, create, extracted, **kwargs):
        if create and extracted:
            self.on_behalf_of.set(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"curator{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")
