// 待办 on the phone: the inspector's deadlines counted from what the phone holds (its tasks from
// the pull), on the calendar of the last pull (deadlines.js), in the console's buckets: overdue,
// due today, due within 2 working days, provisional. The server's lists are authoritative.
import { calendarFrom, workingDaysAfter, cnDate } from './deadlines.js';

export const BUCKETS = ['overdue', 'today', 'soon', 'provisional'];
const SOON_WORKING_DAYS = 2;
const OPEN = ['open', 'started'];

export function todoCounts(tasks, calendarBlock, now = new Date()) {
  const cal = calendarFrom(calendarBlock);
  const today = cnDate(now);
  const soonUntil = workingDaysAfter(cal, today, SOON_WORKING_DAYS).date;
  const counts = Object.fromEntries(BUCKETS.map((b) => [b, 0]));
  for (const task of tasks) {
    if (!task.dueDate || (task.status && !OPEN.includes(task.status)) || task.deletedAt) continue;
    if (task.dueDate < today) counts.overdue += 1;
    else if (task.dueDate === today) counts.today += 1;
    else if (task.dueDate <= soonUntil) counts.soon += 1;
    if (task.dueProvisional) counts.provisional += 1;
  }
  return counts;
}
