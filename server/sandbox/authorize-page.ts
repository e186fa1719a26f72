import { esc, logo, page } from './html';
import type { Login } from './model';
import { companyTemplateOf, isCompanyAdmin } from './permissions';
import { FIELD_CREW_TEMPLATE_ID } from './seed-data';
import type { SandboxState } from './state';

const CSS = `
body{background:#eef0f1}
.wrap{max-width:560px;margin:40px auto;padding:0 16px}
.hdr{border-radius:8px 8px 0 0}
.box{background:#fff;border-radius:0 0 8px 8px;padding:24px 28px;box-shadow:0 2px 10px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 4px}
.app{display:flex;gap:12px;align-items:center;padding:12px;border:1px solid #e1e4e6;border-radius:6px;margin:16px 0}
.app .icon{width:40px;height:40px;border-radius:8px;background:#1d5cc9;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:700}
.who{display:flex;flex-direction:column;gap:8px;margin:12px 0}
.who button{display:flex;align-items:center;gap:12px;width:100%;text-align:left;background:#fff;border:1px solid #d6dadc;border-radius:6px;padding:10px 12px;cursor:pointer;font:inherit}
.who button:hover{border-color:#ff5200;background:#fff8f4}
.who .meta{display:flex;flex-direction:column}.who .meta span{color:#6a767c;font-size:12px}
.tag{white-space:nowrap;margin-left:auto;font-size:11px;font-weight:700;border-radius:10px;padding:2px 8px;background:#eef0f1;color:#4a5055}
.tag.admin{background:#fff0e8;color:#c24100}
.other{display:flex;gap:8px;margin-top:8px}.other .btn{white-space:nowrap}.other select{flex:1;min-width:0;padding:8px;border:1px solid #c3c9cc;border-radius:4px;font:inherit}
.foot{display:flex;justify-content:space-between;align-items:center;margin-top:20px;border-top:1px solid #e1e4e6;padding-top:16px}
`;

interface AuthorizeParams {
  client_id?: string;
  redirect_uri?: string;
  state?: string;
}

function hidden(q: AuthorizeParams): string {
  return ['client_id', 'redirect_uri', 'state']
    .map((k) => {
      const v = q[k as keyof AuthorizeParams];
      return v === undefined ? '' : `<input type="hidden" name="${k}" value="${esc(v)}">`;
    })
    .join('');
}

/**
 * procore-api.md §1.2: Procore's sign-in and consent step, reduced to "who are you?". People with
 * an office template (any company template but Field Crew) are offered as buttons, labelled with
 * their template's name and their level on the Admin tool, which is what makes a company admin
 * (§2.5); everyone else is in the "Someone else" list.
 */
export function renderAuthorizePage(state: SandboxState, q: AuthorizeParams): string {
  const featured: Array<{
    login: Login;
    role: string;
    admin: boolean;
    adminTool: string;
    companies: string;
  }> = [];
  const others: Login[] = [];
  for (const login of state.logins.values()) {
    const memberships = state.companiesOf(login.id).flatMap((c) => {
      const u = c.users.get(login.id);
      return u?.is_active && !u.isServiceAccount ? [{ c, u, t: companyTemplateOf(c, u) }] : [];
    });
    if (memberships.length === 0) continue;
    const office = memberships.filter((m) => m.t && m.t.id !== FIELD_CREW_TEMPLATE_ID);
    if (office.length > 0 && featured.length < 12) {
      const levels = office.map((m) => m.t?.tools.admin ?? 'None');
      featured.push({
        login,
        admin: memberships.some((m) => isCompanyAdmin(m.c, m.u)),
        role: [...new Set(office.map((m) => m.t?.name))].join(', '),
        adminTool: (['Admin', 'Standard', 'Read Only'] as const).find((l) => levels.includes(l)) ?? 'None',
        companies: memberships.map((m) => m.c.name).join(', '),
      });
    } else if (others.length < 500) others.push(login);
  }
  featured.sort((a, b) => Number(b.admin) - Number(a.admin));
  const buttons = featured
    .map(
      (f) => `<button type="submit" name="user_id" value="${f.login.id}">
  <span class="avatar">${esc(initials(f.login.name))}</span>
  <span class="meta"><b>${esc(f.login.name)}</b><span>${esc(f.login.email)} · ${esc(f.companies)}</span><span>Admin tool: ${esc(f.adminTool)}</span></span>
  <span class="tag${f.admin ? ' admin' : ''}">${esc(f.role)}</span></button>`,
    )
    .join('');
  const options = others
    .map((l) => `<option value="${l.id}">${esc(l.name)} — ${esc(l.email)}</option>`)
    .join('');
  return page(
    'Sign in · Procore sandbox',
    CSS,
    `<div class="wrap"><div class="hdr">${logo()}</div><div class="box">
<h1>Sign in to Procore</h1><div class="muted">Sandbox sign-in: choose who you are. No password needed.</div>
<div class="app"><span class="icon">WS</span><div><b>${esc(state.settings.appName)}</b><div class="muted">wants to access your Procore account (client <code>${esc(q.client_id)}</code>)</div></div></div>
<form method="post" action="/oauth/authorize">${hidden(q)}<input type="hidden" name="decision" value="allow">
<div class="who">${buttons}</div></form>
${options ? `<form method="post" action="/oauth/authorize">${hidden(q)}<input type="hidden" name="decision" value="allow"><div class="muted">Someone else</div><div class="other"><select name="user_id" aria-label="Someone else">${options}</select><button class="btn" type="submit">Sign in</button></div></form>` : ''}
<div class="foot"><span class="muted">Allowing gives the app your Procore permissions.</span>
<form method="post" action="/oauth/authorize">${hidden(q)}<input type="hidden" name="decision" value="deny"><button class="btn" type="submit">Deny</button></form></div>
</div></div>`,
  );
}

export function renderAuthorizeError(message: string): string {
  return page(
    'Authorization error · Procore sandbox',
    CSS,
    `<div class="wrap"><div class="hdr">${logo()}</div><div class="box"><h1>An error has occurred</h1><p>${esc(message)}</p></div></div>`,
  );
}

/** The out-of-band redirect (`urn:ietf:wg:oauth:2.0:oob`, §1.2): the code is shown, not sent. */
export function renderOobCode(code: string): string {
  return page(
    'Authorization code · Procore sandbox',
    CSS,
    `<div class="wrap"><div class="hdr">${logo()}</div><div class="box"><h1>Authorization code</h1><p>Copy this code into your application:</p><pre id="code">${esc(code)}</pre></div></div>`,
  );
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .map((s) => s[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
}
