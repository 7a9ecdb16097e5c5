/* The participant pages: plain modern JavaScript, no framework, hash routes.
   The server is the only clock and judge: deadlines come from it, answers are saved one by one
   and queued on the phone when the network fails, then flushed before submit. */
'use strict';
(() => {
  const ASSETS = JSON.parse(document.getElementById('assets').textContent);
  const LANGS = Object.keys(ASSETS).filter((k) => k.startsWith('i18n/')).map((k) => k.slice(5, -5));
  const TZ = 'Asia/Ho_Chi_Minh';
  const POLL_MS = 15000;
  const VISIBILITY_MS = 5000;
  let lastHiddenSent = 0; // outside the attempt route so re-entering it does not reset the pace
  const main = document.getElementById('main');
  let S = {};
  let lang = 'vi';
  let cleanups = [];
  let firstRoute = true;

  // ---- small helpers -------------------------------------------------------------------
  const t = (key, p = {}) => String(S[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (k in p ? p[k] : m));

  function h(tag, attrs, ...kids) {
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

  const store = {
    get(k, d = null) { try { const v = localStorage.getItem(k); return v == null ? d : JSON.parse(v); } catch { return d; } },
    set(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* private mode: keep going */ } },
    del(k) { try { localStorage.removeItem(k); } catch { /* ignore */ } },
  };

  function say(text, urgent = false) {
    const el = document.getElementById(urgent ? 'assertive' : 'polite');
    el.textContent = '';
    setTimeout(() => { el.textContent = text; }, 60); // re-set so the same words are read again
  }

  const onCleanup = (f) => cleanups.push(f);
  const every = (ms, f) => { const id = setInterval(f, ms); onCleanup(() => clearInterval(id)); return id; };

  function fmtDate(iso) {
    return new Intl.DateTimeFormat(S._locale || 'vi-VN', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' })
      .format(new Date(iso));
  }
  function fmtClock(ms) {
    const s = Math.max(0, Math.ceil(ms / 1000));
    const hh = Math.floor(s / 3600); const mm = Math.floor((s % 3600) / 60); const ss = s % 60;
    const two = (n) => String(n).padStart(2, '0');
    return hh ? `${hh}:${two(mm)}:${two(ss)}` : `${two(mm)}:${two(ss)}`;
  }
  function fmtDuration(ms) {
    if (ms == null) return '—';
    const s = Math.round(ms / 1000);
    return s >= 60 ? t('dur.ms', { m: Math.floor(s / 60), s: s % 60 }) : t('dur.s', { s });
  }
  function fmtSpan(ms) {
    const m = Math.max(0, Math.floor(ms / 60000));
    const d = Math.floor(m / 1440); const hh = Math.floor((m % 1440) / 60); const mm = m % 60;
    if (d) return t('span.dh', { d, h: hh });
    if (hh) return t('span.hm', { h: hh, m: mm });
    return ms < 60000 ? t('span.s', { s: Math.max(0, Math.ceil(ms / 1000)) }) : t('span.m', { m: mm });
  }
  const num = (x) => (x == null ? '—' : new Intl.NumberFormat(S._locale || 'vi-VN').format(x));

  // ---- the API ----------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.detail) || t('err.network'));
      this.status = status; this.code = (body && body.error) || 'network'; this.fields = (body && body.fields) || {};
    }
    get transient() { return this.status === 0 || this.status === 429 || this.status >= 500 || this.status === 408; }
  }

  async function api(method, path, body, timeoutMs = 20000) {
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

  // the registration proof-of-work solver, loaded only when the server asks for one
  let powLib = null;
  function loadPow() {
    if (window.ContestPow) return Promise.resolve(window.ContestPow);
    if (!powLib) {
      powLib = new Promise((resolve, reject) => {
        const s = h('script', { src: ASSETS['js/pow.js'], async: true });
        s.onload = () => (window.ContestPow ? resolve(window.ContestPow) : reject(new ApiError(0, null)));
        s.onerror = () => { s.remove(); powLib = null; reject(new ApiError(0, null)); };
        document.head.append(s);
      });
    }
    return powLib;
  }

  const cache = {};
  async function contest(slug) {
    if (!cache['c:' + slug]) cache['c:' + slug] = await api('GET', `/contests/${encodeURIComponent(slug)}`);
    return cache['c:' + slug];
  }
  async function roundInfo(id) {
    const known = store.get('round:' + id);
    if (known && cache['r:' + id]) return known;
    const list = await api('GET', '/contests');
    for (const c of list) for (const r of c.rounds) store.set('round:' + r.id, { ...r, slug: c.slug, contest: c.title });
    cache['r:' + id] = true;
    const found = store.get('round:' + id);
    if (!found) throw new ApiError(404, { error: 'not_found', detail: t('err.not_found') });
    return found;
  }

  // ---- page frame -------------------------------------------------------------------------
  function page(title, ...content) {
    document.title = `${title} – ${t('app.name')}`;
    const h1 = h('h1', { tabindex: '-1', id: 'page-title' }, title);
    main.replaceChildren(h1, ...content.flat(4).filter((x) => x != null && x !== false));
    return h1;
  }
  const link = (href, text, cls = 'btn') => h('a', { href, class: cls }, text);
  const errorBox = (text) => h('p', { class: 'error-box', role: 'alert' }, text);

  function renderTools() {
    const tools = document.getElementById('tools');
    const sel = h('select', { id: 'lang', 'aria-label': t('lang.label'),
      onchange: async (e) => { await setLang(e.target.value); renderChrome(); route(); } },
    LANGS.map((code) => h('option', { value: code, selected: code === lang }, S['lang.' + code] || code.toUpperCase())));
    tools.replaceChildren(h('label', { for: 'lang', class: 'sr-only' }, t('lang.label')), sel);
  }

  function renderChrome() {
    document.documentElement.lang = lang;
    const brand = document.getElementById('brand');
    brand.textContent = t('app.name');
    document.getElementById('skip').textContent = t('skip');
    renderTools();
    renderNet();
  }

  function renderNet() {
    const net = document.getElementById('net');
    net.hidden = navigator.onLine;
    net.textContent = navigator.onLine ? '' : t('net.offline');
  }

  async function setLang(code) {
    if (!LANGS.includes(code)) code = LANGS.includes('vi') ? 'vi' : LANGS[0];
    const resp = await fetch(ASSETS[`i18n/${code}.json`]);
    S = await resp.json();
    lang = code;
    store.set('lang', code);
    document.cookie = `lang=${code}; path=/; max-age=31536000; samesite=lax`; // server messages too
  }

  // ---- routes -----------------------------------------------------------------------------
  const ROUTES = [
    [/^#?\/?$/, home],
    [/^#\/c\/([\w-]+)$/, landing],
    [/^#\/c\/([\w-]+)\/register$/, register],
    [/^#\/c\/([\w-]+)\/login$/, login],
    [/^#\/r\/(\d+)\/start$/, startRound],
    [/^#\/r\/(\d+)\/board$/, board],
    [/^#\/r\/(\d+)\/mine$/, mine],
    [/^#\/a\/([\w-]+)$/, attempt],
    [/^#\/a\/([\w-]+)\/result$/, result],
  ];

  async function route() {
    cleanups.forEach((f) => f());
    cleanups = [];
    const hash = location.hash.split('?')[0] || '#/';
    const found = ROUTES.find(([re]) => re.test(hash));
    main.setAttribute('aria-busy', 'true');
    try {
      if (!found) page(t('err.page_not_found'), link('#/', t('nav.home')));
      else await found[1](...hash.match(found[0]).slice(1));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) { goLogin(); return; }
      page(t('err.title'), errorBox(e.message || t('err.network')),
        h('button', { class: 'btn', type: 'button', onclick: route }, t('btn.retry')));
    } finally {
      main.removeAttribute('aria-busy');
    }
    if (!firstRoute) { const h1 = document.getElementById('page-title'); if (h1) h1.focus(); }
    firstRoute = false;
  }

  function goLogin() {
    store.set('next', location.hash);
    const slug = store.get('slug');
    location.hash = slug ? `#/c/${slug}/login` : '#/';
  }

  async function home() {
    const list = await api('GET', '/contests');
    if (list.length === 1) { location.replace(`#/c/${list[0].slug}`); return; }
    page(t('home.title'), list.length ? h('ul', { class: 'cards' },
      list.map((c) => h('li', { class: 'card' }, h('a', { href: `#/c/${c.slug}` }, c.title))))
      : h('p', {}, t('home.none')));
  }

  // ---- landing ------------------------------------------------------------------------------
  function roundCard(r, loggedIn) {
    const when = h('p', { class: 'countdown' });
    const tick = () => {
      const now = Date.now();
      if (r.status === 'upcoming') when.textContent = t('round.opens_in', { span: fmtSpan(Date.parse(r.opens_at) - now) });
      else if (r.status === 'open') when.textContent = t('round.closes_in', { span: fmtSpan(Date.parse(r.closes_at) - now) });
      else when.textContent = t('round.closed');
    };
    tick();
    every(30000, tick);
    const practice = r.kind === 'practice';
    const facts = [t('round.facts', { n: r.questions_per_attempt, m: Math.round(r.time_limit_s / 60) }),
      practice || r.max_attempts == null ? t('round.unlimited') : t('round.max_attempts', { n: r.max_attempts })];
    const actions = [];
    if (r.status === 'open') actions.push(link(`#/r/${r.id}/start`, practice ? t('btn.practice') : t('btn.start'), 'btn primary'));
    if (!practice) actions.push(link(`#/r/${r.id}/board`, t('btn.board')));
    if (loggedIn) actions.push(link(`#/r/${r.id}/mine`, t('btn.mine')));
    return h('li', { class: 'card round' },
      h('h3', {}, r.title, practice ? h('span', { class: 'badge' }, t('round.practice')) : null),
      h('p', { class: 'status s-' + r.status }, t('status.' + r.status)),
      h('p', {}, t('round.window', { from: fmtDate(r.opens_at), to: fmtDate(r.closes_at) })),
      h('p', {}, facts.join(' · ')),
      when,
      h('div', { class: 'actions' }, actions));
  }

  async function landing(slug) {
    store.set('slug', slug);
    const c = await contest(slug);
    for (const r of c.rounds) store.set('round:' + r.id, { ...r, slug, contest: c.title });
    const who = store.get('who');
    const account = who && who.slug === slug
      ? h('div', { class: 'account' }, h('p', {}, t('account.hello', { name: who.name })),
        h('button', { type: 'button', class: 'btn link', onclick: async () => {
          try { await api('POST', '/logout'); } catch { /* offline: forget locally anyway */ }
          store.del('who'); route();
        } }, t('btn.logout')))
      : h('div', { class: 'actions' }, link(`#/c/${slug}/register`, t('btn.register'), 'btn primary'),
        link(`#/c/${slug}/login`, t('btn.login')));
    page(c.title,
      account,
      h('section', { 'aria-labelledby': 'h-rounds' }, h('h2', { id: 'h-rounds' }, t('landing.rounds')),
        c.rounds.length ? h('ul', { class: 'cards' }, c.rounds.map((r) => roundCard(r, !!who)))
          : h('p', {}, t('landing.no_rounds'))),
      h('section', { 'aria-labelledby': 'h-rules' }, h('h2', { id: 'h-rules' }, t('landing.rules')),
        (c.rules || '').split(/\n+/).filter(Boolean).map((p) => h('p', {}, p))),
      h('section', { 'aria-labelledby': 'h-prizes' }, h('h2', { id: 'h-prizes' }, t('landing.prizes')),
        h('p', {}, t('landing.prizes_text'))),
      h('p', { class: 'share' }, h('a', { href: `/api/v1/contests/${slug}/qr.svg` }, t('landing.qr'))));
  }

  // ---- forms ----------------------------------------------------------------------------------
  function field(name, label, input, hint) {
    input.id = input.id || 'f-' + name;
    input.name = name;
    const err = h('p', { class: 'field-error', id: `e-${name}`, hidden: true });
    const ids = [hint ? `h-${name}` : null, `e-${name}`].filter(Boolean).join(' ');
    input.setAttribute('aria-describedby', ids);
    return h('div', { class: 'field', 'data-field': name },
      h('label', { for: input.id }, label, input.required ? h('span', { class: 'req' }, ' *') : null),
      hint ? h('p', { class: 'hint', id: `h-${name}` }, hint) : null, input, err);
  }

  function showFieldErrors(form, fields) {
    let first = null;
    form.querySelectorAll('.field-error').forEach((e) => { e.hidden = true; e.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
    for (const [name, msg] of Object.entries(fields)) {
      const err = form.querySelector(`#e-${CSS.escape(name)}`);
      const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!err) continue;
      err.hidden = false; err.textContent = msg;
      if (input) { input.setAttribute('aria-invalid', 'true'); first = first || input; }
    }
    return first;
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

  function formError(form, e) {
    const box = form.querySelector('.form-error');
    box.hidden = false;
    box.textContent = e.message;
    const first = showFieldErrors(form, e.fields || {});
    (first || box).focus();
  }

  async function register(slug) {
    store.set('slug', slug);
    // the registration gate: during a rush the server wants a proof-of-work with the form
    const getChallenge = () => api('GET', `/contests/${encodeURIComponent(slug)}/challenge`)
      .then((g) => ({ ...g, at: Date.now() }));
    const nextGate = () => {
      const p = getChallenge().catch(() => null); // unknown: the register answer will say
      p.then((g) => { if (g && g.required) loadPow().catch(() => {}); }); // fetch the solver while typing
      return p;
    };
    let gate = nextGate();
    const c = await contest(slug);
    const units = await api('GET', `/contests/${encodeURIComponent(slug)}/units`);
    const byCode = Object.fromEntries(units.map((u) => [u.code, u]));
    const path = (u) => { const out = []; let cur = u; let guard = 0;
      while (cur && guard++ < 10) { out.unshift(cur.name); cur = byCode[cur.parent_code]; } return out.join(' › '); };
    const labelled = units.map((u) => ({ code: u.code, label: path(u), key: fold(path(u)) }));
    const unitSelect = h('select', { required: true, size: 6, class: 'unit-list' });
    const fill = (q) => {
      const keep = unitSelect.value;
      const key = fold(q);
      const shown = labelled.filter((u) => !key || u.key.includes(key));
      unitSelect.replaceChildren(...shown.map((u) => h('option', { value: u.code, selected: u.code === keep }, u.label)));
      count.textContent = t('reg.unit_count', { n: shown.length });
    };
    const count = h('p', { class: 'hint', id: 'unit-count', 'aria-live': 'polite' });
    const search = h('input', { type: 'search', id: 'unit-search', autocomplete: 'off', 'aria-controls': 'f-unit_code',
      oninput: (e) => fill(e.target.value) });
    fill('');
    const groups = h('fieldset', { class: 'field', 'data-field': 'group', 'aria-describedby': 'e-group' },
      h('legend', {}, t('reg.group'), h('span', { class: 'req' }, ' *')),
      c.groups.map((g, i) => h('label', { class: 'choice' },
        h('input', { type: 'radio', name: 'group', value: g.code, id: i ? null : 'f-group' }), h('span', {}, g.name))),
      h('p', { class: 'field-error', id: 'e-group', hidden: true }));
    const consent = h('div', { class: 'field consent', 'data-field': 'consent' },
      // the contest's published consent text and purposes (Decree 13/2023); the server stores its version
      c.consent
        ? h('div', { id: 'consent-text', class: 'consent-text', 'data-version': c.consent.version },
          c.consent.text.split(/\n+/).map((line) => h('p', {}, line)),
          h('ul', {}, c.consent.purposes.map((p) => h('li', {}, p))))
        : h('p', { id: 'consent-text', class: 'consent-text' }, t('reg.consent_text', { title: c.title })),
      h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'consent', id: 'f-consent',
        'aria-describedby': 'consent-text e-consent' }), h('span', {}, t('reg.consent'))),
      h('p', { class: 'field-error', id: 'e-consent', hidden: true }));
    const form = h('form', { novalidate: true, class: 'form', onsubmit: async (ev) => {
      ev.preventDefault();
      const fd = new FormData(form);
      const body = { consent: form.querySelector('#f-consent').checked };
      for (const k of ['full_name', 'birth_date', 'phone', 'password', 'unit_code', 'group', 'gender', 'id_number', 'email']) {
        const v = (fd.get(k) || '').toString().trim();
        if (v) body[k] = v;
      }
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      const checking = form.querySelector('#reg-check');
      const proof = async (g) => {
        checking.textContent = t('reg.checking');
        try {
          const nonce = await (await loadPow()).solve(g.challenge, g.bits);
          return { challenge: g.challenge, nonce };
        } finally { checking.textContent = ''; }
      };
      const send = () => api('POST', `/contests/${encodeURIComponent(slug)}/register`, body);
      try {
        let g = await gate;
        gate = null; // a challenge buys one request, accepted or not
        if (g && g.required) {
          if (Date.now() - g.at > g.expires_in_ms - 60000) g = await getChallenge(); // the form took long
          body.pow = await proof(g);
        }
        try { await send(); } catch (e) {
          if (e.code !== 'challenge_required' && e.code !== 'challenge_failed') throw e;
          body.pow = await proof(await getChallenge()); // a rush began, or the solution was refused: once more
          await send();
        }
        store.set('who', { slug, name: body.full_name });
        say(t('reg.done'));
        afterLogin(slug);
      } catch (e) {
        if (e.code === 'phone_taken') e.fields = { phone: e.message };
        // the server checks in stages (types first, then rules): show every gap at once
        const local = {};
        for (const el of form.querySelectorAll('[required]')) if (!el.value) local[el.name] = t('form.required');
        if (!form.querySelector('input[name=group]:checked')) local.group = t('form.required');
        if (!body.consent) local.consent = t('reg.consent_required');
        if (e.status === 422) e.fields = { ...local, ...e.fields };
        formError(form, e);
        if (!gate) gate = nextGate();
      } finally { btn.disabled = false; }
    } },
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('p', { class: 'hint' }, t('reg.required_note')),
    field('full_name', t('reg.full_name'), h('input', { type: 'text', autocomplete: 'name', required: true })),
    field('birth_date', t('reg.birth_date'), h('input', { type: 'date', required: true, max: '2030-12-31', min: '1900-01-01' }), t('reg.birth_date_hint')),
    field('gender', t('reg.gender'), h('select', {}, h('option', { value: '' }, t('reg.gender_none')),
      ['nam', 'nu', 'khac'].map((g) => h('option', { value: g }, t('gender.' + g))))),
    field('phone', t('reg.phone'), h('input', { type: 'tel', inputmode: 'numeric', autocomplete: 'tel', required: true }), t('reg.phone_hint')),
    field('password', t('reg.password'), h('input', { type: 'password', autocomplete: 'new-password', required: true }), t('reg.password_hint')),
    h('div', { class: 'field', 'data-field': 'unit_code' },
      h('label', { for: 'unit-search' }, t('reg.unit_search')), search, count,
      h('label', { for: 'f-unit_code' }, t('reg.unit'), h('span', { class: 'req' }, ' *')),
      Object.assign(unitSelect, { id: 'f-unit_code', name: 'unit_code' }),
      h('p', { class: 'field-error', id: 'e-unit_code', hidden: true })),
    groups,
    field('id_number', t('reg.id_number'), h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off' }), t('reg.id_number_hint')),
    field('email', t('reg.email'), h('input', { type: 'email', autocomplete: 'email' })),
    consent,
    h('p', { class: 'checking', id: 'reg-check', role: 'status', 'aria-live': 'polite' }),
    h('button', { type: 'submit', class: 'btn primary wide' }, t('btn.register')));
    unitSelect.setAttribute('aria-describedby', 'unit-count e-unit_code');
    page(t('reg.title'), h('p', {}, c.title), form,
      h('p', {}, t('reg.have_account'), ' ', h('a', { href: `#/c/${slug}/login` }, t('btn.login'))));
  }

  function fold(s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase(); }

  function afterLogin(slug) {
    const next = store.get('next');
    store.del('next');
    location.hash = next && next !== location.hash ? next : `#/c/${slug}`;
  }

  async function login(slug) {
    store.set('slug', slug);
    const c = await contest(slug);
    const form = h('form', { novalidate: true, class: 'form', onsubmit: async (ev) => {
      ev.preventDefault();
      const fd = new FormData(form);
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      try {
        const me = await api('POST', `/contests/${encodeURIComponent(slug)}/login`,
          { phone: String(fd.get('phone') || '').trim(), password: String(fd.get('password') || '') });
        store.set('who', { slug, name: me.full_name });
        afterLogin(slug);
      } catch (e) { formError(form, e); } finally { btn.disabled = false; }
    } },
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    field('phone', t('reg.phone'), h('input', { type: 'tel', inputmode: 'numeric', autocomplete: 'username', required: true })),
    field('password', t('reg.password'), h('input', { type: 'password', autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit', class: 'btn primary wide' }, t('btn.login')));
    page(t('login.title'), h('p', {}, c.title), form,
      h('p', {}, t('login.no_account'), ' ', h('a', { href: `#/c/${slug}/register` }, t('btn.register'))));
  }

  // ---- starting an attempt -----------------------------------------------------------------------
  async function startRound(roundId) {
    const r = await roundInfo(roundId);
    store.set('slug', r.slug);
    page(r.title, h('p', { class: 'loading' }, t('attempt.starting')));
    try {
      const paper = await api('POST', `/rounds/${roundId}/attempts`);
      store.set('paper:' + paper.attempt_id, { at: Date.now(), paper });
      location.replace(`#/a/${paper.attempt_id}`);
    } catch (e) {
      if (e.status === 401) throw e;
      page(r.title, errorBox(e.message), h('div', { class: 'actions' },
        link(`#/r/${roundId}/mine`, t('btn.mine')), link(`#/c/${r.slug}`, t('nav.back_contest'))));
    }
  }

  // ---- the attempt ---------------------------------------------------------------------------------
  async function attempt(id) {
    const sentAt = Date.now();
    let paper;
    try { paper = await api('GET', `/attempts/${id}`); } catch (e) {
      if (e.status !== 0) throw e;
      const kept = store.get('paper:' + id);  // offline reload: the paper kept on the phone
      if (!kept) throw e;
      paper = { ...kept.paper, server_now: new Date(Date.parse(kept.paper.server_now) + Date.now() - kept.at).toISOString() };
    }
    // The server's clock: the offset is measured at the midpoint of the request.
    const offset = Date.parse(paper.server_now) - (sentAt + Date.now()) / 2;
    const serverNow = () => Date.now() + offset;
    if (paper.status === 'submitted') { location.replace(`#/a/${id}/result`); return; }
    store.set('paper:' + id, { at: Date.now(), paper: { ...paper, answers: undefined } });
    const info = await roundInfo(paper.round_id).catch(() => ({ title: '', kind: 'ranked' }));
    const practice = info.kind === 'practice';
    const local = store.get('att:' + id, {});
    const A = {
      id, paper, practice, deadline: Date.parse(paper.deadline),
      answers: { ...(paper.answers || {}) },
      pending: local.pending || {},
      state: {},
      reviews: {},
      idx: Math.min(local.idx || 0, paper.questions.length - 1),
      prediction: local.prediction ?? '',
      mode: store.get('mode', 'single'),
      screen: 'questions',
      over: false,
    };
    for (const [q, opts] of Object.entries(A.pending)) { A.answers[q] = opts; A.state[q] = 'queued'; }
    for (const q of Object.keys(paper.answers || {})) if (!A.pending[q]) A.state[q] = 'saved';
    const persist = () => store.set('att:' + id, { pending: A.pending, idx: A.idx, prediction: A.prediction });

    // -- the save queue: one PUT at a time, retried with backoff while the network fails
    let busy = false; let retryTimer = null; let failures = 0; let warned = false;
    async function flush() {
      if (busy) return;
      busy = true;
      clearTimeout(retryTimer);
      try {
        for (;;) {
          const next = Object.entries(A.pending)[0];
          if (!next) break;
          const [qid, opts] = next;
          A.state[qid] = 'saving'; paint();
          try {
            await api('PUT', `/attempts/${id}/answers/${qid}`, { option_ids: opts }, 15000);
            if (JSON.stringify(A.pending[qid]) === JSON.stringify(opts)) { delete A.pending[qid]; A.state[qid] = 'saved'; }
            persist();
            failures = 0;
            if (warned) { warned = false; say(t('save.recovered')); }
            if (practice) reveal(qid);
          } catch (e) {
            if (e.transient) {
              A.state[qid] = 'queued'; failures += 1;
              if (!warned) { warned = true; say(t('save.failed_queued'), true); }
              const delay = Math.min(30000, 1000 * 2 ** Math.min(failures - 1, 5)) * (0.75 + Math.random() / 2);
              retryTimer = setTimeout(flush, delay);
              paint();
              return;
            }
            delete A.pending[qid]; persist();
            if (e.code === 'deadline_passed' || e.code === 'attempt_submitted') { A.pending = {}; persist(); finished(e.message); return; }
            A.state[qid] = 'error'; say(e.message, true);
          }
        }
      } finally { busy = false; paint(); }
    }
    // a weak integrity signal: the page went to the background (another app, another tab).
    // Fire-and-forget, at most one report per VISIBILITY_MS; answering never waits for it.
    const hidden = () => {
      if (document.visibilityState !== 'hidden' || A.over || Date.now() - lastHiddenSent < VISIBILITY_MS) return;
      lastHiddenSent = Date.now();
      fetch(`/api/v1/attempts/${encodeURIComponent(id)}/visibility`, { method: 'POST', credentials: 'same-origin', keepalive: true,
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: 'hidden' }) }).catch(() => {});
    };
    document.addEventListener('visibilitychange', hidden);
    onCleanup(() => document.removeEventListener('visibilitychange', hidden));
    const online = () => { failures = 0; renderNet(); flush(); };
    const offline = () => renderNet();
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    onCleanup(() => { window.removeEventListener('online', online); window.removeEventListener('offline', offline); clearTimeout(retryTimer); });

    function choose(qid, opts) {
      if (A.over) return;
      A.answers[qid] = opts; A.pending[qid] = opts; A.state[qid] = 'saving';
      persist(); paint(); flush();
    }

    async function reveal(qid) {
      try {
        const rv = await api('GET', `/attempts/${id}/review`);
        for (const q of rv.questions) A.reviews[q.question_id] = q;
        if (A.reviews[qid]) say(A.reviews[qid].is_correct ? t('practice.right') : t('practice.wrong'));
        render();
      } catch { /* the key can wait for the next save */ }
    }

    // -- the countdown from the server's deadline
    const clock = h('p', { class: 'clock', role: 'timer', 'aria-live': 'off' });
    const saveLine = h('p', { class: 'saveline' });
    const progress = h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(paper.questions.length), 'aria-label': t('attempt.progress_label') }, h('span'));
    const progressText = h('p', { class: 'progress-text' });
    const marks = [600, 300, 60, 30];
    let lastLeft = Infinity;
    function tick() {
      const left = A.deadline - serverNow();
      clock.textContent = t('attempt.time_left', { clock: fmtClock(left) });
      clock.classList.toggle('low', left < 60000);
      for (const m of marks) if (lastLeft > m * 1000 && left <= m * 1000 && left > 0) say(t('attempt.announce_left', { span: fmtSpan(left) }), m <= 60);
      lastLeft = left;
      if (left <= 0 && !A.over) timeUp();
    }
    every(1000, tick);

    const answered = () => paper.questions.filter((q) => (A.answers[q.id] || []).length).length;
    function paint() {
      const n = answered(); const total = paper.questions.length;
      progress.setAttribute('aria-valuenow', String(n));
      progress.setAttribute('aria-valuetext', t('attempt.answered', { n, total }));
      progress.firstChild.style.width = `${(100 * n) / total}%`;
      progressText.textContent = t('attempt.answered', { n, total });
      const queued = Object.keys(A.pending).length;
      saveLine.className = 'saveline ' + (queued ? (busy && failures === 0 ? 'saving' : 'queued') : 'saved');
      saveLine.textContent = queued ? (failures ? t('save.queued', { n: queued }) : t('save.saving')) : (n ? t('save.all_saved') : '');
      main.querySelectorAll('[data-qstate]').forEach((el) => {
        const st = A.state[el.dataset.qstate];
        el.textContent = st ? t('qstate.' + st) : '';
        el.className = 'qstate ' + (st || '');
      });
      main.querySelectorAll('[data-map]').forEach((b) => {
        const q = b.dataset.map; const done = (A.answers[q] || []).length > 0;
        b.classList.toggle('done', done);
        b.setAttribute('aria-label', t(done ? 'map.answered' : 'map.unanswered', { n: Number(b.textContent) }));
      });
    }

    function questionBlock(q, i) {
      const chosen = new Set(A.answers[q.id] || []);
      const multi = q.kind === 'multiple';
      const rv = A.reviews[q.id];
      const locked = A.over || (practice && !!rv);
      const heading = h('h2', { class: 'qhead', id: `qh-${i}`, tabindex: '-1' }, t('attempt.question_n', { n: i + 1, total: paper.questions.length }));
      const opts = q.options.map((o, j) => {
        const good = rv && rv.correct_option_ids.includes(o.id);
        return h('label', { class: 'opt' + (chosen.has(o.id) ? ' chosen' : '') + (rv ? (good ? ' right' : chosen.has(o.id) ? ' wrong' : '') : '') },
          h('input', { type: multi ? 'checkbox' : 'radio', name: 'q-' + q.id, value: o.id, id: `o-${q.id}-${j}`, checked: chosen.has(o.id), disabled: locked,
            onchange: (e) => {
              const box = e.target.closest('fieldset');
              const picked = [...box.querySelectorAll('input:checked')].map((x) => x.value);
              box.querySelectorAll('.opt').forEach((l) => l.classList.toggle('chosen', l.querySelector('input').checked));
              choose(q.id, picked);
            } }),
          h('span', { class: 'letter', 'aria-hidden': 'true' }, String.fromCharCode(65 + j)),
          h('span', { class: 'otext' }, o.text),
          rv && good ? h('span', { class: 'sr-only' }, ' ' + t('practice.correct_option')) : null);
      });
      return h('section', { class: 'question', 'aria-labelledby': `qh-${i}` }, heading,
        h('fieldset', {},
          h('legend', {}, q.text),
          h('p', { class: 'hint' }, multi ? t('attempt.hint_multiple') : t('attempt.hint_single')),
          h('div', { class: 'opts' }, opts)),
        h('p', { 'data-qstate': q.id, class: 'qstate', 'aria-hidden': 'true' }),
        rv ? h('div', { class: 'review ' + (rv.is_correct ? 'ok' : 'ko') },
          h('p', { class: 'verdict' }, rv.is_correct ? t('practice.right') : t('practice.wrong')),
          rv.explanation ? h('p', {}, h('strong', {}, t('practice.explanation')), ' ', rv.explanation) : null,
          rv.basis ? h('p', {}, h('strong', {}, t('practice.basis')), ' ', rv.basis) : null) : null);
    }

    function goTo(i, focus = true) {
      A.idx = i; persist(); A.screen = 'questions'; render();
      if (focus) { const el = document.getElementById(`qh-${i}`); if (el) { el.focus(); el.scrollIntoView({ block: 'start' }); } }
    }

    function qmap() {
      return h('nav', { class: 'qmap', 'aria-label': t('map.label') },
        h('h2', { class: 'small' }, t('map.label')),
        h('ul', {}, paper.questions.map((q, i) => h('li', {}, h('button', { type: 'button', 'data-map': q.id,
          'aria-current': A.mode === 'single' && i === A.idx ? 'step' : null,
          onclick: () => goTo(i) }, String(i + 1))))));
    }

    const toolbar = () => h('div', { class: 'toolbar' },
      h('button', { type: 'button', class: 'btn small', 'aria-pressed': String(A.mode === 'list'), onclick: () => {
        A.mode = A.mode === 'list' ? 'single' : 'list'; store.set('mode', A.mode); render();
        say(A.mode === 'list' ? t('attempt.mode_list_on') : t('attempt.mode_single_on'));
      } }, t('attempt.mode_list')));

    function render() {
      const focused = document.activeElement && document.activeElement.id;
      const head = h('div', { class: 'attempt-head' }, clock, progressText, progress, saveLine);
      let body;
      if (A.screen === 'submit') body = submitScreen();
      else if (A.mode === 'list') {
        body = [paper.questions.map(questionBlock), qmap(),
          h('button', { type: 'button', class: 'btn primary wide', onclick: openSubmit }, t('attempt.to_submit'))];
      } else {
        const i = A.idx; const last = i === paper.questions.length - 1;
        body = [questionBlock(paper.questions[i], i),
          h('div', { class: 'nav2' },
            h('button', { type: 'button', class: 'btn', disabled: i === 0, onclick: () => goTo(i - 1) }, t('attempt.prev')),
            last ? h('button', { type: 'button', class: 'btn primary', onclick: openSubmit }, t('attempt.to_submit'))
              : h('button', { type: 'button', class: 'btn primary', onclick: () => goTo(i + 1) }, t('attempt.next'))),
          qmap(),
          last ? null : h('button', { type: 'button', class: 'btn wide', onclick: openSubmit }, t('attempt.to_submit'))];
      }
      page(practice ? t('attempt.title_practice', { round: info.title }) : t('attempt.title', { round: info.title }),
        head, A.screen === 'questions' ? toolbar() : null, body);
      paint(); tick();
      if (focused) { const el = document.getElementById(focused); if (el && el !== document.body) el.focus({ preventScroll: true }); }
    }

    function openSubmit() { A.screen = 'submit'; render(); const el = document.getElementById('sub-h'); if (el) el.focus(); }

    function submitScreen() {
      const missing = paper.questions.map((q, i) => ({ q, i })).filter(({ q }) => !(A.answers[q.id] || []).length);
      const predBox = paper.prediction ? h('div', { class: 'field', 'data-field': 'prediction' },
        h('label', { for: 'f-prediction' }, paper.prediction.prompt, h('span', { class: 'req' }, ' *')),
        h('p', { class: 'hint', id: 'h-prediction' }, t('submit.prediction_hint')),
        h('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]*', id: 'f-prediction', name: 'prediction', value: A.prediction,
          autocomplete: 'off', 'aria-describedby': 'h-prediction e-prediction',
          oninput: (e) => { A.prediction = e.target.value.trim(); persist(); } }),
        h('p', { class: 'field-error', id: 'e-prediction', hidden: true })) : null;
      const queued = Object.keys(A.pending).length;
      return h('section', { class: 'submit', 'aria-labelledby': 'sub-h' },
        h('h2', { id: 'sub-h', tabindex: '-1' }, t('submit.title')),
        h('p', {}, t('attempt.answered', { n: answered(), total: paper.questions.length })),
        missing.length ? [h('p', {}, t('submit.unanswered', { n: missing.length })),
          h('ul', { class: 'missing' }, missing.map(({ i }) => h('li', {},
            h('button', { type: 'button', class: 'btn small', onclick: () => goTo(i) }, t('submit.go_question', { n: i + 1 })))))]
          : h('p', {}, t('submit.all_answered')),
        queued ? h('p', { class: 'warn' }, t('save.queued', { n: queued })) : null,
        h('form', { class: 'form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); doSubmit(); } },
          h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
          predBox,
          h('button', { type: 'submit', class: 'btn primary wide', id: 'do-submit' }, t('submit.confirm'))),
        h('button', { type: 'button', class: 'btn wide', onclick: () => goTo(A.idx) }, t('submit.back')));
    }

    async function flushed(limitMs) {
      const until = Date.now() + limitMs;
      while (Object.keys(A.pending).length && Date.now() < until) {
        failures = 0; await flush();
        if (Object.keys(A.pending).length) await new Promise((r) => setTimeout(r, 1500));
      }
      return !Object.keys(A.pending).length;
    }

    let submitting = false;
    async function doSubmit() {
      if (submitting) return;
      const form = main.querySelector('.submit form');
      const pred = A.prediction;
      if (paper.prediction && !/^\d{1,9}$/.test(pred || '')) {
        formError(form, { message: t('submit.fix'), fields: { prediction: t('submit.prediction_invalid') } });
        return;
      }
      submitting = true;
      const btn = document.getElementById('do-submit');
      btn.disabled = true; btn.textContent = t('submit.sending');
      try {
        if (!(await flushed(20000))) throw new ApiError(0, { error: 'network', detail: t('submit.not_flushed') });
        const res = await api('POST', `/attempts/${id}/submit`, { prediction: paper.prediction ? Number(pred) : null });
        done(res);
      } catch (e) {
        submitting = false;
        btn.disabled = false; btn.textContent = t('submit.confirm');
        formError(form, e);
      }
    }

    function done(res) {
      A.over = true;
      store.set('result:' + id, res);
      store.del('att:' + id); store.del('paper:' + id);
      location.replace(`#/a/${id}/result`);
    }

    async function finished(message) {
      A.over = true;
      say(message, true);
      try { done(await api('POST', `/attempts/${id}/submit`, { prediction: null })); } catch { location.replace(`#/a/${id}/result`); }
    }

    async function timeUp() {
      A.over = true;
      say(t('attempt.time_up'), true);
      main.querySelectorAll('.question input').forEach((x) => { x.disabled = true; });
      clock.textContent = t('attempt.time_up');
      await flushed(4000);  // the server still accepts answers within its short grace
      const pred = /^\d{1,9}$/.test(A.prediction || '') ? Number(A.prediction) : null;
      for (let i = 0; i < 8; i++) {
        try { done(await api('POST', `/attempts/${id}/submit`, { prediction: paper.prediction ? pred : null })); return; } catch (e) {
          // without a prediction the server ends the attempt itself once the grace is over
          await new Promise((r) => setTimeout(r, 3000));
        }
      }
      location.replace(`#/a/${id}/result`);
    }

    render();
    if (Object.keys(A.pending).length) flush();
    if (practice) reveal(null);
  }

  // ---- results, leaderboard, my attempts -----------------------------------------------------------
  function live(roundId, onChange) {
    // The leaderboard stream when the server has it; polling every 15 s otherwise.
    let es = null; let poll = null;
    const startPolling = () => { if (!poll) poll = every(POLL_MS, onChange); };
    if ('EventSource' in window) {
      es = new EventSource(`/api/v1/rounds/${roundId}/leaderboard/stream`);
      es.addEventListener('leaderboard', (ev) => { try { onChange(JSON.parse(ev.data)); } catch { onChange(); } });
      es.onerror = () => { if (es.readyState === EventSource.CLOSED) { es = null; startPolling(); } };
      onCleanup(() => es && es.close());
      // a server without the stream answers 404: EventSource closes and we poll
    } else startPolling();
  }

  async function result(id) {
    const paper = await api('GET', `/attempts/${id}`);
    if (paper.status !== 'submitted') { location.replace(`#/a/${id}`); return; }
    const info = await roundInfo(paper.round_id);
    const practice = info.kind === 'practice';
    const kept = store.get('result:' + id) || {};
    const res = paper.result || kept;
    const rankEl = h('p', { class: 'big', id: 'rank' }, kept.rank ? String(kept.rank) : '—');
    const rankNote = h('p', { class: 'hint' });
    let lastRank = kept.rank || null;
    const refresh = async () => {
      try {
        const me = await api('GET', `/rounds/${paper.round_id}/me`);
        const counted = me.attempt && me.attempt.attempt_id === id;
        rankEl.textContent = me.rank ? String(me.rank) : '—';
        if (res.score_shown_at) return; // scores and ranks appear after the close
        rankNote.textContent = counted ? t('result.counted') : t('result.not_counted');
        if (me.rank && lastRank && me.rank !== lastRank) say(t('result.rank_changed', { rank: me.rank }));
        lastRank = me.rank;
      } catch { /* keep the last known rank on a bad network */ }
    };
    const stats = h('dl', { class: 'stats' },
      h('div', {}, h('dt', {}, t('result.score')), h('dd', { class: 'big', id: 'score' }, `${num(res.score)}/${num(res.max_score)}`)),
      h('div', {}, h('dt', {}, t('result.time')), h('dd', { class: 'big' }, fmtDuration(res.duration_ms))),
      practice ? null : h('div', {}, h('dt', {}, t('result.rank')), h('dd', {}, rankEl, rankNote)));
    const reviewBox = h('div');
    page(t('result.title'), h('p', {}, info.title),
      res.auto_submitted ? h('p', { class: 'warn' }, t('result.auto')) : null,
      res.score_shown_at ? h('p', { class: 'hint', id: 'score-later' }, t('result.score_later', { when: fmtDate(res.score_shown_at) })) : null,
      stats,
      h('div', { class: 'actions' },
        practice ? link(`#/r/${paper.round_id}/start`, t('btn.practice_again'), 'btn primary') : link(`#/r/${paper.round_id}/board`, t('btn.board'), 'btn primary'),
        link(`#/r/${paper.round_id}/mine`, t('btn.mine')),
        link(`#/c/${info.slug}`, t('nav.back_contest'))),
      reviewBox);
    say(t('result.announce', { score: num(res.score), max: num(res.max_score) }));
    if (practice) {
      try {
        const rv = await api('GET', `/attempts/${id}/review`);
        const texts = Object.fromEntries(paper.questions.map((q, i) => [q.id, { q, i }]));
        reviewBox.replaceChildren(h('h2', {}, t('practice.review')), h('ol', { class: 'review-list' }, rv.questions.map((r) => {
          const { q } = texts[r.question_id];
          const opt = (oid) => (q.options.find((o) => o.id === oid) || {}).text;
          return h('li', { class: 'review ' + (r.is_correct ? 'ok' : 'ko') }, h('p', {}, q.text),
            h('p', { class: 'verdict' }, r.is_correct ? t('practice.right') : t('practice.wrong')),
            h('p', {}, h('strong', {}, t('practice.answer')), ' ', r.correct_option_ids.map(opt).join('; ')),
            r.explanation ? h('p', {}, h('strong', {}, t('practice.explanation')), ' ', r.explanation) : null,
            r.basis ? h('p', {}, h('strong', {}, t('practice.basis')), ' ', r.basis) : null);
        })));
      } catch { /* review is a bonus */ }
    } else {
      await refresh();
      live(paper.round_id, refresh);
    }
  }

  async function board(roundId) {
    const info = await roundInfo(roundId);
    const units = await api('GET', `/contests/${encodeURIComponent(info.slug)}/units`).catch(() => []);
    let unit = '';
    const tbody = h('tbody');
    const total = h('p', { 'aria-live': 'polite' });
    const updated = h('p', { class: 'hint' });
    const show = (data) => {
      total.textContent = t('board.total', { n: num(data.total) });
      updated.textContent = t('board.updated', { time: new Date().toLocaleTimeString(S._locale || 'vi-VN', { timeZone: TZ }) });
      tbody.replaceChildren(...(data.entries.length ? data.entries.map((e) => h('tr', {},
        h('td', { class: 'num' }, String(e.rank)), h('th', { scope: 'row' }, e.name), h('td', {}, e.unit || ''),
        h('td', { class: 'num' }, num(e.score)), h('td', { class: 'num' }, fmtDuration(e.duration_ms))))
        : [h('tr', {}, h('td', { colspan: '5' }, t('board.empty')))]));
    };
    const load = async () => {
      try { show(await api('GET', `/rounds/${roundId}/leaderboard?limit=50${unit ? '&unit=' + encodeURIComponent(unit) : ''}`)); } catch { /* keep the last page */ }
    };
    const filter = h('select', { id: 'board-unit', onchange: (e) => { unit = e.target.value; load(); } },
      h('option', { value: '' }, t('board.all_units')), units.map((u) => h('option', { value: u.code }, '\u00a0'.repeat(2 * (u.level - 1)) + u.name)));
    page(t('board.title', { round: info.title }), h('p', {}, info.contest),
      h('div', { class: 'field' }, h('label', { for: 'board-unit' }, t('board.unit')), filter),
      total,
      h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('board.table') },
        h('table', {}, h('caption', { class: 'sr-only' }, t('board.table')),
          h('thead', {}, h('tr', {}, ['rank', 'name', 'unit', 'score', 'time'].map((k) => h('th', { scope: 'col' }, t('board.col_' + k))))),
          tbody)),
      updated,
      h('div', { class: 'actions' }, link(`#/c/${info.slug}`, t('nav.back_contest'))));
    await load();
    live(roundId, (data) => (data && data.entries && !unit ? show(data) : load()));
  }

  async function mine(roundId) {
    const info = await roundInfo(roundId);
    const me = await api('GET', `/rounds/${roundId}/me`);
    const practice = info.kind === 'practice';
    const counted = me.attempt && me.attempt.attempt_id;
    const items = me.attempts.map((a) => h('li', { class: 'card' + (a.attempt_id === counted ? ' counted' : '') },
      h('h2', { class: 'small' }, t('mine.attempt_n', { n: a.number })),
      h('p', {}, a.status === 'running' ? t('mine.running', { time: fmtDate(a.deadline) })
        : t('mine.submitted', { score: num(a.score), max: num(a.max_score), time: fmtDuration(a.duration_ms) })),
      a.attempt_id === counted && !practice ? h('p', { class: 'badge ok' }, t('mine.counted')) : null,
      a.status === 'running' ? link(`#/a/${a.attempt_id}`, t('btn.continue'), 'btn primary')
        : link(`#/a/${a.attempt_id}/result`, t('btn.see_result'))));
    const running = me.attempts.some((a) => a.status === 'running');
    const canStart = info.status === 'open' && !running && (me.attempts_left == null || me.attempts_left > 0);
    page(t('mine.title'), h('p', {}, info.title),
      !practice && me.rank ? h('p', { class: 'big' }, t('mine.rank', { rank: me.rank })) : null,
      me.prediction != null ? h('p', {}, t('mine.prediction', { n: num(me.prediction) })) : null,
      me.attempts_left != null ? h('p', {}, t('mine.left', { n: me.attempts_left })) : null,
      items.length ? h('ul', { class: 'cards' }, items) : h('p', {}, t('mine.none')),
      h('div', { class: 'actions' },
        canStart ? link(`#/r/${roundId}/start`, practice ? t('btn.practice') : t('btn.start'), 'btn primary') : null,
        practice ? null : link(`#/r/${roundId}/board`, t('btn.board')),
        link(`#/c/${info.slug}`, t('nav.back_contest'))));
  }

  // ---- boot ---------------------------------------------------------------------------------------------
  async function boot() {
    if (new URLSearchParams(location.search).has('embed')) document.documentElement.classList.add('embed');
    await setLang(store.get('lang') || 'vi');
    renderChrome();
    document.getElementById('skip').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
    window.addEventListener('hashchange', route);
    window.addEventListener('online', renderNet);
    window.addEventListener('offline', renderNet);
    await route();
    if ('serviceWorker' in navigator && location.protocol !== 'file:') {
      navigator.serviceWorker.register('/sw.js').catch(() => { /* pages still work without it */ });
    }
  }
  boot().catch((e) => { main.textContent = String(e && e.message ? e.message : e); });
})();
