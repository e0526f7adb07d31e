// Service worker (VERSION, PRECACHE and ALIASES are written above this line by inspector/pwa.py).
// The versioned app shell is answered from the cache; the API is never answered here (the
// browser goes to the network); a new version waits until the page says the user accepted.
const SHELL_CACHE = `shell-${VERSION}`;
const SHELL_PREFIX = 'shell-';
const INDEX = '/app/';
const PRECACHED = new Set(PRECACHE);

self.addEventListener('install', (event) => event.waitUntil(precacheShell()));
self.addEventListener('activate', (event) => event.waitUntil(dropOldShells().then(() => self.clients.claim())));
self.addEventListener('message', onMessage);
self.addEventListener('fetch', onFetch);

async function precacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  // Hashed URLs never change their bytes, so the copy the page just loaded (HTTP cache) is the
  // right one: each file crosses the network once. index.html is revalidated (a 304 when unchanged).
  await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: url === INDEX ? 'no-cache' : 'default' })));
}

// The previous shell stays until this version is active, so an open page never loses its files.
async function dropOldShells() {
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith(SHELL_PREFIX) && n !== SHELL_CACHE).map((n) => caches.delete(n)));
}

function onMessage(event) {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
  if (event.data && event.data.type === 'VERSION' && event.ports[0]) event.ports[0].postMessage(VERSION);
}

function onFetch(event) {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || event.request.method !== 'GET') return;
  if (url.pathname.startsWith('/api/')) return; // network only, never from a cache
  if (event.request.mode === 'navigate' && (url.pathname === '/app' || url.pathname.startsWith('/app/'))) {
    event.respondWith(appShell());
  } else if (PRECACHED.has(url.pathname)) {
    event.respondWith(fromShell(event.request, url.pathname));
  } else if (Object.hasOwn(ALIASES, url.pathname)) {
    event.respondWith(fromShell(event.request, ALIASES[url.pathname])); // a file named plainly (an <img>)
  }
}

// Navigations inside the app get the cached index.html of this version (works with no network).
async function appShell() {
  const cached = await caches.match(INDEX, { cacheName: SHELL_CACHE });
  return cached || fetch(INDEX);
}

async function fromShell(request, path) {
  const cached = await caches.match(path, { cacheName: SHELL_CACHE });
  return cached || fetch(request);
}
