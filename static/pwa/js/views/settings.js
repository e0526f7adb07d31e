// Settings: language, upload options, export / import of unsynced work, logout; and, one tap
// further, the diagnostics page with the internals support staff may ask about.
import { html, mount } from '../lib/html.js';
import { t, language } from '../i18n.js';

const CHUNKS = [0, 64 * 1024, 256 * 1024, 1024 * 1024, 2 * 1024 * 1024];

export class SettingsView {
  constructor(section) { this.section = section; }

  render({ session, settings, version, unsynced, message }) {
    mount(this.section, html`
      <div class="card"><h2>${t('account')}</h2>
        <div class="item-title">${session.user.displayName}</div>
        <div class="muted">${session.user.agency ? session.user.agency.name : ''} · ${session.user.certNo || ''}</div>
      </div>
      <div class="card"><h2>${t('language')}</h2>
        <div class="row">
          <button class="choice" data-action="lang" data-value="zh" aria-pressed="${language() === 'zh'}" data-testid="lang-zh">${t('langZh')}</button>
          <button class="choice" data-action="lang" data-value="en" aria-pressed="${language() === 'en'}" data-testid="lang-en">${t('langEn')}</button>
        </div>
      </div>
      <div class="card"><h2>${t('syncPanel')}</h2>
        <label class="choice"><input type="checkbox" data-setting="originalsOnWifi" ${settings.originalsOnWifi ? 'checked' : ''}> ${t('originalsOnWifi')}</label>
      </div>
      <div class="card"><h2>${t('deviceData')}</h2>
        <p class="muted">${unsynced ? t('waitingRecords', { n: unsynced }) : t('allSynced')}</p>
        <button class="btn block" data-action="export" data-testid="export">⇩ ${t('exportUnsynced')}</button>
        <label class="btn block file-btn" style="margin-top:8px">⇧ ${t('importFile')}<input type="file" accept="application/json,.json" data-testid="import-file"></label>
        <p data-role="message" data-testid="settings-message" class="small">${message || ''}</p>
      </div>
      <div class="card">
        <button class="btn danger block" data-action="logout" data-testid="logout">${t('logout')}</button>
        <p class="muted small" style="text-align:center">${t('appVersion', { v: version })}
          · <a href="#/diagnostics" data-testid="open-diagnostics">${t('diagnostics')}</a></p>
      </div>`);
  }

  // For support staff: queue sizes, device id and the upload tuning an inspector never needs.
  renderDiagnostics({ session, settings, version, stats, calendar }) {
    const years = ((calendar && calendar.years) || []).map((y) => Number(y.year));
    mount(this.section, html`
      <div class="card" data-testid="diagnostics"><h2>${t('diagnostics')}</h2>
        <p class="muted small">${t('diagnosticsHint')}</p>
        <div class="small">${t('appVersion', { v: version })}</div>
        <div class="small">${t('diagClient', { id: session.clientID || '' })}</div>
        <div class="small" data-testid="diag-queue">${t('diagQueue', { mutations: stats.mutations, uploads: stats.uploads })}</div>
        <div class="small" data-testid="diag-calendar">${years.length ? t('diagCalendar', { first: Math.min(...years), last: Math.max(...years) }) : t('diagNoCalendar')}</div>
        <label class="field"><span>${t('chunkSize')}</span>
          <select data-setting="chunkSize" data-testid="chunk-size">${CHUNKS.map((c) => html`<option value="${c}" ${Number(settings.chunkSize) === c ? 'selected' : ''}>${c ? `${c / 1024} KiB` : t('chunkAuto')}</option>`)}</select></label>
      </div>`);
  }

  showMessage(text, isError = false) {
    const el = this.section.querySelector('[data-role=message]');
    el.textContent = text;
    el.className = `small ${isError ? 'error' : 'ok'}`;
  }

  bindAction(handler) {
    this.section.addEventListener('click', (e) => {
      const el = e.target.closest('[data-action]');
      if (el) handler(el.dataset.action, el.dataset.value);
    });
    this.section.addEventListener('change', (e) => {
      const el = e.target;
      if (el.dataset.setting) handler('setting', { name: el.dataset.setting, value: el.type === 'checkbox' ? el.checked : Number(el.value) });
      if (el.type === 'file' && el.files.length) { const file = el.files[0]; el.value = ''; handler('import', file); }
    });
  }
}

export function logoutSheet(n, exported) {
  return html`<h2>${t('logout')}</h2>
    <p class="error" data-testid="logout-blocked">${t('logoutBlocked', { n })}</p>
    <button class="btn block" data-sheet="export" data-testid="sheet-export">⇩ ${t('exportUnsynced')}</button>
    ${exported ? html`<button class="btn danger block" style="margin-top:8px" data-sheet="logout-anyway" data-testid="logout-anyway">${t('logoutAnyway')}</button>` : ''}
    <button class="btn block" style="margin-top:8px" data-sheet="cancel">${t('cancel')}</button>`;
}

export function updateBanner() {
  return html`<div><b>${t('updateAvailable')}</b></div><div class="small">${t('updateBody')}</div>
    <div class="row"><button class="btn" data-action="later">${t('later')}</button>
    <button class="btn primary" data-action="update" data-testid="update-now">${t('updateNow')}</button></div>`;
}

export function reloadBanner() {
  return html`<div>${t('reloadNeeded')}</div><div class="row"><button class="btn primary" data-action="reload">${t('reload')}</button></div>`;
}
