// Deadline arithmetic on the official working-day calendar, offline: the twin of
// inspector/services/calendar/deadlines.py (both run tests/vectors/deadlines.json).
//
// The calendar is the `calendar` block of a pull ({version, years: [{year, noticeNo, rest, work}]}),
// kept in IndexedDB (store.getCalendar). A year not in it is provisional: Monday–Friday less the
// fixed-date holidays (1/1, 5/1–2, 10/1–3); a due date whose count touched such a year says so
// (`provisional`, shown as 暂定). The server recomputes every deadline and its date wins.
//
// Dates are ISO strings (YYYY-MM-DD) for calendar days in Asia/Shanghai; arithmetic runs on UTC
// midnights, so the phone's own time zone never shifts a day.

const DAY_MS = 86400000;
const FIXED_HOLIDAYS = ['01-01', '05-01', '05-02', '10-01', '10-02', '10-03'];
const MAX_DAYS = 3660;

const toDay = (iso) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new Error(`not a date: ${iso}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY_MS;
};
const toISO = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const weekday = (day) => (new Date(day * DAY_MS).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6

// The calendar of a pull's block (null or absent: every year provisional).
export function calendarFrom(block) {
  const years = new Map();
  for (const y of (block && block.years) || []) {
    years.set(Number(y.year), { official: true, rest: new Set(y.rest || []), work: new Set(y.work || []) });
  }
  return { version: (block && block.version) || 0, years };
}

function yearOf(cal, year) {
  const known = cal.years.get(year);
  if (known) return known;
  return { official: false, rest: new Set(FIXED_HOLIDAYS.map((md) => `${year}-${md}`)), work: new Set() };
}

function working(cal, day) {
  const iso = toISO(day);
  const y = yearOf(cal, Number(iso.slice(0, 4)));
  const isWorking = y.work.has(iso) ? true : y.rest.has(iso) ? false : weekday(day) < 5;
  return { isWorking, official: y.official };
}

export function isWorkingDay(cal, iso) { return working(cal, toDay(iso)).isWorking; }
export function isOfficial(cal, year) { return yearOf(cal, Number(year)).official; }

function pauseRanges(pauses) {
  return (pauses || []).map(([first, last]) => {
    const a = toDay(first); const b = toDay(last);
    if (b < a) throw new Error(`a pause ends (${last}) before it starts (${first})`);
    return [a, b];
  });
}
const paused = (day, ranges) => ranges.some(([a, b]) => a <= day && day <= b);

function checkN(n) {
  if (!Number.isInteger(n) || n < 0 || n > MAX_DAYS) throw new Error(`a period is a whole number of days from 0 to ${MAX_DAYS}`);
}

// The n-th working day strictly after `start` (the start day is not counted), paused days not counted.
export function workingDaysAfter(cal, start, n, pauses = []) {
  checkN(n);
  const ranges = pauseRanges(pauses);
  let day = toDay(start); let counted = 0; let provisional = false;
  while (counted < n) {
    day += 1;
    const w = working(cal, day);
    provisional = provisional || !w.official;
    if (w.isWorking && !paused(day, ranges)) counted += 1;
  }
  return { date: toISO(day), provisional };
}

export function nextWorkingDay(cal, iso) {
  let day = toDay(iso); let provisional = false;
  for (;;) {
    const w = working(cal, day);
    provisional = provisional || !w.official;
    if (w.isWorking) return { date: toISO(day), provisional };
    day += 1;
  }
}

// The n-th day after `start` (paused days not counted), moved to the next working day when it
// is a rest day; `raw` is the day before the move.
export function naturalDaysAfter(cal, start, n, pauses = []) {
  checkN(n);
  const ranges = pauseRanges(pauses);
  let day = toDay(start); let counted = 0;
  while (counted < n) {
    day += 1;
    if (!paused(day, ranges)) counted += 1;
  }
  const legal = nextWorkingDay(cal, toISO(day));
  return { date: legal.date, provisional: legal.provisional, raw: toISO(day) };
}

// Working days d with a < d <= b; negative when b is before a.
export function workingDaysBetween(cal, a, b) {
  const from = toDay(a); const to = toDay(b);
  if (to < from) return -workingDaysBetween(cal, b, a);
  let count = 0;
  for (let day = from + 1; day <= to; day += 1) if (working(cal, day).isWorking) count += 1;
  return count;
}

// The Asia/Shanghai calendar date (UTC+8, no daylight saving) of an instant (ISO string or Date).
export function cnDate(instant) {
  const ms = (instant instanceof Date ? instant : new Date(instant)).getTime();
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${instant}`);
  return new Date(ms + 8 * 3600000).toISOString().slice(0, 10);
}

// Run test vectors (tests/vectors/deadlines.json); the failures, each with what was expected.
export function runVectors(cal, vectors) {
  const failures = [];
  for (const v of vectors) {
    let got;
    try {
      if (v.fn === 'is_working_day') got = isWorkingDay(cal, v.date);
      else if (v.fn === 'working_days_after') got = workingDaysAfter(cal, v.start, v.n, v.pauses || []);
      else if (v.fn === 'natural_days_after') got = naturalDaysAfter(cal, v.start, v.n, v.pauses || []);
      else if (v.fn === 'working_days_between') got = workingDaysBetween(cal, v.a, v.b);
      else if (v.fn === 'cn_date') got = cnDate(v.instant);
      else got = `unknown fn ${v.fn}`;
    } catch (err) {
      got = `error: ${err.message}`;
    }
    const expected = v.expect;
    const same = typeof expected === 'object' && expected !== null
      ? typeof got === 'object' && Object.keys(expected).every((k) => got[k] === expected[k])
      : got === expected;
    if (!same) failures.push({ id: v.id, expected, got });
  }
  return failures;
}
