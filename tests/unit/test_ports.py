"""Reading objects through the ObjectStore port: lines are streamed whatever the chunk size."""

from smartretail.adapters.memory import MemoryObjectStore
from smartretail.ports import read_lines


def test_lines_come_whole_across_chunks_without_blank_lines_or_carriage_returns():
    store = MemoryObjectStore()
    store.put_bytes("b", "out/1.out", '{"a": "café"}\r\n\n{"b": 2}'.encode())
    store.put_bytes("b", "out/2.out", b'{"c": 3}\n')
    store.put_bytes("b", "other/x", b"not under the prefix\n")
    assert list(read_lines(store, "b", "out/", chunk_bytes=3)) == ['{"a": "café"}', '{"b": 2}', '{"c": 3}']
