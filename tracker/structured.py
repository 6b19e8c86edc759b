"""JSON and YAML text into plain values, within bounds; and plain values into YAML.

Documents and mapping files come from anywhere, so reading one never costs more than
the file's own size, and never changes a value on the way:

- **No YAML aliases.** ``*name`` re-uses a node; nested aliases grow without bound
  when a value is copied or formatted (ten levels of nine make 3.5 billion strings
  out of 700 bytes). A tracker document never needs them, so an alias is refused
  where it stands; an anchor alone (``&name``) is a harmless label. Merge keys
  (``<<``) need aliases and are ordinary text here.
- **Nesting** is bounded (``MAX_DEPTH``), checked while a YAML document is composed
  and right after JSON is decoded (a document deeper than the interpreter's stack
  fails the same way), so nothing recurses without limit.
- **Each key once.** A key given twice in one mapping (JSON or YAML) is refused
  naming the key: the last one winning would drop a value without a word.
- **Text stays as written.** YAML 1.1 reads ``0x1F`` as 31, ``12:30`` as 750,
  ``1_000`` as 1000, ``yes`` as true and ``2025-02-29`` as a date (or an error). Here
  a plain scalar is only null (``~``, ``null``, nothing), a boolean (``true``,
  ``false``), an integer written as JSON writes it (``-12``), or a decimal with a
  point (``55.75``, ``1.0e+20``); everything else is the text as written, and the
  date parser sees ``2025-02-29`` as text. A decimal written another way than Python
  would (``1.50``) remembers its text, so a text field keeps ``1.50``.
- **Numbers** longer than ``MAX_DIGITS`` digits are read as their text (never given
  to ``int()``, which refuses more than 4,300 digits), so a number field refuses them
  by name. JSON's non-standard ``NaN`` and ``Infinity`` are refused.
- **Tags**: only the core ones (``!!str``, ``!!int``, ``!!float``, ``!!bool``,
  ``!!null``, ``!!seq``, ``!!map``); ``!!python/...``, ``!!timestamp``, ``!!binary``,
  ``!!set`` and the rest are refused, so nothing is constructed but plain data.

With libyaml installed, its scanner and parser feed the composer here (about ten
times faster than PyYAML's own); without it, PyYAML's pure-Python ones do, with the
same result.

The writer (``yaml_text``) never writes an alias, and quotes text that PyYAML would
otherwise write in a form it cannot read back (U+0085 in a single-quoted scalar).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.error import MarkedYAMLError
from yaml.events import AliasEvent, Event, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from tracker.errors import InvalidInput
from tracker.limits import MAX_DEPTH, MAX_DIGITS

DEPTH = f"a document nested at most {MAX_DEPTH} levels deep"
LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


class WrittenFloat(float):
    """A decimal that remembers how it was written (``1.50``, ``1E5``): a number where a
    number is read, and its own text where text is."""

    written: str

    def __new__(cls, written: str) -> WrittenFloat:
        number = super().__new__(cls, written)
        number.written = written
        return number

    def __str__(self) -> str:
        return self.written


def _number(written: str) -> float:
    value = float(written)
    return value if repr(value) == written else WrittenFloat(written)


class _Mark(Protocol):
    """Where in a YAML text (PyYAML's and libyaml's marks both have these)."""

    line: int
    column: int


class Refused(Exception):
    """A document that is well-formed but not one tracker reads; ``expected`` says what
    it should have been, ``mark`` where in a YAML text the problem is."""

    def __init__(self, expected: str, mark: _Mark | None = None) -> None:
        super().__init__(expected)
        self.expected = expected
        self.mark = mark


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


# -- JSON -----------------------------------------------------------------------------


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise Refused(f"each key once in an object, got {_shown(key)} twice")
            seen.add(key)
    return mapping


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _json_int(written: str) -> int | str:
    return written if len(written.lstrip("-")) > MAX_DIGITS else int(written)


def _json_constant(written: str) -> float:
    raise Refused(f"a JSON document ({written} is not a JSON number)")


def _too_deep(value: Any) -> bool:
    """Whether ``value`` nests more than ``MAX_DEPTH`` lists and mappings (without
    recursing)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return False


def _json(text: str) -> Any:
    try:
        data = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_int=_json_int,
            parse_float=_number,
            parse_constant=_json_constant,
        )
    except json.JSONDecodeError as exc:
        raise Refused(
            f"a JSON document (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise Refused(DEPTH) from None
    if isinstance(data, dict | list) and _too_deep(data):
        raise Refused(DEPTH)
    if _SURROGATE_ESCAPE.search(text):
        half = _half_pair(data)
        if half is not None:
            raise Refused(f"text in Unicode, got half a surrogate pair in {_shown(half)}")
    return data


def _half_pair(value: Any) -> str | None:
    """The first string in ``value`` (a key or a value) that holds half a surrogate pair,
    which JSON can escape (``\\ud800``) but no database or file can store."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return item
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


# -- YAML -----------------------------------------------------------------------------

_INT = re.compile(rf"0|-?[1-9][0-9]{{0,{MAX_DIGITS - 1}}}")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+][0-9]+)?")
_ANY_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


class _Resolver(BaseResolver):
    """The implicit types of a plain scalar: null, booleans, and numbers written as JSON
    writes them; everything else is text."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(rf"^(?:{_INT.pattern})$"), list("-0123456789")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(rf"^(?:{_FLOAT.pattern})$"), list("-0123456789")
)


