// Case clocks (办案时限) as the phone shows them, read-only (CASE-O1): what is due, by when, and
// whether the clock stands still (a recorded pause or lab time). Used on home's 待办 and on the case.
import { html } from '../lib/html.js';
import { t } from '../i18n.js';

export function clockRow(c, today, partyName) {
  const due = c.alertDate || c.dueDate;
  const state = due < today ? 'overdue' : due === today ? 'today' : 'open';
  return html`<li class="task" data-testid="case-clock" data-clock="${c.id}" data-rule="${c.ruleID}" data-paused="${c.paused ? 'true' : 'false'}">
    <div class="item"><div class="item-title">${c.step || c.ruleID}${partyName ? html` · ${partyName}` : ''}</div>
    <div class="small">${c.title}</div>
    <div class="muted small"><span data-testid="case-clock-due" class="${state === 'overdue' ? 'error' : ''}">${t('clockDue', { date: due })}</span>${c.dueDate !== due ? html` · ${t('clockLatest', { date: c.dueDate })}` : ''}
      · ${t('clockPeriod', { n: c.n + (c.extension || 0), unit: t(c.unit === 'WD' ? 'clockWD' : 'clockND'), start: c.startDate })}
      ${c.paused ? html` <span class="badge warn" data-testid="case-clock-paused">${t('clockPaused')}</span>` : ''}
      ${c.dueProvisional ? html` <span class="badge">${t('deadline_provisional')}</span>` : ''}
      ${state === 'overdue' ? html` <span class="badge bad">${t('deadline_overdue')}</span>` : ''}</div></div></li>`;
}

export function caseClocks(clocks, today, parties = {}) {
  if (!clocks.length) return '';
  return html`<div class="card" data-testid="case-clocks"><h2>${t('caseClocks')}</h2>
    <ul class="list">${clocks.map((c) => clockRow(c, today, parties[c.inspectionID]))}</ul></div>`;
}
