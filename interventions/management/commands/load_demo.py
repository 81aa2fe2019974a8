from django.core.management.base import BaseCommand

from interventions import demo


class Command(BaseCommand):
    help = "Load the demo hearing from the founding document. Safe to run again: it changes nothing the second time."

    def handle(self, *args, **options):
        tally = demo.load()
        self.stdout.write(self.style.SUCCESS(f"Demo hearing “{demo.HEARING['title']}” loaded: {tally}."))
