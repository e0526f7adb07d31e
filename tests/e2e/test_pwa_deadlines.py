"""The phone computes deadlines offline from the calendar it pulled, exactly as the server does:
the shared vectors (tests/vectors/deadlines.json) run through static/pwa/js/deadlines.js in Chromium."""
from __future__ import annotations

from ..deadline_vectors import vectors
from .pwa_helpers import login, wait_synced, watch_errors

RUN_VECTORS = """async ([vectors, useCalendar]) => {
  const d = await import('/app/js/deadlines.js');
  const store = await import('/app/js/store.js');
  const block = useCalendar ? await store.getCalendar() : null;
  const cal = d.calendarFrom(block);
  return { failures: d.runVectors(cal, vectors), years: cal.years.size };
}"""


def test_the_offline_phone_computes_every_vector_from_the_pulled_calendar(live_server, phone):
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_synced(page)
    phone.set_offline(True)
    result = page.evaluate(RUN_VECTORS, [vectors(), True])
    assert result["years"] == 23  # 2004–2026 from the pull, kept in IndexedDB
    assert result["failures"] == []
    # Without the pulled calendar the phone would count 调休 days wrong: the vectors can fail.
    bare = page.evaluate(RUN_VECTORS, [vectors(), False])
    assert any(f["id"].startswith("CAL-T1 9/20") for f in bare["failures"])
    page.click("[data-testid=open-settings]")
    page.click("[data-testid=open-diagnostics]")
    assert page.text_content("[data-testid=diag-calendar]") == "节假日安排：已载入 2004–2026 年；其后年份的期限为暂定"
    assert errors == []
