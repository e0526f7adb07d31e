// Wiring only: storage, views, controllers, routes and page lifecycle.
import { openDB } from './db.js';
import * as store from './store.js';
import { setLanguage, t } from './i18n.js';
import { onAuthFailure } from './api.js';
import { routeOf } from './routes.js';
import { SyncEngine } from './sync.js';
import { ShellView } from './views/shell.js';
import { SessionController } from './controllers/session.js';
import { HomeController } from './controllers/home.js';
import { InspectionController } from './controllers/inspection.js';
import { SettingsController } from './controllers/settings.js';
import { UpdateController } from './controllers/update.js';
import { LeadController } from './controllers/lead.js';
import { RectifyController } from './controllers/rectify.js';

async function main() {
  await openDB();
  setLanguage((await store.getSettings()).lang);
  const shell = new ShellView(document.getElementById('app'));
  const sync = new SyncEngine();
  const navigate = (hash) => { if (location.hash === hash) route(); else location.hash = hash; };
  const session = new SessionController({ shell, sync, navigate });
  const inspections = new InspectionController({ shell, sync, session, navigate });
  const home = new HomeController({ shell, sync, session, navigate, inspections });
  const settings = new SettingsController({ shell, session });
  const updates = new UpdateController({ shell, beforeUpdate: () => inspections.flush() });
  const leads = new LeadController({ shell, sync, navigate });
  const rectify = new RectifyController({ shell, sync, navigate, session });

  let current = null;
  function route() {
    const { screen, id, step } = routeOf();
    if (current && current.leave) current.leave();
    shell.showSettingsButton(session.isActive());
    if (!session.isActive()) { current = null; session.showLogin(); return; }
    if (screen === 'inspection') { current = inspections; inspections.show(id, step); }
    else if (screen === 'settings') { current = null; settings.show(); }
    else if (screen === 'lead') { current = leads; leads.show(); }
    else if (screen === 'rectify') { current = rectify; rectify.show(id); }
    else if (screen === 'diagnostics') { current = null; settings.showDiagnostics(); }
    else { current = home; home.show(); }
    home.refreshSync();
  }

  onAuthFailure(() => { sync.paused = true; shell.toast(t('errAuth')); });
  shell.bindBack(() => navigate('#/home'));
  shell.bindSyncChip(() => navigate('#/home'));
  shell.bindSettings(() => navigate('#/settings'));
  window.addEventListener('hashchange', route);
  window.addEventListener('online', () => home.refreshSync());
  window.addEventListener('offline', () => home.refreshSync());
  // A hidden page may never come back (battery, crash, reload): save the open draft now.
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') inspections.saveBeforeHiding(); });
  window.addEventListener('pagehide', () => inspections.saveBeforeHiding());

  await session.restore();
  if (session.isActive()) await inspections.recoverUnsavedEdits();
  route();
  if (session.isActive()) sync.start();
  sync.addEventListener('state', () => { if (session.isActive() && !sync.started) sync.start(); });
  window.addEventListener('hashchange', () => { if (session.isActive() && !sync.started) sync.start(); });
  document.documentElement.dataset.ready = 'true';
  updates.register();
}

main();
