// 待办 on the phone: the inspector's deadlines counted from what the phone holds (its tasks and the
// case clocks of its cases, from the pull), on the calendar of the last pull (deadlines.js), in
// the console's buckets: overdue, due today, due within 2 working days, provisional. The server's
// lists are authoritative; the phone only counts the dates the server sent.
import { calendarFrom, workingDaysAfter, cnDate } from './deadlines.js';

export const BUCKETS = ['overdue', 'today', 'soon', 'provisional'];
const SOON_WORKING_DAYS = 2;
const OPEN = ['open', 'started'];

// Open case clocks (立案 decision, 先行登记保存 …), the nearest first. A clock counts on its alert
// day: a natural-day limit's plain count (its 最迟 dueDate may be later), else its due date.
export function openClocks(clocks) {
  return clocks.filter((c) => c && c.status === 'open' && !c.deletedAt && (c.alertDate || c.dueDate))
    .sort((a, b) => (a.alertDate || a.dueDate).localeCompare(b.alertDate || b.dueDate));
}

export function todoCounts(tasks, calendarBlock, now = new Date(), clocks = []) {
  const cal = calendarFrom(calendarBlock);
  const today = cnDate(now);
  const soonUntil = workingDaysAfter(cal, today, SOON_WORKING_DAYS).date;
  const counts = Object.fromEntries(BUCKETS.map((b) => [b, 0]));
  const dated = [
    ...tasks.filter((task) => task.dueDate && !(task.status && !OPEN.includes(task.status)) && !task.deletedAt)
      .map((task) => [task.dueDate, task.dueProvisional]),
    ...openClocks(clocks).map((c) => [c.alertDate || c.dueDate, c.dueProvisional]),
  ];
  for (const [due, provisional] of dated) {
    if (due < today) counts.overdue += 1;
    else if (due === today) counts.today += 1;
    else if (due <= soonUntil) counts.soon += 1;
    if (provisional) counts.provisional += 1;
  }
  return counts;
}
