// The inspection form: step tabs, notices (decision, rejections, conflicts), the current step,
// and the bottom bar. Inputs report edits; buttons report actions; the controller decides.
import { html, mount } from '../lib/html.js';
import { t, clockTime } from '../i18n.js';
import { formatBytes } from '../lib/bytes.js';
import * as steps from './steps.js';
import { caseClocks } from './clocks.js';

// Why a record that cannot be edited is read-only, and what the inspector can do about it.
export function statusNotice(m) {
  const { draft } = m;
  if (m.editable) return '';
  if (draft.phase === 'returned') {
    // The reviewer's decision (steps.notices) already shows the comment and 修改并重新提交.
    if (steps.latestReturn(draft)) return '';
    return html`<div class="card decision" data-testid="status-notice"><div>${t('returnedNotice')}</div>
      <button class="btn primary block" data-action="amend" data-testid="amend" style="margin-top:10px">${t('amend')}</button></div>`;
  }
  const key = { submitted: 'submittedReadOnly', approved: 'approvedReadOnly', rejected: 'rejectedReadOnly', deleted: 'deletedReadOnly' }[draft.phase];
  return key ? html`<div class="card muted" data-testid="status-notice">${t(key)}</div>` : '';
}

// The record's photo and signature bytes: how much of what it has to upload the server holds (with
// the request on the way); nothing once all arrived.
export function recordUploadText(m) {
  const files = Object.values(m.uploads || {});
  if (!files.length || files.every((u) => u.state === 'done')) return '';
  const total = files.reduce((n, u) => n + (u.size || 0), 0);
  const sent = files.reduce((n, u) => n + (u.state === 'done' ? u.size || 0 : Math.min(u.offset || 0, u.size || 0)), 0);
  return t('recordUpload', { sent: formatBytes(sent), total: formatBytes(total), pct: Math.floor((100 * sent) / Math.max(total, 1)) });
}

export class FormView {
  constructor(section) { this.section = section; }

  render(m) {
    const index = steps.STEPS.indexOf(m.step);
    const body = steps[m.step](m);
    mount(this.section, html`
      <nav class="steps" data-testid="steps">${steps.STEPS.map((s) => html`<button data-action="step" data-step="${s}" aria-current="${s === m.step ? 'step' : 'false'}"
        data-testid="step-${s}">${steps.stepTitle(s)}${s === 'review' && m.missing.length ? html`<span class="count">(${m.missing.length})</span>` : ''}</button>`)}</nav>
      <div style="height:8px"></div>
      <div class="saved ${m.saveError ? 'error' : ''}" data-role="saved" data-testid="saved">${m.saveError ? t('notSaved', { msg: m.saveError }) : m.savedAt ? t('savedLocally', { time: clockTime(m.savedAt) }) : ''}</div>
      <div class="small muted" data-role="record-upload" data-testid="record-upload">${recordUploadText(m)}</div>
      ${steps.notices(m)}
      ${statusNotice(m)}
      ${caseClocks(m.caseClocks || [], m.today)}
      ${m.editable ? body : html`<fieldset disabled style="border:0;padding:0;margin:0">${body}</fieldset>`}
      ${m.step === 'review' && m.deletable ? html`<button class="btn danger block" data-action="delete-draft" data-testid="delete-draft">${t('deleteDraft')}</button>` : ''}
      <div class="actions">
        ${index > 0 ? html`<button class="btn" data-action="prev" data-testid="prev">${t('prev')}</button>` : ''}
        ${m.step !== 'review' ? html`<button class="btn primary" data-action="next" data-testid="next">${t('next')}</button>`
          : m.editable ? html`<button class="btn primary" data-action="submit" data-testid="submit" ${m.missing.length ? 'disabled' : ''}>${t('submit')}</button>`
          : m.draft.phase === 'returned' ? html`<button class="btn primary" data-action="amend" data-testid="amend-bottom">${t('amend')}</button>` : ''}
      </div>`);
    this.listenForPictures(m.draft.id);
  }

