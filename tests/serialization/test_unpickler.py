"""The weights-only unpickler reads every pickle protocol's data opcodes like pickle.loads."""
import collections
import pickle

import pytest

from numtorch.serialization import _WeightsOnlyUnpickler

OBJECTS = [
    None, True, False, 0, 1, -1, 255, 256, 65535, 65536, -2 ** 31, 2 ** 31, 2 ** 63, -2 ** 100,
    10 ** 400, 0.0, -1.5, float("inf"), 1e-300, "", "ascii", "h\u00e9llo \u4e16\u754c \U0001F600",
    "x" * 300, b"", b"\x00\xff" * 200, bytearray(b"ab"), 1 + 2j, (), (1,), (1, 2), (1, 2, 3),
    (1, 2, 3, 4), [], [1, [2, [3]]], {}, {"a": 1, 2: "b", (3,): [4]}, {1, 2, 3}, frozenset({4}),
    collections.OrderedDict([("z", 1), ("a", 2)]), collections.Counter("hello"),
    [list(range(300)), {str(i): i for i in range(300)}],
]


def _shared():
    inner = [1, 2]
    return {"a": inner, "b": inner, "t": (inner, inner)}


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_matches_pickle_loads(protocol):
    for obj in OBJECTS + [_shared()]:
        data = pickle.dumps(obj, protocol=protocol)
        got, end = _WeightsOnlyUnpickler(data, None).load()
        want = pickle.loads(data)
        assert got == want and type(got) is type(want), (protocol, obj)
        assert end == len(data)
    got, _ = _WeightsOnlyUnpickler(pickle.dumps(_shared(), protocol=protocol), None).load()
    assert got["a"] is got["b"] is got["t"][0]  # memo sharing kept


def test_python2_strings_follow_encoding():
    data = b"\x80\x02U\x03caf.".replace(b"caf", b"caf")
    assert _WeightsOnlyUnpickler(data, None, encoding="bytes").load()[0] == b"caf"
    assert _WeightsOnlyUnpickler(data, None, encoding="latin1").load()[0] == "caf"
