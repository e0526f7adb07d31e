// Settings: language, upload options, export/import, logout (refused while work is unsynced).
import * as store from '../store.js';
import { t, setLanguage } from '../i18n.js';
import { SettingsView, logoutSheet } from '../views/settings.js';
import { APP_VERSION } from '../version.js';

export class SettingsController {
  constructor({ shell, session }) { Object.assign(this, { shell, session }); }

  async show(message = '') {
    const hash = location.hash;
    const model = { session: this.session.session, settings: await store.getSettings(), version: APP_VERSION,
      unsynced: await store.unsyncedCount(), message };
    if (location.hash !== hash) return; // the inspector moved on meanwhile
    this.shell.setTitle(t('settings'), { back: true });
    this.view = new SettingsView(this.shell.screen());
    this.view.render(model);
    this.view.bindAction((action, value) => this.act(action, value));
  }

  async showDiagnostics() {
    const hash = location.hash;
    const model = { session: this.session.session, settings: await store.getSettings(), version: APP_VERSION, stats: await store.syncStats(),
      calendar: await store.getCalendar() };
    if (location.hash !== hash) return;
    this.shell.setTitle(t('diagnostics'), { back: true });
    this.view = new SettingsView(this.shell.screen());
    this.view.renderDiagnostics(model);
    this.view.bindAction((action, value) => this.act(action, value));
  }

  async act(action, value) {
    if (action === 'lang') { await store.saveSettings({ lang: value }); setLanguage(value); this.show(); }
    else if (action === 'setting') await store.saveSettings({ [value.name]: value.value });
    else if (action === 'export') await this.exportWork((text, bad) => this.view.showMessage(text, bad));
    else if (action === 'import') {
      try {
        const r = await this.session.importWork(value);
        this.show(t('imported', r));
      } catch (err) {
        this.view.showMessage(t('importFailed', { msg: err.message }), true);
      }
    } else if (action === 'logout') await this.logout();
  }

  async exportWork(report) {
    const file = await this.session.exportWork();
    if (file) report(t('exported', { name: file.name }));
    else report(t('exportNothing'));
    return file;
  }

  async logout() {
    const result = await this.session.logout();
    if (!result.blocked) return;
    const onAction = async (action, element) => {
      element.remove();
      if (action === 'export') {
        const exported = !!(await this.session.exportWork());
        this.shell.openSheet(logoutSheet(result.blocked, exported), onAction);
      } else if (action === 'logout-anyway') {
        await this.session.logout({ exported: true });
      }
    };
    this.shell.openSheet(logoutSheet(result.blocked, false), onAction);
  }
}
