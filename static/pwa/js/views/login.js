// The login screen (first use needs a network; afterwards the app opens offline).
import { html, mount } from '../lib/html.js';
import { t, language } from '../i18n.js';

// The page's icon link carries the icon's content-hashed URL (the one already downloaded).
const LOGO = document.querySelector('link[rel=icon]')?.getAttribute('href') || '/app/icons/icon-192.png';

export class LoginView {
  constructor(section) { this.section = section; }

  render({ error = '', busy = false, username = '' } = {}) {
    mount(this.section, html`
      <form class="login card" data-testid="login-form" novalidate>
        <img class="logo" src="${LOGO}" alt="">
        <h1>${t('appName')}</h1>
        <p class="muted">${t('loginHint')}</p>
        <label class="field"><span>${t('username')}</span>
          <input type="text" name="username" autocomplete="username" autocapitalize="none" required value="${username}"></label>
        <label class="field"><span>${t('password')}</span>
          <input type="password" name="password" autocomplete="current-password" required></label>
        <p class="error" data-role="error" role="alert">${error}</p>
        <button class="btn primary block" type="submit" ${busy ? 'disabled' : ''}>${busy ? t('loggingIn') : t('login')}</button>
        <div class="lang">
          <button type="button" data-lang="zh" aria-pressed="${language() === 'zh'}">${t('langZh')}</button>
          <button type="button" data-lang="en" aria-pressed="${language() === 'en'}">${t('langEn')}</button>
        </div>
      </form>`);
  }

  bindSubmit(handler) {
    this.section.addEventListener('submit', (e) => {
      e.preventDefault();
      const form = e.target;
      handler(form.username.value.trim(), form.password.value);
    });
  }

  bindLanguage(handler) {
    this.section.addEventListener('click', (e) => {
      const b = e.target.closest('[data-lang]');
      if (b) handler(b.dataset.lang);
    });
  }
}
