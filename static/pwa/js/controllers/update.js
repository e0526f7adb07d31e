// App updates: the service worker installs a new version in the background; the page offers it
// ("有新版本") and switches only when the inspector accepts, after saving the open draft.
import { updateBanner, reloadBanner } from '../views/settings.js';
import { t } from '../i18n.js';

const CHECK_EVERY_MS = 30 * 60 * 1000;

export class UpdateController {
  constructor({ shell, beforeUpdate }) {
    Object.assign(this, { shell, beforeUpdate });
    this.accepted = false;
    window.addEventListener('db-versionchange', () => this.shell.showBanner(reloadBanner(), () => location.reload()));
  }

  async register() {
    if (!('serviceWorker' in navigator)) return;
    let registration;
    try {
      registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    } catch (_) {
      return; // no service worker (private mode, insecure origin): the app still runs online
    }
    this.registration = registration;
    if (registration.waiting && navigator.serviceWorker.controller) this.offer(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) this.offer(worker);
      });
    });
    navigator.serviceWorker.addEventListener('controllerchange', () => { if (this.accepted) location.reload(); });
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') this.check(); });
    setInterval(() => this.check(), CHECK_EVERY_MS);
  }

  check() { if (this.registration && navigator.onLine) this.registration.update().catch(() => {}); }

  offer(worker) {
    this.shell.showBanner(updateBanner(), async (action) => {
      if (action === 'later') { this.shell.hideBanner(); return; }
      // Reloading now would drop an open record that could not be saved: wait until it is.
      if ((await this.beforeUpdate()) === false) { this.shell.toast(t('updateNotSaved'), 10000); return; }
      this.accepted = true;
      worker.postMessage({ type: 'SKIP_WAITING' });
    });
  }
}
