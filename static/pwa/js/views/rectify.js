// The 责令改正通知书 form: the failed items it rests on (their legal basis prints as 违反规定), the
// facts, what to correct, by when, and how it was served at the scene.
import { html, mount } from '../lib/html.js';
import { t } from '../i18n.js';

const METHODS = ['direct', 'left'];
const SIGNATURES = ['signed', 'refused', 'absent'];

export class RectifyView {
  constructor(section) { this.section = section; }

  render({ order, failed, party, problems, restDay }) {
    const o = order;
    mount(this.section, html`
      <div class="card" data-testid="rectify"><h2>${t('rectTitle')}</h2>
        <div class="muted">${party ? party.name : ''}</div>
        <h3>${t('rectItems')}</h3>
        ${failed.length ? failed.map((i) => html`<label class="field"><input type="checkbox" data-item-key="${i.key}" data-testid="rect-item-${i.key}"
            ${o.itemKeys.includes(i.key) ? 'checked' : ''}> ${i.key} ${i.label}<div class="muted small">${i.legal_basis || ''}</div></label>`)
          : html`<p class="muted small">${t('rectNoFailed')}</p>`}
        <label class="field"><span>${t('rectBasis')}</span><input type="text" data-rect="basis" value="${o.basis || ''}"></label>
        <label class="field"><span>${t('rectFacts')}</span><textarea data-rect="facts" data-testid="rect-facts" rows="3">${o.facts || ''}</textarea></label>
        <label class="field"><span>${t('rectRequirements')}</span><textarea data-rect="requirements" data-testid="rect-requirements" rows="3">${o.requirements || ''}</textarea></label>
        <label class="field"><span>${t('rectMode')}</span><select data-rect="mode" data-testid="rect-mode">
          <option value="deadline" ${o.mode === 'deadline' ? 'selected' : ''}>${t('rectModeDeadline')}</option>
          <option value="immediate" ${o.mode === 'immediate' ? 'selected' : ''}>${t('rectModeImmediate')}</option></select></label>
        <label class="field"><span>${t('rectDue')}</span><input type="date" data-rect="dueDate" data-testid="rect-due" value="${o.dueDate || ''}"></label>
        ${restDay ? html`<p class="warning small" data-testid="rect-rest-day">${t('rectDueRestDay')}</p>` : ''}
        <label class="field"><input type="checkbox" data-rect="reportBack" ${o.reportBack ? 'checked' : ''}> ${t('rectReportBack')}</label>
      </div>
      <div class="card"><h2>${t('rectService')}</h2>
        <label class="field"><span>${t('rectMethod')}</span><select data-rect="method">
          ${METHODS.map((m) => html`<option value="${m}" ${o.method === m ? 'selected' : ''}>${t(`rectMethod_${m}`)}</option>`)}</select></label>
        <label class="field"><span>${t('rectServedTo')}</span><input type="text" data-rect="servedTo" data-testid="rect-served-to" value="${o.servedTo || ''}"></label>
        <label class="field"><span>${t('rectSignature')}</span><select data-rect="partySignature" data-testid="rect-signature">
          ${SIGNATURES.map((s) => html`<option value="${s}" ${o.partySignature === s ? 'selected' : ''}>${t(s === 'signed' ? 'rectSig_signed_phone' : `rectSig_${s}`)}</option>`)}</select></label>
        <label class="field"><span>${t('rectRefusalReason')}</span><input type="text" data-rect="refusalReason" value="${o.refusalReason || ''}"></label>
        <label class="field"><span>${t('rectWitness')}</span><input type="text" data-rect="witnessName" value="${o.witnessName || ''}"></label>
      </div>
      ${problems && problems.length ? html`<div class="card error" role="alert" data-testid="rect-problems">${problems.map((p) => html`<div>${t(p)}</div>`)}</div>` : ''}
      <div class="actions"><button class="btn primary" data-action="save" data-testid="rect-save">${t('rectSave')}</button></div>`);
  }

  values() {
    const out = { itemKeys: [] };
    this.section.querySelectorAll('[data-item-key]').forEach((el) => { if (el.checked) out.itemKeys.push(el.dataset.itemKey); });
    this.section.querySelectorAll('[data-rect]').forEach((el) => {
      out[el.dataset.rect] = el.type === 'checkbox' ? el.checked : el.value.trim();
    });
    return out;
  }

  bindAction(handler) {
    this.section.addEventListener('click', (e) => {
      const el = e.target.closest('[data-action]');
      if (el && !el.disabled) handler(el.dataset.action);
    });
    this.section.addEventListener('change', (e) => { if (e.target.dataset.rect === 'dueDate') handler('refresh'); });
  }
}
