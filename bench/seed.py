"""Fill an empty database with a synthetic archive for the load test (not a test, not for production).

    DATABASE_URL=postgres://... .venv/bin/python bench/seed.py --interventions 100000

Deterministic (a fixed random seed), bulk inserts only, about 5% drafts so the visibility rule
is exercised under load. The full synthetic-data command belongs to issue 6; this is the bench's own.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from hearings.models import Hearing, PublicationStatus, Recording, Session  # noqa: E402
from interventions.models import Intervention, Organisation, Theme  # noqa: E402

WORDS = (
    "trafficking survivors labour migration victims protection prosecution prevention partnership women girls "
    "children exploitation forced recruitment debt bondage supply chains accountability identification referral "
    "compensation shelter legal aid non-punishment data research funding civil society states global plan action "
    "review implementation commitments rights-based gender-sensitive trauma-informed online technology"
).split()
LANGUAGES = ["en"] * 12 + ["fr"] * 3 + ["es"] * 3 + ["ar", "ru", "zh"]
BATCH = 2000


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def seed(interventions: int, rng: random.Random):
    hearing_count = max(5, interventions // 1000)
    hearings = Hearing.objects.bulk_create(
        Hearing(
            title=f"Multi-stakeholder hearing {n}: {words(rng, 4)}",
            slug=f"hearing-{n}",
            start_date=datetime.date(2005, 1, 1) + datetime.timedelta(days=n * 7),
            organised_by="UNODC",
            description=words(rng, 40),
            status=PublicationStatus.DRAFT if n % 25 == 24 else PublicationStatus.PUBLISHED,
        )
        for n in range(hearing_count)
    )
    sessions = Session.objects.bulk_create(
        Session(hearing=hearing, title=f"Session {order}", order=order, date=hearing.start_date)
        for hearing in hearings
        for order in range(1, 5)
    )
    Recording.objects.bulk_create(
        Recording(
            session=session,
            provider=Recording.Provider.YOUTUBE,
            url=f"https://www.youtube.com/watch?v=bench{session.pk}",
            order=1,
        )
        for session in sessions
    )
    broad = Theme.objects.bulk_create(Theme(name=f"Theme {n}", slug=f"theme-{n}") for n in range(10))
    narrow = Theme.objects.bulk_create(
        Theme(name=f"Theme {n}.{m}", slug=f"theme-{n}-{m}", parent=theme)
        for n, theme in enumerate(broad)
        for m in range(3)
    )
    themes = broad + narrow
    organisation_count = max(50, interventions // 50)
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"{words(rng, 2).title()} Organisation {n}",
            slug=f"organisation-{n}",
            type=rng.choice(Organisation.Type.values),
            country=rng.choice(["Kenya", "Nepal", "Brazil", "Thailand", "Nigeria", "Germany", "Mexico"]),
        )
        for n in range(organisation_count)
    )
    sessions_by_hearing = {}
    for session in sessions:
        sessions_by_hearing.setdefault(session.hearing_id, []).append(session)
    Tagging = Intervention.themes.through
    made = 0
    while made < interventions:
        batch = []
        for n in range(made, min(made + BATCH, interventions)):
            hearing = hearings[n % len(hearings)]
            session = sessions_by_hearing[hearing.pk][n // len(hearings) % 4]
            batch.append(
                Intervention(
                    hearing=hearing,
                    session=session,
                    organisation=rng.choice(organisations),
                    speaker_name=f"Speaker {n}",
                    title=f"Statement {n}: {words(rng, 5)}",
                    summary=words(rng, 30),
                    text_delivered=words(rng, 300),
                    language=rng.choice(LANGUAGES),
                    date=session.date,
                    start_offset=n % 3000,
                    end_offset=n % 3000 + 180,
                    status=PublicationStatus.DRAFT if rng.random() < 0.05 else PublicationStatus.PUBLISHED,
                )
            )
        created = Intervention.objects.bulk_create(batch)
        Tagging.objects.bulk_create(
            Tagging(intervention_id=intervention.pk, theme_id=theme.pk)
            for intervention in created
            for theme in rng.sample(themes, rng.randint(1, 3))
        )
        made += len(created)
        print(f"\r{made}/{interventions} interventions", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return {"hearings": len(hearings), "organisations": len(organisations), "themes": len(themes)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interventions", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if Intervention.objects.exists():
        sys.exit("The database already holds interventions; seed an empty one.")
    started = time.monotonic()
    with transaction.atomic():
        sizes = seed(args.interventions, random.Random(args.seed))
    public = Intervention.objects.published().count()
    print(
        f"Seeded {args.interventions} interventions ({public} public), {sizes['hearings']} hearings, "
        f"{sizes['organisations']} organisations, {sizes['themes']} themes in {time.monotonic() - started:.0f} s."
    )


if __name__ == "__main__":
    main()
