/* Shared helpers of the participant pages: elements, strings, storage, the API, page frame.
   Every screen module imports from here; nothing here knows about a particular screen. */

export const ASSETS = JSON.parse(document.getElementById('assets').textContent);
export const LANGS = Object.keys(ASSETS).filter((k) => k.startsWith('i18n/')).map((k) => k.slice(5, -5));
export const TZ = 'Asia/Ho_Chi_Minh';
export const POLL_MS = 15000;
export const main = document.getElementById('main');
// the UI language and its strings; contest content from the server is Vietnamese whatever the UI
export const ui = { S: {}, lang: 'vi' };

// ---- strings ------------------------------------------------------------------------------
export const t = (key, p = {}) => String(ui.S[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (k in p ? p[k] : m));

/** A count in words: `key.one` / `key.other` by the UI language's plural rules, else `key`. */
export function tn(key, n, p = {}) {
  const cat = new Intl.PluralRules(ui.S._locale || 'vi-VN').select(Number(n));
  const k = ui.S[`${key}.${cat}`] != null ? `${key}.${cat}` : ui.S[`${key}.other`] != null ? `${key}.other` : key;
  return t(k, { n, ...p });
}

// ---- elements -------------------------------------------------------------------------------
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'value' || k === 'checked') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat(3)) if (kid != null && kid !== false) el.append(kid.nodeType ? kid : String(kid));
  return el;
}

/** Vietnamese content from the server (titles, questions, rules), marked so readers pronounce it right. */
export const vi = (tag, attrs, ...kids) => h(tag, { ...attrs, lang: 'vi' }, ...kids);

export const store = {
  get(k, d = null) { try { const v = localStorage.getItem(k); return v == null ? d : JSON.parse(v); } catch { return d; } },
  set(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* private mode: keep going */ } },
  del(k) { try { localStorage.removeItem(k); } catch { /* ignore */ } },
};

export function say(text, urgent = false) {
  const el = document.getElementById(urgent ? 'assertive' : 'polite');
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 60); // re-set so the same words are read again
}

// timers and listeners of the current screen, dropped when the route changes
let cleanups = [];
export const onCleanup = (f) => cleanups.push(f);
export function runCleanups() { cleanups.forEach((f) => f()); cleanups = []; }
export const every = (ms, f) => { const id = setInterval(f, ms); onCleanup(() => clearInterval(id)); return id; };
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- formatting ---------------------------------------------------------------------------------
export function fmtDate(iso) {
  return new Intl.DateTimeFormat(ui.S._locale || 'vi-VN', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' })
    .format(new Date(iso));
}
/** dd/mm/yyyy in Vietnam's time zone, whatever the device's zone. */
export function fmtDay(iso) {
  return new Intl.DateTimeFormat('vi-VN', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric' })
    .format(new Date(iso));
}
export function fmtTime(ms) {
  return new Date(ms).toLocaleTimeString(ui.S._locale || 'vi-VN', { timeZone: TZ, hour: '2-digit', minute: '2-digit' });
}
export function fmtClock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const hh = Math.floor(s / 3600); const mm = Math.floor((s % 3600) / 60); const ss = s % 60;
  const two = (n) => String(n).padStart(2, '0');
  return hh ? `${hh}:${two(mm)}:${two(ss)}` : `${two(mm)}:${two(ss)}`;
}
export function fmtDuration(ms) {
  if (ms == null) return '—';
  const s = Math.round(ms / 1000);
  return s >= 60 ? t('dur.ms', { m: Math.floor(s / 60), s: s % 60 }) : t('dur.s', { s });
}
export function fmtSpan(ms) {
  const m = Math.max(0, Math.floor(ms / 60000));
  const d = Math.floor(m / 1440); const hh = Math.floor((m % 1440) / 60); const mm = m % 60;
  if (d) return `${tn('span.d', d)} ${tn('span.h', hh)}`;
  if (hh) return `${tn('span.h', hh)} ${tn('span.m', mm)}`;
  return ms < 60000 ? tn('span.s', Math.max(0, Math.ceil(ms / 1000))) : tn('span.m', mm);
}
export const num = (x) => (x == null ? '—' : new Intl.NumberFormat(ui.S._locale || 'vi-VN').format(x));

// ---- the API ----------------------------------------------------------------------------
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || t('err.network'));
    this.status = status; this.code = (body && body.error) || 'network'; this.fields = (body && body.fields) || {};
  }
  get transient() { return this.status === 0 || this.status === 429 || this.status >= 500 || this.status === 408; }
}