class _Composer(Composer):
    """Refuses aliases and counts nesting as nodes are composed."""

    depth = 0

    if TYPE_CHECKING:  # provided by the parser mixed in (libyaml's or PyYAML's)

        def check_event(self, *choices: type[Event]) -> bool: ...
        def peek_event(self) -> Event: ...
        def get_event(self) -> Event: ...

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.get_event()
            assert isinstance(event, AliasEvent)
            raise Refused(
                "a document without aliases (tracker documents never need them), "
                f"got *{event.anchor}",
                event.start_mark,
            )
        if not self.check_event(SequenceStartEvent, MappingStartEvent):
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Refused(DEPTH, self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Constructor(SafeConstructor):
    """Plain data only: text, numbers, booleans, null, lists and mappings; each key
    once."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        mapping: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise Refused("text or a number as each key", key_node.start_mark)
            if key in mapping:
                raise Refused(
                    f"each key once in a mapping, got {_shown(key)} twice", key_node.start_mark
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_plain_bool(self, node: ScalarNode) -> bool:
        value = str(self.construct_scalar(node))
        if value.lower() not in ("true", "false"):
            raise Refused(f"true or false for !!bool, got {_shown(value)}", node.start_mark)
        return value.lower() == "true"

    def construct_plain_int(self, node: ScalarNode) -> int:
        value = str(self.construct_scalar(node))
        if not _INT.fullmatch(value):
            raise Refused(
                f"a whole number of at most {MAX_DIGITS} digits for !!int, got {_shown(value)}",
                node.start_mark,
            )
        return int(value)

    def construct_plain_float(self, node: ScalarNode) -> float:
        value = str(self.construct_scalar(node))
        if not _ANY_FLOAT.fullmatch(value):
            raise Refused(f"a decimal number for !!float, got {_shown(value)}", node.start_mark)
        return _number(value)

    # Every tag not listed is refused (construct_undefined).
    yaml_constructors: ClassVar[dict[str | None, Any]] = {
        "tag:yaml.org,2002:null": SafeConstructor.construct_yaml_null,
        "tag:yaml.org,2002:bool": construct_plain_bool,
        "tag:yaml.org,2002:int": construct_plain_int,
        "tag:yaml.org,2002:float": construct_plain_float,
        "tag:yaml.org,2002:str": SafeConstructor.construct_yaml_str,
        "tag:yaml.org,2002:seq": SafeConstructor.construct_yaml_seq,
        "tag:yaml.org,2002:map": SafeConstructor.construct_yaml_map,
        None: SafeConstructor.construct_undefined,
    }


class _Loader(_Composer, _Constructor, _Resolver):
    """Composer, constructor and resolver; the events come from a parser mixed in."""

    def __init__(self) -> None:
        _Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


class _PythonLoader(Reader, Scanner, Parser, _Loader):
    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Loader.__init__(self)


@functools.cache
def _loader_class() -> Callable[[str], _Loader]:
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        return _PythonLoader

    class _LibyamlLoader(_Loader, CParser):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            _Loader.__init__(self)

    return _LibyamlLoader


def _yaml(text: str) -> Any:
    loader: Any = _loader_class()(text)
    try:
        return loader.get_single_data()
    except Refused:
        raise
    except yaml.YAMLError as exc:
        where, problem = "", type(exc).__name__
        if isinstance(exc, MarkedYAMLError):
            problem = exc.problem or problem
            if exc.problem_mark is not None:
                where = _where(exc.problem_mark)
        if problem == LIBYAML_TOO_DEEP:  # libyaml's scanner looks ahead past our count
            raise Refused(DEPTH + where) from None
        raise Refused(f"a YAML document{where}: {problem}") from None


def _where(mark: _Mark) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})"


# -- the entry points -----------------------------------------------------------------


def parse_text(text: str, *, origin: str, kind: str) -> Any:
    """The value of JSON (``kind`` ``json``) or YAML text; raise InvalidInput naming
    ``origin`` for anything that is not a document tracker reads."""
    try:
        return _json(text) if kind == "json" else _yaml(text)
    except Refused as exc:
        where = _where(exc.mark) if exc.mark is not None else ""
        raise InvalidInput(origin, exc.expected + where) from None


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: _Dumper, text: str) -> yaml.ScalarNode:
    # PyYAML writes U+0085 (NEL) raw in a plain or single-quoted scalar and reads it
    # back as a line break; in double quotes it is escaped as \N.
    style = '"' if "\x85" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(WrittenFloat, yaml.SafeDumper.represent_float)


def yaml_text(value: Any) -> str:
    """``value`` as block-style YAML (keys in their order, Unicode as itself), that
    ``parse_text`` reads back the same."""
    return str(yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100))
