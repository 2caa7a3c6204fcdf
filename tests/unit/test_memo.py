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