export async function api(method, path, body, timeoutMs = 20000) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  const opt = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin', signal: ctl.signal };
  if (body !== undefined) { opt.headers['Content-Type'] = 'application/json'; opt.body = JSON.stringify(body); }
  let resp;
  try { resp = await fetch('/api/v1' + path, opt); } catch { throw new ApiError(0, null); } finally { clearTimeout(timer); }
  let data = null;
  try { data = await resp.json(); } catch { /* empty body */ }
  if (!resp.ok) {
    if (resp.status === 401) store.del('who');
    throw new ApiError(resp.status, data);
  }
  return data;
}

const cache = {};
export async function contest(slug) {
  if (!cache['c:' + slug]) {
    try {
      cache['c:' + slug] = await api('GET', `/contests/${encodeURIComponent(slug)}`);
      store.set('contest:' + slug, cache['c:' + slug]);
    } catch (e) {
      const kept = store.get('contest:' + slug); // offline: the last copy kept on the phone
      if (e.status !== 0 || !kept) throw e;
      return kept;
    }
  }
  return cache['c:' + slug];
}

export async function roundInfo(id) {
  const known = store.get('round:' + id);
  if (known && cache['r:' + id]) return known;
  let list;
  try { list = await api('GET', '/contests'); } catch (e) {
    if (e.status === 0 && known) return known; // offline: what the phone last knew
    throw e;
  }
  for (const c of list) for (const r of c.rounds) store.set('round:' + r.id, { ...r, slug: c.slug, contest: c.title, zalo: c.zalo_oa_id });
  cache['r:' + id] = true;
  const found = store.get('round:' + id);
  if (!found) throw new ApiError(404, { error: 'not_found', detail: t('err.not_found') });
  return found;
}

// ---- page frame -------------------------------------------------------------------------
/** Replace the page's content under a new h1; a string title is UI text, an element is kept as is. */
export function page(title, ...content) {
  const text = typeof title === 'string' ? title : title.textContent;
  document.title = `${text} – ${t('app.name')}`;
  const h1 = h('h1', { tabindex: '-1', id: 'page-title' }, title);
  main.replaceChildren(h1, ...content.flat(4).filter((x) => x != null && x !== false));
  return h1;
}
export const link = (href, text, cls = 'btn') => h('a', { href, class: cls }, text);
export const errorBox = (text) => h('p', { class: 'error-box', role: 'alert' }, text);

export function renderNet() {
  const net = document.getElementById('net');
  net.hidden = navigator.onLine;
  net.textContent = navigator.onLine ? '' : t('net.offline');
}

export function goLogin() {
  store.set('next', location.hash);
  const slug = store.get('slug');
  location.hash = slug ? `#/c/${slug}/login` : '#/';
}

/** The round's rules in one line each: questions and minutes, attempts, counted attempt. */
export function roundFacts(r) {
  const practice = r.kind === 'practice';
  return [t('round.facts', { q: tn('n.questions', r.questions_per_attempt), m: tn('n.minutes', Math.round(r.time_limit_s / 60)) }),
    practice || r.max_attempts == null ? t('round.unlimited') : tn('round.max_attempts', r.max_attempts)];
}

// ---- forms ----------------------------------------------------------------------------------
export function field(name, label, input, hint) {
  input.id = input.id || 'f-' + name;
  input.name = name;
  const err = h('p', { class: 'field-error', id: `e-${name}`, hidden: true });
  const ids = [hint ? `h-${name}` : null, `e-${name}`].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', ids);
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: input.id }, label, input.required ? h('span', { class: 'req' }, ' *') : null),
    hint ? h('p', { class: 'hint', id: `h-${name}` }, hint) : null, input, err);
}

