from smartretail.memo import Recent


def test_a_value_is_read_again_once_it_is_older_than_its_seconds_or_forgotten():
    now, reads = [0.0], []
    recent = Recent(30, clock=lambda: now[0])

    def read():
        reads.append(now[0])
        return len(reads)

    assert recent.get("live", read) == 1
    now[0] = 29.0
    assert recent.get("live", read) == 1
    now[0] = 31.0
    assert recent.get("live", read) == 2
    recent.forget("live")
    assert recent.get("live", read) == 3
    assert reads == [0.0, 31.0, 31.0]


def test_an_answer_the_cache_refuses_is_served_anyway_and_a_fallbacks_is_not_kept():
    from smartretail.adapters.memory import MemoryResultCache
    from smartretail.memo import kept

    class TooBig(MemoryResultCache):
        def put(self, tenant_id, key, value, ttl_seconds):
            raise ValueError("Item size has exceeded the maximum allowed size")

    assert kept(TooBig(), "t1", "kpis", ["q"], lambda: {"a": 1}, 60) == {"a": 1}
    cache = MemoryResultCache()
    kept(cache, "t1", "kpis", ["q"], lambda: {"notes": ["unavailable"]}, 60, lambda a: not a["notes"])
    assert not cache.entries
    kept(cache, "t1", "kpis", ["q"], lambda: {"notes": []}, 60, lambda a: not a["notes"])
    assert len(cache.entries) == 1
