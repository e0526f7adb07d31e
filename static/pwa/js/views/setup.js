// Starting an inspection: checklist (template), party (found offline or created), co-inspector,
// place and GPS. Nothing here is sent until "开始检查".
import { html, mount } from '../lib/html.js';
import { t, language } from '../i18n.js';

// 主体类型 values as the server stores them, with their labels.
export const ENTITY_TYPES = [['enterprise', 'entityEnterprise'], ['individual', 'entityIndividual'], ['cooperative', 'entityCooperative'], ['other', 'entityOther']];

// The licences asked for with a pesticide or a seed checklist: form field → licence kind.
export const LICENCE_KINDS = { pesticideLicence: '农药经营许可证', seedFiling: '种子经营备案' };

// 主体类型, the operator's ID and the dealer's licence, in the new-party form and the chosen party's details.
function partyExtraFields(form, category) {
  return html`<label class="field"><span>${t('entityType')}</span><select data-party="entityType" data-testid="entity-type">
        <option value=""></option>${ENTITY_TYPES.map(([value, label]) => html`<option value="${value}" ${form.entityType === value ? 'selected' : ''}>${t(label)}</option>`)}</select></label>
      <label class="field"><span>${t('operatorIDNumber')}</span><input type="text" data-party="operatorIDNumber" data-testid="operator-id"
        autocomplete="off" maxlength="24" value="${form.operatorIDNumber || ''}"></label>
      <div data-role="operator-id-check" data-testid="operator-id-check" class="small"></div>
      ${category === 'pesticide' ? html`<label class="field"><span>${t('pesticideLicence')}</span><input type="text" data-party="pesticideLicence" data-testid="pesticide-licence" value="${form.pesticideLicence || ''}"></label>` : ''}
      ${category === 'seed' ? html`<label class="field"><span>${t('seedFiling')}</span><input type="text" data-party="seedFiling" data-testid="seed-filing" value="${form.seedFiling || ''}"></label>` : ''}`;
}

export class SetupView {
  constructor(section) { this.section = section; }

  render({ draft, templates, colleagues, parties, query, creatingParty }) {
    const ready = draft.templateID && draft.party && draft.coInspector;
    const category = (templates.find((x) => x.id === draft.templateID) || {}).category;
    mount(this.section, html`
      <div class="card"><h2>${t('category')}</h2>
        ${templates.map((tpl) => html`<button class="choice" data-action="template" data-id="${tpl.id}" aria-pressed="${draft.templateID === tpl.id}"
          data-testid="template-${tpl.key}">${tpl.title}</button>`)}
      </div>
      <div class="card" data-testid="party-card"><h2>${t('party')}</h2>
        ${draft.party ? html`<div class="choice" aria-pressed="true" data-testid="chosen-party"><div style="flex:1">
            <div class="item-title">${draft.party.name}</div>
            <div class="muted small">${draft.party.creditCode || ''} ${draft.party.address || ''}</div></div>
            <button class="btn" type="button" data-action="change-party">${t('changeParty')}</button></div>
            ${this.partyDetails(draft.party, category)}`
          : creatingParty ? this.partyForm(creatingParty, category) : html`
          <input type="search" data-role="party-search" data-testid="party-search" placeholder="${t('searchParty')}" value="${query || ''}" autocomplete="off">
          <div data-role="party-results">${this.partyResults(parties)}</div>
          <button class="btn block" type="button" data-action="new-party" data-testid="new-party" style="margin-top:8px">＋ ${t('newParty')}</button>`}
      </div>
      <div class="card"><h2>${t('coInspector')}</h2>
        ${colleagues.length ? colleagues.map((c) => html`<button class="choice" data-action="co" data-id="${c.id}" aria-pressed="${!!draft.coInspector && draft.coInspector.id === c.id}"
            data-testid="colleague">${c.displayName} <span class="muted small">${c.certNo || ''}</span></button>`)
          : html`<p class="muted">${t('noColleagues')}</p>`}
      </div>
      <div class="card"><h2>${t('place')}</h2>
        <input type="text" data-edit="place" data-testid="place" value="${draft.place || ''}">
        <div class="row" style="margin-top:8px">
          <div data-role="gps" data-testid="gps-text">${this.gpsText(draft)}</div>
          <button class="btn" style="flex:0 0 auto" type="button" data-action="gps" data-testid="take-gps">${t('takeGps')}</button>
        </div>
      </div>
      <button class="btn danger block" type="button" data-action="delete-draft" data-testid="delete-draft">${t('deleteDraft')}</button>
      <div class="actions">
        <button class="btn primary" data-action="start" data-testid="start-inspection" ${ready ? '' : 'disabled'}>${t('startInspection')}</button>
      </div>`);
  }

