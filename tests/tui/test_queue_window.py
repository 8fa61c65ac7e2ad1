"""Which chunk of a long queue is fetched how: the window's plan, without a database."""

from tui.desk.queue_window import CHUNK, MAX_CHUNKS, QueueWindow


def test_a_jump_is_fetched_from_the_nearer_end():
    window: QueueWindow[int] = QueueWindow()
    generation = window.reset(keep_stale=False)
    window.set_total(generation, 1_000_050)
    (near_start,) = [f for f in window.wanted(300, 310) if f.chunk == 3]
    assert (near_start.offset, near_start.from_end) == (300, False)
    last = window.wanted(1_000_049, 1_000_049)
    assert [(f.chunk, f.offset, f.from_end, f.limit) for f in last] == [(10_000, 0, True, 50)]
    before_last = window.wanted(999_990, 999_999)
    assert [(f.chunk, f.offset, f.from_end, f.limit) for f in before_last] == [(9_999, 50, True, CHUNK)]


def test_the_chunk_after_a_loaded_one_follows_its_cursor():
    window: QueueWindow[int] = QueueWindow()
    generation = window.reset(keep_stale=False)
    window.set_total(generation, 1_000)
    (first,) = [f for f in window.wanted(950, 960) if f.chunk == 9]
    assert first.from_end and first.limit == CHUNK
    assert window.store(first, list(range(900, 1_000)), None)
    assert window.row(999) == (999, False)
    window.reset(keep_stale=False)
    generation = window.generation
    window.set_total(generation, 1_000)
    middle, ahead = window.wanted(700, 701)  # the chunk shown and one ahead, both from the end
    assert (middle.chunk, ahead.chunk, ahead.offset, ahead.from_end) == (7, 8, 100, True)
    window.store(middle, list(range(700, 800)), "cursor-after-799")
    window.failed(ahead)
    (after, _) = window.wanted(800, 801)
    assert (after.after, after.offset, after.from_end) == ("cursor-after-799", 0, False)


def test_memory_is_bounded_and_old_generations_are_dropped():
    window: QueueWindow[int] = QueueWindow()
    generation = window.reset(keep_stale=False)
    window.set_total(generation, CHUNK * (MAX_CHUNKS + 10))
    pending = {}
    for chunk in range(MAX_CHUNKS + 10):
        pending |= {f.chunk: f for f in window.wanted(chunk * CHUNK, chunk * CHUNK)}
        window.store(pending.pop(chunk), [chunk] * CHUNK, None)
    assert sum(window.loaded(c * CHUNK) for c in range(MAX_CHUNKS + 10)) == MAX_CHUNKS
    assert not window.loaded(0)  # the least recently shown went first
    stale = window.wanted(0, 0)[0]
    window.reset(keep_stale=True)
    assert not window.store(stale, [1], None)


def test_a_kept_count_is_not_trusted_to_count_back_from_the_end():
    window: QueueWindow[int] = QueueWindow()
    window.set_total(window.reset(keep_stale=False), 1_000)
    generation = window.reset(keep_stale=True)  # a reload: the old count stays on screen meanwhile
    (last, *_) = window.wanted(990, 999)
    assert (last.chunk, last.offset, last.from_end) == (9, 900, False)
    window.failed(last)
    window.set_total(generation, 1_001)
    (last, *_) = window.wanted(990, 999)
    assert (last.chunk, last.offset, last.from_end, last.limit) == (9, 1, True, CHUNK)
    assert not window.wanted(0, 0)[0].from_end  # the first chunk always walks from the start
