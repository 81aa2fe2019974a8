"""What the API shows of each record: public fields only, with absolute permalinks to the public pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hearings.models import Hearing, Recording, Session

from ..models import Intervention, Organisation, Theme


class PermalinkField(serializers.Field):
    """The absolute address of the record's public page."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        url = value.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


extend_schema_field(OpenApiTypes.URI)(PermalinkField)


class ThemeSerializer(serializers.ModelSerializer):
    permalink = PermalinkField()
    # Top-level themes have no broader theme: null, and the schema says so.
    broader = serializers.SlugRelatedField(source="parent", slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Theme
        fields = ["id", "slug", "name", "description", "broader", "permalink"]


class OrganisationSerializer(serializers.ModelSerializer):
    permalink = PermalinkField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "slug",
            "name",
            "acronym",
            "type",
            "ecosoc_status",
            "country",
            "website",
            "description",
            "permalink",
        ]


class RecordingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = ["id", "title", "provider", "url", "language_channel", "duration", "note"]


class SessionSerializer(serializers.ModelSerializer):
    hearing = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    part_of = serializers.PrimaryKeyRelatedField(source="parent", read_only=True, allow_null=True)
    permalink = PermalinkField()
    recordings = RecordingSerializer(many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "hearing",
            "part_of",
            "title",
            "kind",
            "date",
            "start_time",
            "end_time",
            "order",
            "chair",
            "recordings",
            "permalink",
        ]


class HearingSerializer(serializers.ModelSerializer):
    permalink = PermalinkField()

    class Meta:
        model = Hearing
        fields = [
            "id",
            "slug",
            "title",
            "convened_by",
            "organised_by",
            "start_date",
            "end_date",
            "format",
            "location",
            "description",
            "official_url",
            "permalink",
        ]


class HearingSummarySerializer(serializers.ModelSerializer):
    permalink = PermalinkField()

    class Meta:
        model = Hearing
        fields = ["id", "slug", "title", "permalink"]


class SessionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = ["id", "title", "order"]


class OrganisationSummarySerializer(serializers.ModelSerializer):
    permalink = PermalinkField()

    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "acronym", "type", "permalink"]


class ThemeSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "slug", "name"]


class InterventionSerializer(serializers.ModelSerializer):
    permalink = PermalinkField()
    hearing = HearingSummarySerializer(read_only=True)
    # An intervention may belong to the hearing as a whole.
    session = SessionSummarySerializer(read_only=True, allow_null=True)
    organisation = OrganisationSummarySerializer(read_only=True)
    on_behalf_of = OrganisationSummarySerializer(source="partner_list", many=True, read_only=True)
    # Never `speaker_name`: a withheld name stays in the archive only.
    speaker = serializers.CharField(source="public_speaker_name", read_only=True)
    role = serializers.CharField(source="hearing_role", read_only=True)
    themes = ThemeSummarySerializer(source="theme_list", many=True, read_only=True)
    recording_url = serializers.CharField(read_only=True)

    class Meta:
        model = Intervention
        fields = [
            "id",
            "permalink",
            "hearing",
            "session",
            "date",
            "organisation",
            "on_behalf_of",
            "speaker",
            "speaker_title",
            "role",
            "modality",
            "title",
            "summary",
            "language",
            "themes",
            "recording_url",
            "start_offset",
            "end_offset",
            "source_url",
            "published_at",
        ]


class InterventionDetailSerializer(InterventionSerializer):
    class Meta(InterventionSerializer.Meta):
        fields = [*InterventionSerializer.Meta.fields, "text_delivered", "text_is_excerpt", "text_submitted"]
