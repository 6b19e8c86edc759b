"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("wikidata", sa.String(length=20), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("uid", name=op.f("uq_person_uid")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_key"), ["key"], unique=False)

    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('country', 'region', 'city', 'venue')", name=op.f("ck_place_kind")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["place.id"], name=op.f("fk_place_parent_id_place"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
        sa.UniqueConstraint("uid", name=op.f("uq_place_uid")),
    )
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_place_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("publisher", sa.String(length=300), nullable=True),
        sa.Column("title", sa.String(length=1000), nullable=True),
        sa.Column("published", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("uid", name=op.f("uq_source_uid")),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_url"), ["url"], unique=False)

    op.create_table(
        "person_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_alias_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_alias")),
        sa.UniqueConstraint(
            "person_id", "name", "lang", name=op.f("uq_person_alias_person_id_name_lang")
        ),
    )
    with op.batch_alter_table("person_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_alias_key"), ["key"], unique=False)

    op.create_table(
        "person_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=True),
        sa.Column("start_edtf", sa.String(length=64), nullable=True),
        sa.Column("end_edtf", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_role_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_role")),
    )
    with op.batch_alter_table("person_role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_role_person_id"), ["person_id"], unique=False)

    op.create_table(
        "place_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["place.id"],
            name=op.f("fk_place_alias_place_id_place"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_alias")),
        sa.UniqueConstraint(
            "place_id", "name", "lang", name=op.f("uq_place_alias_place_id_name_lang")
        ),
    )
    with op.batch_alter_table("place_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_alias_key"), ["key"], unique=False)

    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("destination_id", sa.Integer(), nullable=True),
        sa.Column("edtf", sa.String(length=64), nullable=False),
        sa.Column("earliest", sa.Date(), nullable=False),
        sa.Column("latest", sa.Date(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("latest >= earliest", name=op.f("ck_visit_bounds")),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["place.id"],
            name=op.f("fk_visit_destination_id_place"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
        sa.UniqueConstraint("uid", name=op.f("uq_visit_uid")),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_destination_id"), ["destination_id"], unique=False
        )
        batch_op.create_index("ix_visit_earliest_latest", ["earliest", "latest"], unique=False)

    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("edtf", sa.String(length=64), nullable=False),
        sa.Column("earliest", sa.Date(), nullable=False),
        sa.Column("latest", sa.Date(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("duration_qualifier", sa.String(length=16), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("outcome_summary", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "duration_qualifier IN ('exact', 'about', 'at-least', 'at-most')",
            name=op.f("ck_meeting_duration_qualifier"),
        ),
        sa.CheckConstraint(
            "kind IN ('talks', 'meeting', 'summit', 'call', 'working-meal', 'walk', 'press-event', 'other')",
            name=op.f("ck_meeting_kind"),
        ),
        sa.CheckConstraint(
            "outcome IN ('agreement', 'partial-agreement', 'no-agreement', 'postponed', 'unknown')",
            name=op.f("ck_meeting_outcome"),
        ),
        sa.CheckConstraint(
            "status IN ('announced', 'held', 'cancelled', 'postponed')",
            name=op.f("ck_meeting_status"),
        ),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes >= 0", name=op.f("ck_meeting_duration")
        ),
        sa.CheckConstraint("latest >= earliest", name=op.f("ck_meeting_bounds")),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["place.id"], name=op.f("fk_meeting_venue_id_place"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_meeting_visit_id_visit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint("uid", name=op.f("uq_meeting_uid")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_earliest_latest", ["earliest", "latest"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_venue_id"), ["venue_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "visit_source",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_visit_source_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
            name=op.f("fk_visit_source_visit_id_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", "source_id", name=op.f("pk_visit_source")),
    )
    with op.batch_alter_table("visit_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_source_source_id"), ["source_id"], unique=False)

    op.create_table(
        "visit_traveller",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_visit_traveller_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
            name=op.f("fk_visit_traveller_visit_id_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", "person_id", name=op.f("pk_visit_traveller")),
    )
    with op.batch_alter_table("visit_traveller", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_traveller_person_visit", ["person_id", "visit_id"], unique=False
        )

    op.create_table(
        "meeting_participant",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "role IN ('envoy', 'host', 'principal', 'delegate', 'adviser', 'interpreter', 'observer')",
            name=op.f("ck_meeting_participant_role"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_participant_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_meeting_participant_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "person_id", name=op.f("pk_meeting_participant")),
    )
    with op.batch_alter_table("meeting_participant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_meeting_participant_person_meeting", ["person_id", "meeting_id"], unique=False
        )

    op.create_table(
        "meeting_source",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_source_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_meeting_source_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "source_id", name=op.f("pk_meeting_source")),
    )
    with op.batch_alter_table("meeting_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_source_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "meeting_topic",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_topic_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "topic", name=op.f("pk_meeting_topic")),
    )
    with op.batch_alter_table("meeting_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_topic_key"), ["key"], unique=False)

    op.create_table(
        "statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("edtf", sa.String(length=64), nullable=False),
        sa.Column("earliest", sa.Date(), nullable=False),
        sa.Column("latest", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('quote', 'readout', 'assessment', 'reaction')", name=op.f("ck_statement_kind")
        ),
        sa.CheckConstraint("latest >= earliest", name=op.f("ck_statement_bounds")),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_statement_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["person.id"],
            name=op.f("fk_statement_speaker_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement")),
        sa.UniqueConstraint("uid", name=op.f("uq_statement_uid")),
    )
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_statement_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "statement_source",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_statement_source_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_statement_source_statement_id_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("statement_id", "source_id", name=op.f("pk_statement_source")),
    )
    with op.batch_alter_table("statement_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statement_source_source_id"), ["source_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("statement_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_source_source_id"))

    op.drop_table("statement_source")
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_statement_meeting_id"))

    op.drop_table("statement")
    with op.batch_alter_table("meeting_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_topic_key"))

    op.drop_table("meeting_topic")
    with op.batch_alter_table("meeting_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_source_source_id"))

    op.drop_table("meeting_source")
    with op.batch_alter_table("meeting_participant", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_participant_person_meeting")

    op.drop_table("meeting_participant")
    with op.batch_alter_table("visit_traveller", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_traveller_person_visit")

    op.drop_table("visit_traveller")
    with op.batch_alter_table("visit_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_source_source_id"))

    op.drop_table("visit_source")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_visit_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_venue_id"))
        batch_op.drop_index("ix_meeting_earliest_latest")

    op.drop_table("meeting")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_earliest_latest")
        batch_op.drop_index(batch_op.f("ix_visit_destination_id"))

    op.drop_table("visit")
    with op.batch_alter_table("place_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_alias_key"))

    op.drop_table("place_alias")
    with op.batch_alter_table("person_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_role_person_id"))

    op.drop_table("person_role")
    with op.batch_alter_table("person_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_alias_key"))

    op.drop_table("person_alias")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_url"))

    op.drop_table("source")
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_parent_id"))
        batch_op.drop_index(batch_op.f("ix_place_key"))

    op.drop_table("place")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_key"))

    op.drop_table("person")
