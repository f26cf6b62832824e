"""The one YAML loader for every file eventstudy reads (event files, claims files).

:func:`load_yaml_mapping` is PyYAML's safe loader with the edges closed:

- a key repeated in one mapping is an error naming the key and both lines
  (PyYAML would silently keep the last value);
- an impossible date (``2025-02-30``, ``2025-13-27``) is an error naming the
  field and line (PyYAML raises a bare ``ValueError``);
- a document larger than :data:`MAX_BYTES` or with more than
  :data:`MAX_ALIASES` aliases is refused before it is built, so an alias bomb
  costs milliseconds, not gigabytes;
- a file that is not valid UTF-8, is empty, or whose top level is not a
  mapping is refused without echoing its contents.

Every error is raised as the caller's error class (``EventFileError``,
``ClaimsFileError``), with the file path first in the message.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MAX_ALIASES", "MAX_BYTES", "MAX_EXPANDED_NODES", "did_you_mean", "load_yaml_mapping", "short_repr"]

#: Largest YAML document read, in bytes.
MAX_BYTES = 1_000_000
#: Most aliases (``*name``) one document may use.
MAX_ALIASES = 200
#: Most values a document may hold once its aliases are expanded.
MAX_EXPANDED_NODES = 100_000

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = 6
_repr.maxdict = 6
_repr.maxlevel = 2


def short_repr(value: Any) -> str:
    """``repr`` of ``value`` cut to a readable length (never echoes a whole document)."""
    return _repr.repr(value)


def did_you_mean(word: str, allowed: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest allowed word, or ``''``."""
    close = difflib.get_close_matches(str(word), sorted(allowed), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Refused(Exception):
    """Raised inside the loader; turned into the caller's error class."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that counts aliases while composing and names bad dates."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.paths: dict[int, str] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _Refused(
                    f"line {mark.line + 1}: more than {MAX_ALIASES} aliases (*name); "
                    "refused as a possible alias bomb"
                )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            field = self.paths.get(id(node), "?")
            raise _Refused(
                f"field `{field}` (line {node.start_mark.line + 1}): expected a valid date "
                f"YYYY-MM-DD, received {node.value!r} ({exc})"
            ) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


def _expanded_size(node: Node, sizes: dict[int, int]) -> int:
    """Number of values ``node`` stands for once every alias is expanded (memoised)."""
    key = id(node)
    if key not in sizes:
        sizes[key] = 1  # a cycle counts once
        if isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        else:
            children = []
        sizes[key] = 1 + sum(_expanded_size(c, sizes) for c in children)
    return sizes[key]


def _walk(node: Node, path: str, loader: _StrictLoader, seen: set[int]) -> None:
    """Record each node's field path; refuse duplicate keys (once per shared node)."""
    if id(node) in seen:
        return
    seen.add(id(node))
    loader.paths[id(node)] = path or "(top level)"
    if isinstance(node, MappingNode):
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else repr(key_node)
            line = key_node.start_mark.line + 1
            if key in first_line and key != "<<":
                where = f"{path}.{key}" if path else str(key)
                raise _Refused(
                    f"field `{where}`: key {key!r} appears twice (lines {first_line[key]} and "
                    f"{line}); expected each key once"
                )
            first_line[key] = line
            _walk(value_node, f"{path}.{key}" if path else str(key), loader, seen)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, f"{path}[{i}]", loader, seen)


def load_yaml_mapping(path: str | Path, error: type[Exception], what: str) -> dict[str, Any]:
    """Read ``path`` as one strict YAML mapping.

    Parameters
    ----------
    path
        The file to read.
    error
        Exception class raised for every problem (called with one message).
    what
        Words for the file in messages (``"event file"``, ``"claims file"``).

    Returns
    -------
    dict
        The top-level mapping, keys as strings.

    Raises
    ------
    error
        Unreadable, too large, not UTF-8, not YAML, empty, not a mapping, a
        duplicate key, an impossible date, too many aliases, a non-string key.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise error(f"{p}: {what} not found.") from None
    except OSError as exc:
        raise error(f"{p}: cannot read {what} ({exc.strerror or exc}).") from None
    if len(data) > MAX_BYTES:
        raise error(f"{p}: expected a {what} of at most {MAX_BYTES:,} bytes, received {len(data):,}.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"{p}: expected a UTF-8 text {what}, but byte {exc.start} is not UTF-8 "
            "(saved as UTF-16 or another encoding?)."
        ) from None
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise error(f"{p}: the {what} is empty; expected a mapping of fields.")
        if not isinstance(node, MappingNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a single value"
            raise error(f"{p}: expected a mapping of fields at the top level, received {kind}.")
        size = _expanded_size(node, {})
        if size > MAX_EXPANDED_NODES:
            raise _Refused(
                f"expands to {size:,} values through its aliases, more than "
                f"{MAX_EXPANDED_NODES:,}; refused as a possible alias bomb"
            )
        _walk(node, "", loader, set())
        doc = loader.construct_document(node)
    except _Refused as exc:
        raise error(f"{p}: {exc}.") from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise error(f"{p}: invalid YAML: {detail}") from None
    except RecursionError:
        raise error(f"{p}: expected a {what} nested at most a few levels deep.") from None
    finally:
        loader.dispose()
    for key in doc:
        if not isinstance(key, str):
            raise error(f"{p}: expected field names that are strings, received {short_repr(key)}.")
    return dict(doc)
