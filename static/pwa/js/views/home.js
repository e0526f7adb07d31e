// Home: sync panel, the inspector's tasks, returned cases with the reviewer's comments, drafts, submitted.
import { orderRows } from './orders.js';
import { html, mount } from '../lib/html.js';
import { t, relativeTime, clockTime, reasonText, duration } from '../i18n.js';
import { BUCKETS } from '../todo.js';
import { caseClocks } from './clocks.js';
import { formatBytes } from '../lib/bytes.js';

export function recordStatus(draft, stats) {
  const pending = (stats.byInspection[draft.id] || 0) + (stats.uploadsByInspection[draft.id] || 0);
  const open = (draft.rejections || []).length ? html`<span class="badge bad">${t('statusRejectedMutation')}</span>` : '';
  const conflict = (draft.conflicts || []).some((c) => c.status === 'open') ? html`<span class="badge bad">${t('statusConflict')}</span>` : '';
  let main;
  if (draft.phase === 'setup') main = html`<span class="badge warn">${t('statusLocal')}</span>`;
  else if (draft.phase === 'returned') main = html`<span class="badge bad">${t('statusReturned')}</span>`;
  else if (draft.phase === 'approved') main = html`<span class="badge ok">${t('statusApproved')}</span>`;
  else if (draft.phase === 'rejected') main = html`<span class="badge bad">${t('statusRejected')}</span>`;
  else if (draft.phase === 'submitted') main = html`<span class="badge ${pending ? 'warn' : 'ok'}">${pending ? t('statusSubmitting') : t('statusSubmitted')}</span>`;
  else main = html`<span class="badge">${t('statusDraft')}</span>`;
  const sync = draft.phase === 'setup' ? '' : pending ? html`<span class="badge warn">${t('statusPending')}</span>` : html`<span class="badge ok">${t('statusSynced')}</span>`;
  return html`${main}${sync}${open}${conflict}`;
}

// A record's photo bytes on the server of all it has to upload, with those on the way right now.
export function recordUpload(id, stats, live) {
  const r = (stats.uploadBytesByInspection || {})[id];
  if (!r || !r.total) return null;
  const moving = live && live.byInspection && live.byInspection[id] ? live.byInspection[id].unacked : 0;
  const sent = Math.min(r.total, r.done + moving);
  const pct = Math.floor((100 * sent) / r.total);
  return { pct, text: t('recordUpload', { sent: formatBytes(sent), total: formatBytes(r.total), pct }) };
}

// While a round uploads: bytes sent of the round's total, the link's rate, the time left.
export function liveUploadText(live) {
  if (!live || !live.active || !live.total) return '';
  const parts = [t('uploadLive', { sent: formatBytes(live.sent), total: formatBytes(live.total) })];
  if (live.failing) parts.push(t('uploadStalled'));
  else if (!live.rate) parts.push(t('uploadMeasuring'));
  else {
    parts.push(t('uploadRate', { rate: formatBytes(live.rate) }));
    if (live.secondsLeft !== null) parts.push(t('uploadLeft', { time: duration(live.secondsLeft) }));
  }
  return parts.join(' · ');
}

export class HomeView {
  constructor(section) { this.section = section; }

  render(model) {
    const { drafts, returned, submitted, tasks, stats, leads, deadlines } = model;
    mount(this.section, html`
      <div class="card" data-testid="sync-panel" data-role="sync-panel">${this.syncPanel(model)}</div>
      ${this.deadlineCounts(deadlines)}
      ${caseClocks(model.clocks || [], model.today, model.clockParties || {})}
      ${tasks.length ? html`<div class="card" data-testid="tasks"><h2>${t('myTasks')}</h2><ul class="list">
        ${tasks.map((task) => this.taskRow(task, model))}</ul></div>` : ''}
      ${returned.length ? html`<div class="card" data-testid="returned"><h2>${t('returned')}</h2><ul class="list">
        ${returned.map((r) => html`<li><button class="item" data-open-returned="${r.id}">
          <div class="item-title">${r.partyName}</div>
          <div class="muted">${r.templateTitle} · ${t('reviewer', { name: r.reviewerName || '' })}</div>
          ${r.comment ? html`<div class="decision small">${r.comment}</div>` : ''}
          ${Object.entries(r.itemComments || {}).map(([k, v]) => html`<div class="decision small">${k}：${v}</div>`)}
        </button></li>`)}</ul></div>` : ''}
      <div class="card" data-testid="drafts"><h2>${t('drafts')}</h2>
        ${drafts.length ? html`<ul class="list">${drafts.map((d) => this.draftRow(d, stats, model.taskByID, model.live))}</ul>` : html`<p class="muted">${t('noDrafts')}</p>`}
      </div>
      ${(model.orders || []).length ? html`<div class="card" data-testid="orders"><h2>${t('rectTitle')}</h2>
        ${orderRows(model.orders, { withParty: true })}</div>` : ''}
      ${leads.length ? html`<div class="card" data-testid="leads"><h2>${t('leads')}</h2><ul class="list">
        ${leads.map((l) => this.leadRow(l, stats))}</ul></div>` : ''}
      ${submitted.length ? html`<div class="card" data-testid="submitted"><h2>${t('submittedList')}</h2>
        <ul class="list">${submitted.map((d) => this.draftRow(d, stats, model.taskByID, model.live))}</ul></div>` : ''}
      <div class="actions"><button class="btn" data-action="new-lead" data-testid="new-lead">＋ ${t('newLead')}</button>
        <button class="btn primary" data-action="new" data-testid="new-inspection">＋ ${t('newInspection')}</button></div>`);
  }

