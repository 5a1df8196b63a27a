"""botocore's ``endpoints.json`` kept as text per service, each service decoded the first time it is looked up.

botocore's endpoint resolver (``botocore.regions.EndpointResolver``) holds the whole of ``endpoints.json``: about
1,170 service entries in 8 partitions, 4.1 MB of dicts, in every process that makes a client. A lab kernel looks
up a few of them (the services its clients and moto's backends use: the resolver reads ``partition["services"]``
with ``in``, ``[name]`` and ``.get(name)``). :func:`decode` reads the document as ``json`` does, except that each
partition's ``"services"`` is a :class:`ServicesOnDemand`: a dict that holds each service's JSON text (about 1 MB
for all) and decodes one into an ordinary dict, once, the first time its value is read (by name, or by anything
that reads the values: ``.items()``, ``==``, a copy, ``json.dumps``).

The shared botocore loader (labkit/emulator/speedups.py) decodes ``endpoints.json`` this way. The file is walked
member by member (``json.JSONDecoder.raw_decode``): each service's dicts are built and dropped in turn, so this
costs about what decoding the file does (~15 ms) and never holds the whole of it.

Upstream change (botocore): none needed; a resolver that loads a partition's services on demand.
"""
from __future__ import annotations

import json
import threading

_decoder = json.JSONDecoder()
_space = json.decoder.WHITESPACE.match


class ServicesOnDemand(dict):
    """A partition's ``services``: service name → its endpoint data, each decoded from its JSON text on first read.

    Its keys are the dict's own (``in``, ``len``, iterating names need no decoding). Until a service is read, the
    dict holds its JSON text; reading it (``[name]``, ``.get``, ``.values()``, ``.items()``, ``==``, a copy,
    ``json.dumps``, ``dict(services)``) stores the decoded dict in its place, once, an ordinary dict (botocore
    writes what it resolves into it, as it does into its own)."""

    def __getitem__(self, name):
        value = dict.__getitem__(self, name)
        if type(value) is str:
            with _lock:
                value = dict.__getitem__(self, name)
                if type(value) is str:
                    value = json.loads(value)
                    dict.__setitem__(self, name, value)
        return value

    def get(self, name, default=None):
        return self[name] if name in self else default

    def __iter__(self):  # a method of its own: dict(), {**...} and dict.update then read values through []
        return dict.__iter__(self)

    def values(self):
        return [self[name] for name in self]

    def items(self):
        return [(name, self[name]) for name in self]

    def pop(self, name, *default):
        if name in self:
            value = self[name]
            del self[name]
            return value
        return dict.pop(self, name, *default)

    def popitem(self):
        if not self:
            return dict.popitem(self)  # dict's KeyError
        name = next(reversed(self))
        return name, self.pop(name)

    def setdefault(self, name, default=None):
        return self[name] if name in self else dict.setdefault(self, name, default)

    def copy(self) -> dict:
        return dict(self.items())

    def __eq__(self, other):
        return dict(self.items()) == other

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __or__(self, other):
        return dict(self.items()) | other

    def __ror__(self, other):
        return other | dict(self.items())

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self):
        return (dict, (self.items(),))


_lock = threading.Lock()  # one thread decodes a service at a time


def decode(text: str):
    """``endpoints.json``'s document from its ``text``: as ``json.loads(text)`` gives it, except that each
    partition's ``services`` is a :class:`ServicesOnDemand`. Raises ``json.JSONDecodeError`` (a ``ValueError``)
    as ``json.loads`` does; a document of another shape is returned as ``json.loads`` returns it."""
    at = _space(text, 0).end()
    if not text.startswith("{", at):
        return json.loads(text)
    document, at = _object(text, at, _partitions_member)
    if text[_space(text, at).end():]:
        return json.loads(text)  # extra data: json's own error
    return document


def _partitions_member(text: str, key: str, at: int):
    """The top-level member ``key`` starting at ``at``: a list of partitions for "partitions"."""
    if key == "partitions" and text.startswith("[", at):
        return _array(text, at, lambda text, at: _object(text, at, _services_member)
                      if text.startswith("{", at) else _decoder.raw_decode(text, at))
    return _decoder.raw_decode(text, at)


def _services_member(text: str, key: str, at: int):
    """A partition's member ``key`` starting at ``at``: a :class:`ServicesOnDemand` for "services"."""
    if key != "services" or not text.startswith("{", at):
        return _decoder.raw_decode(text, at)
    def keep_text(text, name, at):
        _, end = _decoder.raw_decode(text, at)  # decoded and dropped: checks it, and finds where it ends
        return text[at:end], end

    texts, end = _object(text, at, keep_text)
    return ServicesOnDemand(texts), end


def _object(text: str, at: int, member) -> tuple[dict, int]:
    """The JSON object starting at ``text[at]`` ("{"), each value read by ``member(text, key, at)`` → (value,
    end); returns (the dict, the index after "}")."""
    result = {}
    at = _space(text, at + 1).end()
    if text.startswith("}", at):
        return result, at + 1
    while True:
        key, at = _decoder.raw_decode(text, at)
        if not isinstance(key, str):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, at)
        at = _space(text, at).end()
        if not text.startswith(":", at):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, at)
        value, at = member(text, key, _space(text, at + 1).end())
        result[key] = value
        at = _space(text, at).end()
        if text.startswith("}", at):
            return result, at + 1
        if not text.startswith(",", at):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
        at = _space(text, at + 1).end()


def _array(text: str, at: int, item) -> tuple[list, int]:
    """The JSON array starting at ``text[at]`` ("["), each item read by ``item(text, at)`` → (value, end)."""
    result = []
    at = _space(text, at + 1).end()
    if text.startswith("]", at):
        return result, at + 1
    while True:
        value, at = item(text, at)
        result.append(value)
        at = _space(text, at).end()
        if text.startswith("]", at):
            return result, at + 1
        if not text.startswith(",", at):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
        at = _space(text, at + 1).end()
