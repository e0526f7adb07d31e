// Login (device registration), logout guarded by unsynced work, export and import of that work.
import * as store from '../store.js';
import { call, setToken, ApiError } from '../api.js';
import { uuid } from '../lib/ids.js';
import { t, setLanguage } from '../i18n.js';
import { LoginView } from '../views/login.js';
import { buildExport, parseExport } from '../exporter.js';
import { APP_VERSION } from '../version.js';

export class SessionController {
  constructor({ shell, sync, navigate }) {
    Object.assign(this, { shell, sync, navigate });
    this.session = null;
  }

  async restore() {
    const session = await store.getSession();
    if (session && session.token) {
      this.session = session;
      setToken(session.token);
    }
    return this.session;
  }

  // The app opens offline for the token's lifetime; afterwards the inspector logs in again.
  isActive() {
    return !!(this.session && this.session.token && (!this.session.expiresAt || new Date(this.session.expiresAt) > new Date()));
  }

  showLogin({ error = '' } = {}) {
    this.shell.setTitle(t('login'));
    const view = new LoginView(this.shell.screen());
    const expired = this.session && !this.isActive();
    view.render({ error: error || (expired ? t('loginExpired') : ''), username: this.session ? this.session.user.username : '' });
    view.bindLanguage(async (lang) => { await store.saveSettings({ lang }); setLanguage(lang); this.showLogin(); });
    view.bindSubmit((username, password) => this.login(view, username, password));
  }

  async login(view, username, password) {
    if (!navigator.onLine) { view.render({ error: t('loginNeedsNetwork'), username }); return; }
    const previous = await store.getSession();
    if (previous && previous.user && previous.user.username !== username && (await store.unsyncedCount()) > 0) {
      view.render({ error: t('loginOtherUserBlocked', { name: previous.user.displayName }), username });
      return;
    }
    view.render({ busy: true, username });
    // One clientID per login, kept with its outbox; a different inspector gets a fresh one.
    const clientID = previous && previous.user && previous.user.username === username && previous.clientID ? previous.clientID : uuid();
    let answer;
    try {
      answer = await call('/api/v1/auth/login', { method: 'POST', auth: false,
        body: { username, password, clientID, deviceLabel: navigator.userAgent.slice(0, 180) } });
    } catch (err) {
      const message = err.kind === 'network' ? t('errNetwork') : err.code === 'bad_credentials' ? t('errBadCredentials')
        : err.code === 'rate_limited' ? t('errRateLimited') : err.message;
      view.render({ error: message, username });
      return;
    }
    if (previous && previous.user && previous.user.username !== username) await store.clearSensitiveData();
    this.session = { token: answer.token, clientID: answer.clientID, expiresAt: answer.expiresAt, user: answer.user,
      photoChecks: answer.photoChecks || null, loggedInAt: new Date().toISOString() };
    await store.saveSession(this.session);
    setToken(answer.token);
    this.sync.paused = false;
    await store.requestPersistence();
    await this.refreshReference().catch(() => {});
    this.navigate('#/home');
    this.sync.request('login', { force: true });
  }

  // Templates, colleagues and nearby parties for offline use (the pull also delivers them).
  async refreshReference() {
    const [templates, colleagues, parties] = await Promise.all([
      call('/api/v1/templates'), call('/api/v1/colleagues'), call('/api/v1/parties?limit=50'),
    ]);
    await store.putServerRows('template', templates.templates || []);
    await store.putServerRows('colleague', colleagues.colleagues || []);
    await store.putServerRows('party', parties.parties || []);
  }

  // Logout: refused while unsynced work exists, unless it was exported first.
  async logout({ exported = false } = {}) {
    const unsynced = await store.unsyncedCount();
    if (unsynced > 0 && !exported) return { blocked: unsynced };
    if (navigator.onLine) await call('/api/v1/auth/logout', { method: 'POST', timeoutMs: 5000 }).catch(() => {});
    await store.clearSensitiveData();
    this.session = null;
    setToken(null);
    this.navigate('#/login');
    return { blocked: 0 };
  }

  // Write the unsynced work to a file the inspector can keep or pass to another phone.
  async exportWork() {
    const file = await buildExport(this.session, APP_VERSION);
    if (!file) return null;
    const blob = new Blob([file.text], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = file.name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    await store.saveSyncState({ lastExportAt: new Date().toISOString(), lastExportName: file.name });
    return file;
  }

  async importWork(file) {
    const parsed = await parseExport(await file.text());
    const result = await store.importWork(parsed);
    this.sync.request('import');
    return result;
  }
}

export { ApiError };
