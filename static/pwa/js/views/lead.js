// Recording a lead (线索) offline: a complaint, report or inquiry the inspector found or was told
// of, about a party of the registry or one named here, with photos taken or picked on the phone.
import { html, mount } from '../lib/html.js';
import { t } from '../i18n.js';

export const LEAD_KINDS = ['report', 'complaint', 'inquiry'];
export const LEAD_CHANNELS = ['inspection_found', 'walk_in', 'onsite_event'];
export const LEAD_CATEGORIES = ['fertilizer', 'pesticide', 'seed', 'film', 'machinery', 'other'];

export class LeadView {
  constructor(section) { this.section = section; }

  render({ lead, parties, query, problems }) {
    const choice = (name, values, current) => html`<select data-lead="${name}" data-testid="lead-${name}">
      ${values.map((v) => html`<option value="${v}" ${v === current ? 'selected' : ''}>${t(`lead_${name}_${v}`)}</option>`)}</select>`;
    mount(this.section, html`
      <div class="card"><h2>${t('leadTitle')}</h2>
        <label class="field"><span>${t('leadKind')}</span>${choice('kind', LEAD_KINDS, lead.kind)}</label>
        <label class="field"><span>${t('leadChannel')}</span>${choice('channel', LEAD_CHANNELS, lead.channel)}</label>
        <label class="field"><span>${t('leadCategory')}</span>${choice('productCategory', LEAD_CATEGORIES, lead.productCategory)}</label>
      </div>
      <div class="card" data-testid="lead-respondent"><h2>${t('leadRespondent')}</h2>
        ${lead.party ? html`<div class="choice" aria-pressed="true"><div style="flex:1"><div class="item-title">${lead.party.name}</div>
            <div class="muted small">${lead.party.address || ''}</div></div>
            <button class="btn" type="button" data-action="change-party">${t('changeParty')}</button></div>`
          : html`<input type="search" data-role="party-search" data-testid="lead-party-search" placeholder="${t('searchParty')}" value="${query || ''}" autocomplete="off">
          <div data-role="party-results">${this.partyResults(parties)}</div>
          <label class="field"><span>${t('leadRespondentName')}</span><input type="text" data-lead="respondentName" data-testid="lead-respondent-name" value="${lead.respondentName || ''}"></label>
          <label class="field"><span>${t('address')}</span><input type="text" data-lead="respondentAddress" value="${lead.respondentAddress || ''}"></label>`}
      </div>
      <div class="card"><h2>${t('leadFacts')}</h2>
        <textarea data-lead="facts" data-testid="lead-facts" rows="5">${lead.facts || ''}</textarea>
        <label class="field"><span>${t('leadRequests')}</span><input type="text" data-lead="requests" value="${lead.requests || ''}"></label>
      </div>
      <div class="card" data-testid="lead-photos"><h2>${t('leadPhotos')}</h2>
        ${(lead.photos || []).map((p) => html`<div class="choice" data-testid="lead-photo-item"><div style="flex:1"><div class="item-title">${p.name || p.sha256.slice(0, 12)}</div>
          <div class="muted small">${p.mediaType} · ${Math.round(p.size / 1024)} KB</div></div>
          <button class="btn" type="button" data-action="remove-photo" data-id="${p.sha256}">${t('leadPhotoRemove')}</button></div>`)}
        <label class="btn"><input type="file" accept="image/jpeg,image/png,image/heic,image/*" multiple hidden data-role="lead-photo" data-testid="lead-photo-input"> ${t('leadAddPhoto')}</label>
        <p class="muted small">${t('leadPhotosNote')}</p>
      </div>
      <div class="card"><h2>${t('leadPerson')}</h2>
        <label class="field"><input type="checkbox" data-lead="anonymous" data-testid="lead-anonymous" ${lead.anonymous ? 'checked' : ''}> ${t('leadAnonymous')}</label>
        <label class="field"><span>${t('leadPersonName')}</span><input type="text" data-lead="personName" data-testid="lead-person-name" value="${lead.personName || ''}"></label>
        <label class="field"><span>${t('phone')}</span><input type="tel" data-lead="personPhone" data-testid="lead-person-phone" value="${lead.personPhone || ''}"></label>
      </div>
      ${problems && problems.length ? html`<div class="card error" role="alert" data-testid="lead-problems">${problems.map((p) => html`<div>${t(p)}</div>`)}</div>` : ''}
      <div class="actions"><button class="btn primary" data-action="save" data-testid="lead-save">${t('leadSave')}</button></div>`);
  }

  partyResults(parties) {
    return html`${parties.map((p) => html`<button class="choice" data-action="party" data-id="${p.id}" data-testid="lead-party-result">
      <div><div class="item-title">${p.name}</div><div class="muted small">${p.address || ''}</div></div></button>`)}`;
  }

  showParties(parties) { const el = this.section.querySelector('[data-role=party-results]'); if (el) mount(el, this.partyResults(parties)); }

  values() {
    const out = {};
    this.section.querySelectorAll('[data-lead]').forEach((el) => {
      out[el.dataset.lead] = el.type === 'checkbox' ? el.checked : el.value.trim();
    });
    return out;
  }

  bindAction(handler) {
    this.section.addEventListener('click', (e) => {
      const el = e.target.closest('[data-action]');
      if (el && !el.disabled) handler(el.dataset.action, el.dataset.id);
    });
  }

  bindPhotos(handler) {
    this.section.addEventListener('change', (e) => {
      if (e.target.dataset.role === 'lead-photo' && e.target.files.length) handler([...e.target.files]);
    });
  }

  bindSearch(handler) {
    this.section.addEventListener('input', (e) => { if (e.target.dataset.role === 'party-search') handler(e.target.value); });
  }
}