  partyResults(parties) {
    if (!parties.length) return html`<p class="muted">${t('noPartyFound')}</p>`;
    return html`${parties.map((p) => html`<button class="choice" data-action="party" data-id="${p.id}" data-testid="party-result">
      <div><div class="item-title">${p.name}</div><div class="muted small">${p.creditCode || ''}</div></div></button>`)}`;
  }

  // The licence a dealer of the chosen checklist's products needs is asked for with it.
  partyForm(form, category) {
    return html`<div data-testid="party-form">
      <label class="field"><span>${t('partyName')} *</span><input type="text" data-party="name" value="${form.name || ''}"></label>
      <label class="field"><span>${t('creditCode')}</span><input type="text" data-party="creditCode" data-testid="credit-code"
        autocapitalize="characters" autocomplete="off" value="${form.creditCode || ''}" maxlength="24"></label>
      <div data-role="credit-check" data-testid="credit-check" class="small"></div>
      <label class="field"><span>${t('legalRep')}</span><input type="text" data-party="legalRep" value="${form.legalRep || ''}"></label>
      <label class="field"><span>${t('address')}</span><input type="text" data-party="address" value="${form.address || ''}"></label>
      <label class="field"><span>${t('phone')}</span><input type="tel" data-party="phone" value="${form.phone || ''}"></label>
      ${partyExtraFields(form, category)}
      <div class="row"><button class="btn" type="button" data-action="cancel-party">${t('cancel')}</button>
        <button class="btn primary" type="button" data-action="save-party" data-testid="save-party">${t('createParty')}</button></div>
    </div>`;
  }

  // A party chosen from the list: what the 文书 need and its record may lack, added here.
  partyDetails(party, category) {
    const licence = (kind) => ((party.licences || []).find((l) => l.kind === kind) || {}).number || '';
    const values = { entityType: party.entityType, operatorIDNumber: party.operatorIDNumber,
      pesticideLicence: licence(LICENCE_KINDS.pesticideLicence), seedFiling: licence(LICENCE_KINDS.seedFiling) };
    return html`<details class="small" data-testid="party-details"><summary>${t('partyDetails')}</summary>
      ${partyExtraFields(values, category)}
      <button class="btn block" type="button" data-action="save-party-details" data-testid="save-party-details">${t('save')}</button></details>`;
  }

  gpsText(draft) {
    if (draft.lat === null || draft.lat === undefined) return html`<span class="muted">${t('gps')}：—</span>`;
    return html`${draft.lat.toFixed(6)}, ${draft.lon.toFixed(6)} <span class="muted small">${t('gpsAccuracy', { m: Math.round(draft.gpsAccuracyM || 0) })}</span>`;
  }

  showParties(parties) { const el = this.section.querySelector('[data-role=party-results]'); if (el) mount(el, this.partyResults(parties)); }
  showGps(draft, message) { mount(this.section.querySelector('[data-role=gps]'), message ? html`<span class="muted">${message}</span>` : this.gpsText(draft)); }

  showCreditCheck(result) {
    const el = this.section.querySelector('[data-role=credit-check]');
    const input = this.section.querySelector('[data-party=creditCode]');
    if (!el) return;
    const zh = language() === 'zh';
    input.classList.toggle('invalid', result.valid === false);
    if (result.valid === null) mount(el, html`<span class="muted">${t('creditChecking', { n: result.length || 0 })}</span>`);
    else if (result.valid === false) mount(el, html`<span class="error">${zh ? result.messageZh : result.message}</span>`);
    else {
      mount(el, html`<span class="ok">✓ ${t('creditValid')}</span>${(zh ? result.warningsZh : result.warnings).map((w) => html`<div class="warning">${w}</div>`)}`);
    }
  }

  showOperatorIDCheck(valid) {
    const el = this.section.querySelector('[data-role=operator-id-check]');
    if (el) mount(el, valid === false ? html`<span class="error">${t('badOperatorID')}</span>` : html``);
  }

  // The type the credit code states (GB 32100 position 2 under 9: 1 企业, 2 个体工商户, 3 合作社), when not chosen yet.
  suggestEntityType(value) {
    const select = this.section.querySelector('[data-party=entityType]');
    if (select && !select.value && value) select.value = value;
    return select ? select.value : value;
  }

  partyFormValues() {
    const out = {};
    this.section.querySelectorAll('[data-party]').forEach((el) => { out[el.dataset.party] = el.value.trim(); });
    return out;
  }

  bindAction(handler) {
    this.section.addEventListener('click', (e) => {
      const el = e.target.closest('[data-action]');
      if (el && !el.disabled) handler(el.dataset.action, el.dataset.id);
    });
  }

  bindInput(handler) {
    this.section.addEventListener('input', (e) => {
      const el = e.target;
      if (el.dataset.role === 'party-search') handler('search', el.value);
      else if (el.dataset.party) handler(`party:${el.dataset.party}`, el.value);
      else if (el.dataset.edit) handler(`edit:${el.dataset.edit}`, el.value);
    });
  }
}
