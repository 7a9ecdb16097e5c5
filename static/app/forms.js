/* Registration (with the proof-of-work gate during a rush) and login. */
import {
  ASSETS, ApiError, api, contest, store, h, vi, t, tn, say, page, field, formError, forgetPredictions,
} from './core.js';

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

// ---- the date of birth: day / month / year in Vietnamese order, never the phone's date picker
// (many phones show a native date input as mm/dd/yyyy and people type the day first)
const PARTS = [['day', 2, 'bday-day'], ['month', 2, 'bday-month'], ['year', 4, 'bday-year']];

function birthFields() {
  const inputs = PARTS.map(([part, size, auto]) => h('div', { class: 'dob-part' },
    h('label', { for: `f-birth_${part}` }, t(`reg.birth_${part}`)),
    h('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]*', maxlength: String(size), id: `f-birth_${part}`,
      name: `birth_${part}`, autocomplete: auto, required: true, 'data-part-of': 'birth_date', class: `dob-${part}`,
      'aria-describedby': 'h-birth_date e-birth_date',
      // typing the day or month in full moves on to the next box, as on paper forms
      oninput: (e) => {
        const el = e.target;
        el.value = el.value.replace(/\D/g, '').slice(0, size);
        if (el.value.length === size && part !== 'year') el.closest('.dob').querySelectorAll('input')[part === 'day' ? 1 : 2].focus();
      } })));
  return h('fieldset', { class: 'field dob-field', 'data-field': 'birth_date' },
    h('legend', {}, t('reg.birth_date'), h('span', { class: 'req' }, ' *')),
    h('p', { class: 'hint', id: 'h-birth_date' }, t('reg.birth_date_hint')),
    h('div', { class: 'dob' }, inputs),
    h('p', { class: 'field-error', id: 'e-birth_date', hidden: true }));
}

/** The date of birth as YYYY-MM-DD, or the message saying what is wrong with it. */
export function readBirth(form) {
  const get = (p) => form.querySelector(`#f-birth_${p}`).value.trim();
  const [d, m, y] = [get('day'), get('month'), get('year')];
  if (!d && !m && !y) return { error: t('form.required') };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return { error: t('reg.birth_invalid') };
  const dd = Number(d); const mm = Number(m); const yy = Number(y);
  const date = new Date(Date.UTC(yy, mm - 1, dd));
  if (mm < 1 || mm > 12 || date.getUTCDate() !== dd || date.getUTCMonth() !== mm - 1) return { error: t('reg.birth_invalid') };
  const thisYear = new Date().getFullYear();
  if (yy < 1900 || yy > thisYear || date.getTime() > Date.now()) return { error: t('reg.birth_range') };
  const two = (n) => String(n).padStart(2, '0');
  return { value: `${yy}-${two(mm)}-${two(dd)}` };
}

export async function register(slug) {
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
    count.textContent = tn('reg.unit_count', shown.length);
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
        vi('div', {}, c.consent.text.split(/\n+/).map((line) => h('p', {}, line)),
        vi('ul', {}, c.consent.purposes.map((p) => h('li', {}, p)))))
      : h('p', { id: 'consent-text', class: 'consent-text' }, t('reg.consent_text', { title: c.title })),
    h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'consent', id: 'f-consent',
      'aria-describedby': 'consent-text e-consent' }), h('span', {}, t('reg.consent'))),
    h('p', { class: 'field-error', id: 'e-consent', hidden: true }));
  const form = h('form', { novalidate: true, class: 'form', onsubmit: async (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const body = { consent: form.querySelector('#f-consent').checked };
    const birth = readBirth(form);
    if (birth.value) body.birth_date = birth.value;
    for (const k of ['full_name', 'phone', 'password', 'unit_code', 'group', 'gender', 'id_number', 'email']) {
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
      if (e.status === 422) e.fields = { ...local, ...e.fields, ...(birth.error ? { birth_date: birth.error } : {}) };
      formError(form, e);
      if (!gate) gate = nextGate();
    } finally { btn.disabled = false; }
  } },
  h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
  h('p', { class: 'hint' }, t('reg.required_note')),
  field('full_name', t('reg.full_name'), h('input', { type: 'text', autocomplete: 'name', required: true })),
  birthFields(),
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
  page(t('reg.title'), vi('p', {}, c.title), form,
    h('p', {}, t('reg.have_account'), ' ', h('a', { class: 'inline', href: `#/c/${slug}/login` }, t('btn.login'))));
}

function fold(s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase(); }

function afterLogin(slug) {
  forgetPredictions(); // they were another person's, or will come back from the server
  const next = store.get('next');
  store.del('next');
  location.hash = next && next !== location.hash ? next : `#/c/${slug}`;
}

export async function login(slug) {
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
  page(t('login.title'), vi('p', {}, c.title), form,
    h('p', {}, t('login.no_account'), ' ', h('a', { class: 'inline', href: `#/c/${slug}/register` }, t('btn.register'))));
}
