/* The participant pages' entry module: the header (language, "A+"), hash routes, boot.
   Each screen is its own native ES module, fetched when its route is first opened; the page's
   import map turns the plain names below into this release's hashed, year-cached files. */
import {
  ApiError, LANGS, ASSETS, main, ui, t, h, store, page, link, errorBox, renderNet, goLogin, runCleanups,
} from './app/core.js';

const ROUTES = [
  [/^#?\/?$/, 'landing', 'home'],
  [/^#\/c\/([\w-]+)$/, 'landing', 'landing'],
  [/^#\/c\/([\w-]+)\/register$/, 'forms', 'register'],
  [/^#\/c\/([\w-]+)\/login$/, 'forms', 'login'],
  [/^#\/r\/(\d+)\/start$/, 'landing', 'startRound'],
  [/^#\/r\/(\d+)\/board$/, 'results', 'board'],
  [/^#\/r\/(\d+)\/mine$/, 'results', 'mine'],
  [/^#\/a\/([\w-]+)$/, 'attempt', 'attempt'],
  [/^#\/a\/([\w-]+)\/result$/, 'results', 'result'],
];
// literal paths so the import map (and a reader) sees every module
const MODULES = {
  landing: () => import('./app/landing.js'),
  forms: () => import('./app/forms.js'),
  attempt: () => import('./app/attempt.js'),
  results: () => import('./app/results.js'),
};
const loaded = {};
const load = (name) => (loaded[name] = loaded[name] || MODULES[name]().catch((e) => { delete loaded[name]; throw e; }));
const match = (hash) => ROUTES.find(([re]) => re.test(hash));
const currentHash = () => location.hash.split('?')[0] || '#/';
let firstRoute = true;

async function route() {
  runCleanups();
  const hash = currentHash();
  const found = match(hash);
  main.setAttribute('aria-busy', 'true');
  try {
    if (!found) page(t('err.page_not_found'), link('#/', t('nav.home')));
    else await (await load(found[1]))[found[2]](...hash.match(found[0]).slice(1));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { goLogin(); return; }
    page(t('err.title'), errorBox(e instanceof ApiError ? e.message : t('err.network')),
      h('button', { class: 'btn', type: 'button', onclick: route }, t('btn.retry')));
  } finally {
    main.removeAttribute('aria-busy');
  }
  if (!firstRoute) { const h1 = document.getElementById('page-title'); if (h1) h1.focus(); }
  firstRoute = false;
}

// ---- large text -------------------------------------------------------------------------------
// "big-text" compacts the attempt page's sticky bar when the root font is large (the phone's
// font setting, the browser's, or our own "A+"), so questions never hide under it.
function checkTextSize() {
  const px = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  document.documentElement.classList.toggle('big-text', px >= 24);
}
function applyTextUp(on) {
  document.documentElement.classList.toggle('text-up', on);
  checkTextSize();
}

function renderTools() {
  const tools = document.getElementById('tools');
  const up = store.get('textUp', false);
  const textBtn = h('button', { type: 'button', class: 'btn tool', id: 'text-up', 'aria-pressed': String(up),
    onclick: () => {
      const on = !store.get('textUp', false);
      store.set('textUp', on); applyTextUp(on);
      textBtn.setAttribute('aria-pressed', String(on));
    } }, h('span', { 'aria-hidden': 'true' }, 'A+'), h('span', { class: 'sr-only' }, t('tools.text_up')));
  const sel = h('select', { id: 'lang', onchange: async (e) => { await setLang(e.target.value); renderChrome(); route(); } },
    LANGS.map((code) => h('option', { value: code, selected: code === ui.lang }, ui.S['lang.' + code] || code.toUpperCase())));
  tools.replaceChildren(textBtn, h('label', { for: 'lang', class: 'sr-only' }, t('lang.label')), sel);
}

function renderChrome() {
  document.documentElement.lang = ui.lang;
  document.getElementById('brand').textContent = t('app.name');
  document.getElementById('skip').textContent = t('skip');
  renderTools();
  renderNet();
}

async function setLang(code) {
  if (!LANGS.includes(code)) code = LANGS.includes('vi') ? 'vi' : LANGS[0];
  const resp = await fetch(ASSETS[`i18n/${code}.json`]);
  ui.S = await resp.json();
  ui.lang = code;
  store.set('lang', code);
  document.cookie = `lang=${code}; path=/; max-age=31536000; samesite=lax`; // server messages too
}

async function boot() {
  if (new URLSearchParams(location.search).has('embed')) document.documentElement.classList.add('embed');
  applyTextUp(store.get('textUp', false));
  const first = match(currentHash());
  if (first) load(first[1]).catch(() => {}); // the screen's module downloads while the strings do
  await setLang(store.get('lang') || 'vi');
  renderChrome();
  document.getElementById('skip').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
  window.addEventListener('hashchange', route);
  window.addEventListener('online', renderNet);
  window.addEventListener('offline', renderNet);
  window.addEventListener('resize', checkTextSize);
  await route();
  if ('serviceWorker' in navigator && location.protocol !== 'file:') {
    navigator.serviceWorker.register('/sw.js').catch(() => { /* pages still work without it */ });
  }
}
boot().catch((e) => { main.textContent = String(e && e.message ? e.message : e); });