  // 待办 counts from the tasks on this phone (the console has the bureau's full list).
  deadlineCounts(counts) {
    return html`<div class="card" data-testid="deadline-counts"><h2>${t('deadlinesTitle')}</h2><div class="row">
      ${BUCKETS.map((b) => html`<div data-bucket="${b}" class="${b === 'overdue' && counts[b] ? 'error' : ''}"><strong>${counts[b]}</strong> <span class="small">${t(`deadline_${b}`)}</span></div>`)}
    </div></div>`;
  }

  leadRow(lead, stats) {
    const pending = stats.byInspection[lead.id] || 0;
    const refused = (lead.rejections || []).length;
    const badge = refused ? html`<span class="badge bad">${t('leadRefused')}</span>`
      : pending ? html`<span class="badge warn">${t('statusPending')}</span>` : html`<span class="badge ok">${t('leadRegistered')}</span>`;
    return html`<li><div class="item" data-testid="lead-row" data-lead-id="${lead.id}">
      <div class="item-title">${t(`lead_kind_${lead.kind}`)} · ${lead.title || ''}</div>
      <div class="muted small">${lead.facts || ''}</div><div>${badge}</div>
      ${(lead.rejections || []).flatMap((r) => r.reasons || []).map((r) => html`<div class="error small" data-testid="lead-reason">${reasonText(r)}</div>`)}
    </div></li>`;
  }

  // A task as the inspector needs it offline: whom, where, what to check, by when, with whom.
  taskRow(task, { draftOfTask, me, today }) {
    const source = { complaint: 'taskSourceComplaint', report: 'taskSourceReport', draw: 'taskSourceDraw',
      reinspection: 'taskSourceReinspection', exposure: 'taskSourceExposure', manual: 'taskSourceManual' }[task.sourceKind];
    const co = (task.assignees || []).filter((a) => !a.recused && a.userID !== me).map((a) => a.displayName);
    const draftID = draftOfTask[task.id];
    return html`<li class="task" data-testid="task" data-task="${task.id}"><div class="item">
      <div class="item-title">${task.urgent ? html`<span class="badge bad">${t('taskUrgent')}</span> ` : ''}${task.party ? task.party.name : task.title}</div>
      ${task.party ? html`<div class="small">${task.title}</div>` : ''}
      ${task.party && task.party.address ? html`<div class="muted small" data-testid="task-address">${task.party.address}</div>` : ''}
      ${task.whatToCheck ? html`<div class="small" data-testid="task-what">${t('taskWhat')}：${task.whatToCheck}</div>` : ''}
      <div class="muted small">${task.dueDate ? html`<span data-testid="task-due">${t('taskDue', { date: task.dueDate })}</span>` : ''}
        ${task.dueProvisional ? html`<span class="badge warn" data-testid="task-provisional">${t('taskProvisional')}</span>` : ''}
        ${task.dueDate && task.dueDate < today ? html`<span class="badge bad">${t('taskOverdue')}</span>` : ''}
        ${source ? html` · ${t('taskSource', { source: t(source) })}` : ''}${co.length ? html` · ${t('taskWith', { names: co.join('、') })}` : ''}</div>
      <div class="task-actions">${draftID ? html`<button class="btn" data-open="${draftID}" data-testid="task-continue">${t('taskContinue')}</button>`
        : html`<button class="btn primary" data-action="start-task" data-id="${task.id}" data-testid="task-start">${t('taskStart')}</button>`}</div>
    </div></li>`;
  }

