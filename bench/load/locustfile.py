"""The mix of requests a visitor or a researcher makes: lists, filters, searches and detail pages.

Targets (public ids and slugs) come from bench/data/targets.json, written by run.sh, so every
request asks for something that exists and any error is the server's.
"""

import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

TARGETS = json.loads(Path(os.environ.get("BENCH_TARGETS", "bench/data/targets.json")).read_text())
SEARCH_WORDS = ["trafficking", "survivors", "labour", "migration", "children", "shelter", "compensation", "debt"]
LANGUAGES = ["en", "fr", "es", "ar"]


class Visitor(HttpUser):
    wait_time = between(0.1, 0.5)

    @task(3)
    def list_page(self):
        page = random.randint(1, 50)
        self.client.get(f"/interventions/?page={page}", name="/interventions/?page=N")

    @task(3)
    def filtered_list(self):
        theme = random.choice(TARGETS["themes"])
        language = random.choice(LANGUAGES)
        self.client.get(f"/interventions/?theme={theme}&language={language}", name="/interventions/?theme&language")

    @task(1)
    def organisation_filter(self):
        organisation = random.choice(TARGETS["organisations"])
        self.client.get(f"/interventions/?organisation={organisation}", name="/interventions/?organisation")

    @task(2)
    def search(self):
        self.client.get(f"/interventions/?q={random.choice(SEARCH_WORDS)}", name="/interventions/?q")

    @task(4)
    def intervention_detail(self):
        self.client.get(f"/interventions/{random.choice(TARGETS['interventions'])}/", name="/interventions/ID/")

    @task(1)
    def hearing_detail(self):
        self.client.get(f"/hearings/{random.choice(TARGETS['hearings'])}/", name="/hearings/SLUG/")

    @task(1)
    def organisation_detail(self):
        self.client.get(f"/organisations/{random.choice(TARGETS['organisations'])}/", name="/organisations/SLUG/")

    @task(1)
    def home(self):
        self.client.get("/", name="/")
