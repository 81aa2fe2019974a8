"""Print the public ids and slugs the load test picks from, as JSON (run with the app's settings)."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from hearings.models import Hearing  # noqa: E402
from interventions.models import Intervention, Organisation, Theme  # noqa: E402

public = Intervention.objects.published()
print(
    json.dumps(
        {
            "interventions": list(public.order_by("?").values_list("pk", flat=True)[:5000]),
            "hearings": list(Hearing.objects.published().values_list("slug", flat=True)),
            "organisations": list(Organisation.objects.public().order_by("?").values_list("slug", flat=True)[:500]),
            "themes": list(Theme.objects.values_list("slug", flat=True)),
            "size": {"interventions": Intervention.objects.count(), "public": public.count()},
        }
    )
)