  // The camera is another app: while it is open the form may be drawn again (an earlier photo
  // finished processing, an answer was tapped), and the picture then arrives at the tapped input,
  // no longer on the page, whose change event never bubbles up to the section. Each input is
  // therefore listened to itself, so its picture is taken wherever the input now is. The picture
  // names the record it was taken for.
  listenForPictures(recordID) {
    for (const input of this.section.querySelectorAll('input[type=file][data-file]')) {
      input.addEventListener('change', () => {
        if (!this.onAction || !input.files || !input.files.length) return;
        const files = [...input.files];
        input.value = '';
        this.onAction(`file-${input.dataset.file}`, { ...input.dataset, record: recordID }, files);
      });
    }
  }

  // `error`: the last save failed (e.g. storage full); shown until a save succeeds.
  showSaved(time, error = null) {
    const el = this.section.querySelector('[data-role=saved]');
    if (!el) return;
    el.textContent = error ? t('notSaved', { msg: error }) : time ? t('savedLocally', { time: clockTime(time) }) : t('saving');
    el.classList.toggle('error', !!error);
  }

  setResult(itemKey, result) {
    this.section.querySelectorAll(`[data-action=result][data-item="${CSS.escape(itemKey)}"]`).forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.value === result)));
    if (result === 'fail') this.showNote(itemKey);
  }

  setChoice(itemKey, value) {
    this.section.querySelectorAll(`[data-action=choice][data-item="${CSS.escape(itemKey)}"]`).forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.value === value)));
  }

  showNote(itemKey) {
    const el = this.section.querySelector(`[data-role=note][data-item="${CSS.escape(itemKey)}"]`);
    if (el) el.classList.remove('hidden');
  }

  showNumberError(itemKey, message) {
    const el = this.section.querySelector(`[data-role=num-error][data-item="${CSS.escape(itemKey)}"]`);
    const input = this.section.querySelector(`[data-edit=finding-value][data-item="${CSS.escape(itemKey)}"]`);
    if (el) el.textContent = message || '';
    if (input) input.classList.toggle('invalid', !!message);
  }

  showNarrativeWarning(text) { const el = this.section.querySelector('[data-role=narrative-warning]'); if (el) mount(el, steps.narrativeWarning(text)); }
  showPhotoStatus(text) { const el = this.section.querySelector('[data-role=photo-status]'); if (el) el.textContent = text; }

  showUpload(m, photo) {
    const text = this.section.querySelector(`[data-role=upload][data-photo="${CSS.escape(photo.id)}"]`);
    const bar = this.section.querySelector(`[data-role=bar][data-photo="${CSS.escape(photo.id)}"]`);
    if (text) text.textContent = steps.uploadText(m, photo);
    if (bar) bar.style.width = `${steps.uploadPct(m, photo)}%`;
    this.showRecordUpload(m);
  }

  showRecordUpload(m) {
    const el = this.section.querySelector('[data-role=record-upload]');
    if (el) el.textContent = recordUploadText(m);
  }

  scrollTo(anchor) {
    if (!anchor) return;
    const el = this.section.querySelector(`#item-${CSS.escape(anchor)}`) || this.section.querySelector(`[data-sample-card="${CSS.escape(anchor)}"]`)
      || this.section.querySelector(`[data-field="${CSS.escape(anchor)}"]`);
    if (el) el.scrollIntoView({ block: 'center' });
  }

  openPhotoReasonSheet(shell, phrases, onAction) {
    return shell.openSheet(steps.photoReasonSheet(phrases), onAction);
  }

  openSignSheet(shell, { title, signerName, askName }, onAction) {
    return shell.openSheet(steps.signSheet(title, signerName, askName), onAction);
  }

  bindAction(handler) {
    this.onAction = handler; // also for pictures (listenForPictures)
    this.section.addEventListener('click', (e) => {
      const el = e.target.closest('[data-action]');
      if (!el || el.disabled || el.tagName === 'INPUT') return;
      handler(el.dataset.action, el.dataset, el);
    });
    this.section.addEventListener('change', (e) => {
      const el = e.target;
      if (el.dataset.action === 'toggle-refusal') handler('toggle-refusal', el.dataset, el);
    });
  }

  bindEdit(handler) {
    this.section.addEventListener('input', (e) => {
      const el = e.target;
      if (el.dataset.edit) handler(el.dataset.edit, el.value, el.dataset);
    });
  }
}
