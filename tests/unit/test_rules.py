"""The duplicate and visit rules of the write layer (tracker.write.rules): each
condition of a rule, taken away, makes one of these fail."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tracker.write.rules import (
    MeetingShape,
    PlaceInfo,
    PlaceTree,
    VisitShape,
    first_duplicate,
    same_meeting,
    shape,
    visit_to_join,
)

RUSSIA, MOSCOW, KREMLIN, RED_SQUARE, ST_PETERSBURG = 1, 2, 3, 4, 5
WITKOFF, KUSHNER, PUTIN, USHAKOV, LAVROV = 10, 11, 12, 13, 14


@pytest.fixture
def tree() -> PlaceTree:
    places = PlaceTree()
    places.add(RUSSIA, PlaceInfo("country", None, "RU"))
    places.add(MOSCOW, PlaceInfo("city", RUSSIA, "RU"))
    places.add(KREMLIN, PlaceInfo("venue", MOSCOW, "RU"))
    places.add(RED_SQUARE, PlaceInfo("venue", MOSCOW, "RU"))
    places.add(ST_PETERSBURG, PlaceInfo("city", RUSSIA, "RU"))
    return places


def _talks(tree: PlaceTree, **change: object) -> MeetingShape:
    values: dict[str, object] = {
        "handle": 1,
        "kind": "talks",
        "earliest": date(2025, 12, 2),
        "latest": date(2025, 12, 3),
        "place": KREMLIN,
        "destination": MOSCOW,
        "envoys": [WITKOFF, KUSHNER],
        "counterparts": [PUTIN, USHAKOV],
    }
    values.update(change)
    return shape(tree, **values)  # type: ignore[arg-type]


def test_the_same_talks_logged_again_are_a_duplicate(tree: PlaceTree) -> None:
    again = _talks(tree, handle=2, earliest=date(2025, 12, 2), latest=date(2025, 12, 2),
                   envoys=[WITKOFF], counterparts=[PUTIN])  # fmt: skip
    assert same_meeting(again, _talks(tree))


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "walk"},  # the walk on Red Square and the talks: two meetings
        {"earliest": date(2025, 12, 4), "latest": date(2025, 12, 4)},  # other days
        {"place": RED_SQUARE},  # another venue in the same city
        {"place": ST_PETERSBURG, "destination": ST_PETERSBURG},  # another city
        {"envoys": [LAVROV], "counterparts": [PUTIN]},  # no shared envoy
        {"counterparts": [LAVROV]},  # no shared counterpart
        {"counterparts": []},  # no counterpart to share
    ],
)
def test_each_condition_of_the_duplicate_rule_matters(
    tree: PlaceTree, change: dict[str, object]
) -> None:
    other = _talks(tree, handle=2, **change)
    assert not same_meeting(other, _talks(tree))
    assert first_duplicate(other, [_talks(tree)]) is None


def test_without_a_venue_the_city_decides(tree: PlaceTree) -> None:
    in_moscow = _talks(tree, handle=2, place=MOSCOW)
    assert same_meeting(in_moscow, _talks(tree))
    assert not same_meeting(replace(in_moscow, city=ST_PETERSBURG), _talks(tree))


def test_a_kind_not_stated_matches_any_kind(tree: PlaceTree) -> None:
    assert same_meeting(_talks(tree, handle=2, kind=None), _talks(tree))


def test_the_earliest_duplicate_is_the_one(tree: PlaceTree) -> None:
    first = _talks(tree, handle=1)
    second = _talks(tree, handle=2, earliest=date(2025, 12, 3))
    found = first_duplicate(_talks(tree, handle=3), [second, first])
    assert found is first


def test_a_meeting_joins_a_visit_one_of_its_envoys_took() -> None:
    trip = VisitShape(7, MOSCOW, date(2025, 12, 2), date(2025, 12, 3), {WITKOFF, KUSHNER})
    assert visit_to_join([trip], [KUSHNER], MOSCOW, date(2025, 12, 3), date(2025, 12, 3))
    assert visit_to_join([trip], [LAVROV], MOSCOW, date(2025, 12, 2), date(2025, 12, 2)) is None
    assert visit_to_join([trip], [WITKOFF], MOSCOW, date(2025, 12, 5), date(2025, 12, 5)) is None
    assert visit_to_join([trip], [WITKOFF], RUSSIA, date(2025, 12, 2), date(2025, 12, 2)) is None
