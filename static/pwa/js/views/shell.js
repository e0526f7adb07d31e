// The frame around every screen: top bar with the sync chip, the screen area, the update
// banner, toasts and bottom sheets.
import { html, mount } from '../lib/html.js';
import { t } from '../i18n.js';

export class ShellView {
  constructor(root) {
    this.root = root;
    mount(root, html`
      <header class="topbar">
        <button class="icon hidden" data-role="back" aria-label="back">‹</button>
        <h1 data-role="title"></h1>
        <button class="chip" data-role="sync" data-testid="sync-chip"><span class="dot"></span><span data-role="sync-text"></span></button>
        <button class="icon" data-role="settings" aria-label="settings" data-testid="open-settings">⚙</button>
      </header>
      <main data-role="main"></main>
      <div data-role="banner"></div>
      <div data-role="alert" class="alert hidden" role="alert" data-testid="alert">
        <span data-role="alert-text"></span><button class="btn" data-role="alert-close" data-testid="alert-close"></button></div>
      <div data-role="toast" class="toast hidden" role="status"></div>`);
    root.querySelector('[data-role=alert-close]').addEventListener('click', () => this.hideError());
    this.main = root.querySelector('[data-role=main]');
    this.banner = root.querySelector('[data-role=banner]');
  }

  setTitle(title, { back = false } = {}) {
    this.root.querySelector('[data-role=title]').textContent = title;
    this.root.querySelector('[data-role=back]').classList.toggle('hidden', !back);
    document.title = title;
  }

  // A fresh element for the next screen (its own listeners go with it).
  screen() {
    const section = document.createElement('section');
    this.main.replaceChildren(section);
    window.scrollTo(0, 0);
    return section;
  }

  // `records`: how many records have changes not on the server yet.
  setSync({ online, records, running }) {
    const chip = this.root.querySelector('[data-role=sync]');
    chip.classList.toggle('offline', !online);
    chip.classList.toggle('busy', running);
    const state = running ? t('syncing') : online ? t('online') : t('offline');
    this.root.querySelector('[data-role=sync-text]').textContent = records ? `${state} · ${t('waitingRecords', { n: records })}` : state;
  }

  bindBack(handler) { this.root.querySelector('[data-role=back]').addEventListener('click', handler); }
  bindSettings(handler) { this.root.querySelector('[data-role=settings]').addEventListener('click', handler); }
  showSettingsButton(show) {
    this.root.querySelector('[data-role=settings]').classList.toggle('hidden', !show);
    this.root.querySelector('[data-role=sync]').classList.toggle('hidden', !show);
  }
  bindSyncChip(handler) { this.root.querySelector('[data-role=sync]').addEventListener('click', handler); }

  toast(text, ms = 3000) {
    const el = this.root.querySelector('[data-role=toast]');
    el.textContent = text;
    el.classList.remove('hidden');
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => el.classList.add('hidden'), ms);
  }

  hideToast() { this.root.querySelector('[data-role=toast]').classList.add('hidden'); }

  // A failure the user must read: it stays until they dismiss it (later ones are added below).
  showError(text) {
    const box = this.root.querySelector('[data-role=alert]');
    const el = box.querySelector('[data-role=alert-text]');
    el.textContent = box.classList.contains('hidden') ? text : `${el.textContent}\n${text}`;
    box.querySelector('[data-role=alert-close]').textContent = t('close');
    box.classList.remove('hidden');
  }

  hideError() { this.root.querySelector('[data-role=alert]').classList.add('hidden'); }

  showBanner(markup, onAction) {
    mount(this.banner, html`<div class="banner" data-testid="banner">${markup}</div>`);
    this.banner.onclick = (e) => {
      const button = e.target.closest('[data-action]');
      if (button) onAction(button.dataset.action);
    };
  }

  hideBanner() { mount(this.banner, ''); }

  // A bottom sheet; onAction(action, sheetElement) runs for each [data-sheet] button pressed.
  openSheet(markup, onAction) {
    const holder = document.createElement('div');
    holder.className = 'sheet';
    mount(holder, html`<div role="dialog" aria-modal="true">${markup}</div>`);
    document.body.appendChild(holder);
    holder.addEventListener('click', (e) => {
      const button = e.target.closest('[data-sheet]');
      if (button) onAction(button.dataset.sheet, holder);
    });
    return holder;
  }

  // Ask before something that cannot be taken back; resolves true only when the inspector confirms.
  confirm({ title, body = '', ok }) {
    return new Promise((resolve) => {
      this.openSheet(html`<h2>${title}</h2>${body ? html`<p>${body}</p>` : ''}
        <div class="row" style="margin-top:10px">
          <button class="btn" data-sheet="cancel" data-testid="confirm-cancel">${t('cancel')}</button>
          <button class="btn danger" data-sheet="ok" data-testid="confirm-ok">${ok}</button>
        </div>`, (action, sheet) => { sheet.remove(); resolve(action === 'ok'); });
    });
  }

  closeSheets() { document.querySelectorAll('.sheet').forEach((s) => s.remove()); }
}
