/* Service worker: keeps the app shell so a flaky network does not lose the page.
   Release {{version}}; the server fills in this release's hashed assets. */
'use strict';
const CACHE = 'shell-{{version}}';
// the shell; scripts loaded only when needed (js/: the registration proof-of-work) are cached
// on first use by the fetch handler below
const ASSETS = Object.entries({{manifest}}).filter(([name]) => !name.startsWith('js/')).map(([, url]) => url);

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(['/', ...ASSETS])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('shell-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (url.pathname.startsWith('/assets/')) {
    // hashed names never change: the cache first, the network once
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req).then((resp) => {
      if (resp.ok) { const copy = resp.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
      return resp;
    })));
    return;
  }
  if (req.mode === 'navigate' || url.pathname === '/') {
    // the page: the network when it answers within 4 s, else the kept copy
    event.respondWith(new Promise((resolve) => {
      let settled = false;
      const fallback = () => caches.match('/').then((hit) => { if (!settled && hit) { settled = true; resolve(hit); } });
      const timer = setTimeout(fallback, 4000);
      fetch(req).then((resp) => {
        clearTimeout(timer);
        if (resp.ok) { const copy = resp.clone(); caches.open(CACHE).then((c) => c.put('/', copy)); }
        if (!settled) { settled = true; resolve(resp); }
      }).catch(() => { clearTimeout(timer); fallback().then(() => { if (!settled) { settled = true; resolve(Response.error()); } }); });
    }));
  }
});
