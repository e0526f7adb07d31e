// 责令改正通知书 as the phone shows them, read-only: the case's orders from the pull (whichever
// inspector or the console issued them) and those issued on this phone not yet synced.
import { html } from '../lib/html.js';
import { t } from '../i18n.js';

// orders: [{id, facts, docNo, status, dueDate, mode, partyName?}] (status 'queued': not synced yet).
export function orderRows(orders, { withParty = false } = {}) {
  return orders.map((o) => html`<div class="item" data-testid="rectification-row" data-order-status="${o.status}" data-order-id="${o.id}">
    ${withParty && o.partyName ? html`<div class="item-title">${o.partyName}</div>` : ''}
    <div><span data-testid="order-doc-no">${o.docNo || t('rectNoDocNo')}</span> · <span data-testid="order-status">${t(`rectStatus_${o.status}`)}</span></div>
    <div>${o.facts}</div>
    <div class="muted small">${o.dueDate ? t('rectDueOn', { date: o.dueDate }) : t('rectModeImmediate')}
      ${o.partySignature === 'signed' ? html` · ${t('rectPartySigned')}` : o.partySignature === 'refused' ? html` · ${t('rectPartyRefused')}` : ''}</div>
  </div>`);
}

// The pulled orders of a case merged with the ones this phone issued and has not synced yet (or
// that the server refused: their reasons are on the record with its other rejections).
export function caseOrders(pulled, local, rejections = []) {
  const byID = Object.fromEntries(pulled.map((o) => [o.id, o]));
  const refused = new Set(rejections.filter((r) => r.name === 'rectification.issue.v1' && r.args).map((r) => r.args.id));
  const queued = (local || []).filter((r) => !byID[r.id]).map((r) => ({ id: r.id, facts: r.facts, dueDate: r.dueDate,
    mode: r.mode, status: refused.has(r.id) ? 'rejected' : 'queued', docNo: null, partySignature: r.party || null }));
  return [...pulled.sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt))), ...queued];
}