  recordUploadRow(id, stats, live) {
    const r = recordUpload(id, stats, live);
    if (!r) return '';
    return html`<div class="small muted" data-record-upload="${id}"><span data-testid="record-upload">${r.text}</span>
      <div class="progress"><div data-role="bar" style="width:${r.pct}%"></div></div></div>`;
  }

  draftRow(d, stats, taskByID = {}, live = null) {
    const task = d.taskID ? taskByID[d.taskID] : null;
    return html`<li><button class="item" data-open="${d.id}" data-testid="draft-row">
      <div class="item-title">${(d.party && d.party.name) || t('newInspection')}</div>
      <div class="muted">${d.templateTitle || ''} · ${t('updatedAt', { time: relativeTime(d.updatedAt) })}</div>
      <div>${recordStatus(d, stats)}${d.caseNumber ? html`<span class="badge ok">${d.caseNumber}</span>` : ''}${task && task.status === 'cancelled' ? html`<span class="badge bad" data-testid="task-cancelled">${t('taskCancelled')}</span>` : ''}</div>
      ${this.recordUploadRow(d.id, stats, live)}
    </button></li>`;
  }

  syncPanel({ stats, storage, running, online, live }) {
    const err = stats.lastError;
    const uploading = liveUploadText(live);
    const bytesLeft = Math.max(0, stats.bytesLeft - (live && live.active ? live.unacked : 0));
    return html`
      <div class="row"><h2>${t('syncPanel')}</h2>
        <button class="btn primary" style="flex:0 0 auto" data-action="sync-now" data-testid="sync-now" ${running ? 'disabled' : ''}>${running ? t('syncing') : t('syncNow')}</button></div>
      <div class="sync-grid">
        <div data-testid="waiting">${stats.records ? t('waitingRecords', { n: stats.records }) : t('allSynced')}
          ${bytesLeft ? html` · <span data-testid="bytes-left">${t('bytesLeft', { size: formatBytes(bytesLeft) })}</span>` : ''}</div>
        ${uploading ? html`<div class="small" data-testid="upload-live">${uploading}</div>` : ''}
        <div class="muted" data-testid="last-sync">${stats.lastSuccessAt ? t('lastSync', { time: `${clockTime(stats.lastSuccessAt)} (${relativeTime(stats.lastSuccessAt)})` }) : t('neverSynced')}</div>
        ${err ? html`<div class="error small" data-testid="last-error">${t('lastError', { msg: t(err.key, { code: err.code }) })}</div>` : ''}
        ${err && err.key === 'errAuth' ? html`<button class="btn" data-action="relogin" data-testid="relogin">${t('login')}</button>` : ''}
        ${storage.quota ? html`<div class="muted small" data-testid="storage">${t('storage', { used: formatBytes(storage.usage), quota: formatBytes(storage.quota) })}</div>` : ''}
        <div class="muted small" data-testid="photo-bytes">${t('photoBytes', { size: formatBytes(storage.photoBytes || 0) })}</div>
        <div class="small ${storage.persisted ? 'ok' : 'muted'}" data-testid="persisted">${storage.persisted ? t('persisted') : t('notPersisted')}</div>
        ${stats.waiting && online ? html`<div class="muted small">${t('keepOpen')}</div>` : ''}
        ${stats.held ? html`<div class="row"><span class="small">${t('originalsHeld', { n: stats.held })}</span>
          <button class="btn" data-action="upload-originals">${t('uploadOriginalsNow')}</button></div>` : ''}
      </div>`;
  }

  updateSync(model) {
    const el = this.section.querySelector('[data-role=sync-panel]');
    if (el) mount(el, this.syncPanel(model));
    for (const row of this.section.querySelectorAll('[data-record-upload]')) {
      const r = recordUpload(row.dataset.recordUpload, model.stats, model.live);
      row.hidden = !r; // all of the record's files arrived
      if (!r) continue;
      row.querySelector('[data-testid=record-upload]').textContent = r.text;
      row.querySelector('[data-role=bar]').style.width = `${r.pct}%`;
    }
  }

  bindAction(handler) {
    this.section.addEventListener('click', (e) => {
      const el = e.target.closest('[data-action],[data-open],[data-open-returned]');
      if (!el) return;
      if (el.dataset.open) handler('open', el.dataset.open);
      else if (el.dataset.action === 'start-task') handler('start-task', el.dataset.id);
      else if (el.dataset.openReturned) handler('open-returned', el.dataset.openReturned);
      else handler(el.dataset.action);
    });
  }
}