/** Show the API's (or our own) per-field messages; returns the first field to focus. */
export function showFieldErrors(form, fields) {
  let first = null;
  form.querySelectorAll('.field-error').forEach((e) => { e.hidden = true; e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  for (const [name, msg] of Object.entries(fields)) {
    const err = form.querySelector(`#e-${CSS.escape(name)}`);
    // a field made of several inputs (the date of birth) names them with data-part-of
    const inputs = form.querySelectorAll(`[name="${CSS.escape(name)}"], [data-part-of="${CSS.escape(name)}"]`);
    if (!err) continue;
    err.hidden = false; err.textContent = msg;
    inputs.forEach((input) => { input.setAttribute('aria-invalid', 'true'); first = first || input; });
  }
  return first;
}

export function formError(form, e) {
  const box = form.querySelector('.form-error');
  box.hidden = false;
  box.textContent = e.message;
  const first = showFieldErrors(form, e.fields || {});
  (first || box).focus();
}

// an edited field loses its error at once; the summary goes when no error is left
document.addEventListener('input', (ev) => {
  const box = ev.target.closest && ev.target.closest('[data-field]');
  const form = ev.target.closest && ev.target.closest('form');
  if (!box || !form) return;
  const err = box.querySelector('.field-error');
  if (err) { err.hidden = true; err.textContent = ''; }
  box.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
  if (!form.querySelector('.field-error:not([hidden])')) { const fe = form.querySelector('.form-error'); if (fe) fe.hidden = true; }
});
document.addEventListener('change', (ev) => { if (ev.target.type === 'checkbox' || ev.target.type === 'radio' || ev.target.tagName === 'SELECT') ev.target.dispatchEvent(new Event('input', { bubbles: true })); });

// ---- sharing ----------------------------------------------------------------------------------
/** A "share" button: the phone's share sheet (Zalo, Messenger…), else copying the link. */
export function shareButton(title, text, url) {
  const status = h('span', { class: 'share-status', role: 'status' });
  const copy = async () => {
    try { await navigator.clipboard.writeText(url); } catch {
      // no clipboard API (an insecure page, an old browser): select the text the old way
      const box = h('textarea', { class: 'sr-only', 'aria-hidden': 'true', readonly: true }, url);
      document.body.append(box); box.select();
      try { document.execCommand('copy'); } catch { /* the link is shown below anyway */ }
      box.remove();
    }
    status.textContent = t('share.copied', { url });
  };
  const btn = h('button', { type: 'button', class: 'btn', onclick: async () => {
    status.textContent = '';
    if (navigator.share) {
      try { await navigator.share({ title, text, url }); return; } catch (e) { if (e && e.name === 'AbortError') return; }
    }
    await copy();
  } }, t('share.button'));
  return h('div', { class: 'share' }, btn, status);
}

/** Zalo's share plugin (https://developers.zalo.me/docs/social-api/chia-se): shown only when
 * the contest names its Official Account; the SDK is fetched on the first tap only, so nobody
 * else's page load contacts zalo.me. The SDK turns the div into Zalo's own share button. */
export const ZALO_SDK = 'https://sp.zalo.me/plugins/sdk.js';
let zaloLoad = null;
export function zaloButton(oaid, url) {
  if (!oaid) return null;
  const status = h('span', { class: 'share-status', role: 'status' });
  const slot = h('div', { class: 'zalo-slot' });
  const btn = h('button', { type: 'button', class: 'btn zalo', id: 'zalo-share', onclick: () => {
    btn.disabled = true;
    status.textContent = t('share.zalo_loading');
    slot.append(h('div', { class: 'zalo-share-button', 'data-href': url, 'data-oaid': oaid,
      'data-layout': '1', 'data-color': 'blue', 'data-customize': 'false' }));
    zaloLoad = zaloLoad || new Promise((ok, fail) => {
      const js = h('script', { src: ZALO_SDK, async: true });
      js.onload = ok; js.onerror = () => { zaloLoad = null; js.remove(); fail(); };
      document.head.append(js);
    });
    zaloLoad.then(() => {
      // a second button on a later page: ask the already loaded SDK to draw it
      if (window.ZaloSocialSDK && window.ZaloSocialSDK.reload) window.ZaloSocialSDK.reload();
      btn.remove(); status.textContent = t('share.zalo_ready');
    }, () => { btn.disabled = false; slot.textContent = ''; status.textContent = t('share.zalo_failed'); });
  } }, t('share.zalo'));
  return h('div', { class: 'share' }, btn, slot, status);
}

/** The public link of a contest (what a QR code or a share leads to). */
export const contestUrl = (slug) => `${location.origin}/#/c/${encodeURIComponent(slug)}`;

// ---- the round's locked prediction, as far as this phone knows --------------------------------
/** Remember (or forget, with null) the prediction the server holds for this person and round. */
export function rememberPrediction(roundId, value) {
  if (value == null) store.del('pred:' + roundId); else store.set('pred:' + roundId, value);
}
/** Forget every remembered prediction: another person may log in on this phone. */
export function forgetPredictions() {
  try {
    for (const k of Object.keys(localStorage)) if (k.startsWith('pred:')) localStorage.removeItem(k);
  } catch { /* private mode */ }
}
