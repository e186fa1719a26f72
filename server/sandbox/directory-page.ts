import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { chrome, pickCompany } from './chrome';
import { DirectoryError, type DirectoryService } from './directory.service';
import { esc, page } from './html';
import type { Company, CompanyUser } from './model';
import { COMPANY_ADMIN_TEMPLATE_ID } from './seed-data';
import type { SandboxState } from './state';

const CSS = `
main{display:flex;gap:20px;padding:20px;align-items:flex-start}
.list{flex:1;min-width:0;overflow:hidden}.side{width:420px;flex:none}
.toolbar{display:flex;gap:8px;align-items:center;padding:12px 16px;border-bottom:1px solid #e1e4e6}
.toolbar h1{font-size:18px;margin:0;flex:1}
.toolbar input[name=q]{padding:7px 10px;border:1px solid #c3c9cc;border-radius:4px;font:inherit;width:240px}
table{width:100%;border-collapse:collapse;table-layout:fixed}th,td{text-align:left;padding:8px 12px;border-bottom:1px solid #eef0f1;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
th:nth-child(1){width:22%}th:nth-child(2){width:25%}th:nth-child(4){width:9%}th:nth-child(5){width:10%}th:nth-child(7){width:9%}
th{font-size:12px;color:#6a767c;text-transform:uppercase;letter-spacing:.4px;background:#fafbfb}
tr.sel td{background:#fff4ee}tbody tr:hover td{background:#f7f8f9}
.pager{display:flex;justify-content:space-between;padding:10px 16px;color:#6a767c}
.side .card{padding:16px 18px;margin-bottom:16px}.side h2{font-size:16px;margin:0 0 12px}
.field{display:flex;flex-direction:column;margin-bottom:10px}.field span{font-size:12px;font-weight:600;color:#4a5055;margin-bottom:3px}
.field input,.field select{width:100%;min-width:0;padding:7px 9px;border:1px solid #c3c9cc;border-radius:4px;font:inherit}
.row{display:flex;gap:10px}.row .field{flex:1;min-width:0}
.check{display:flex;gap:8px;align-items:center;margin:6px 0}
.flash{background:#e3f5e9;color:#1b7a3e;border-radius:4px;padding:8px 12px;margin-bottom:12px}
.err{background:#fde8e8;color:#b42318}
.ev{display:flex;justify-content:space-between;gap:8px;padding:7px 0;border-bottom:1px solid #eef0f1;font-size:13px}
`;

const PAGE_SIZE = 50;

const form = z.object({
  first_name: z.string().default(''),
  last_name: z.string().default(''),
  email_address: z.string().default(''),
  mobile_phone: z.string().default(''),
  employee_id: z.string().default(''),
  work_classification_id: z.string().default(''),
  is_employee: z.string().optional(),
  is_active: z.string().optional(),
});

/** The Directory panel: browse users, edit one, and see the webhooks each change sent. */
export function registerDirectoryPage(
  app: FastifyInstance,
  state: SandboxState,
  directory: DirectoryService,
): void {
  app.get('/directory', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const company = pickCompany(state, q.company_id);
    if (!company) return reply.code(404).send('No companies');
    const selected = q.user_id ? company.users.get(Number(q.user_id)) : undefined;
    const html = listHtml(state, company, q, selected) + sideHtml(state, company, selected, q);
    return reply
      .type('text/html')
      .send(
        page(
          `Directory · ${company.name} · Procore`,
          CSS,
          `${chrome(state, company, 'directory', [company.name, 'Company Tools', 'Directory'])}<main>${html}</main>`,
        ),
      );
  });

  app.post('/directory/users', async (request, reply) => save(request.query, request.body, reply, null));
  app.post('/directory/users/:id', async (request, reply) =>
    save(request.query, request.body, reply, Number((request.params as { id: string }).id)),
  );

  function save(query: unknown, body: unknown, reply: FastifyReply, userId: number | null) {
    const company = pickCompany(state, (query as Record<string, unknown>).company_id);
    const parsed = form.safeParse(body ?? {});
    if (!company || !parsed.success) return reply.code(400).send('Bad form');
    const f = parsed.data;
    const blank = (s: string) => (s.trim() === '' ? null : s.trim());
    const fields = {
      first_name: blank(f.first_name),
      last_name: f.last_name.trim(),
      email_address: blank(f.email_address),
      mobile_phone: blank(f.mobile_phone),
      employee_id: blank(f.employee_id),
      work_classification_id: f.work_classification_id ? Number(f.work_classification_id) : null,
      is_employee: f.is_employee === 'on',
      is_active: f.is_active === 'on',
    };
    const admin = [...company.users.values()].find(
      (u) => u.company_permission_template_id === COMPANY_ADMIN_TEMPLATE_ID,
    );
    const source = { userId: admin?.id ?? null, applicationId: null };
    const back = (id: number | null, extra: string) =>
      reply.redirect(
        `/directory?company_id=${company.id}${id !== null ? `&user_id=${id}` : ''}&${extra}`,
        303,
      );
    if (fields.last_name === '') return back(userId, 'error=Last+name+is+required');
    try {
      const user =
        userId === null
          ? directory.createUser(company, fields, source)
          : directory.updateUser(company, userId, fields, source);
      return back(user.id, 'saved=1');
    } catch (err) {
      if (err instanceof DirectoryError) return back(userId, `error=${encodeURIComponent(err.message)}`);
      throw err;
    }
  }
}

function listHtml(
  state: SandboxState,
  company: Company,
  q: Record<string, string | undefined>,
  selected?: CompanyUser,
) {
  const term = q.q?.trim().toLowerCase() ?? '';
  const all = state
    .sortedUsers(company, true, 'name')
    .concat(q.inactive ? state.sortedUsers(company, false, 'name') : [])
    .filter(
      (u) =>
        !term || `${u.first_name ?? ''} ${u.last_name} ${u.email_address ?? ''}`.toLowerCase().includes(term),
    );
  const pageNo = Math.max(1, Number(q.page ?? 1) || 1);
  const rows = all.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);
  const classes = company.classifications;
  const link = (extra: string) =>
    `/directory?company_id=${company.id}${term ? `&q=${encodeURIComponent(term)}` : ''}${q.inactive ? '&inactive=1' : ''}${extra}`;
  const body = rows
    .map(
      (
        u,
      ) => `<tr${u.id === selected?.id ? ' class="sel"' : ''}><td><a href="${link(`&page=${pageNo}&user_id=${u.id}`)}">${esc(
        `${u.last_name}${u.first_name ? `, ${u.first_name}` : ''}`,
      )}</a>${u.isServiceAccount ? ' <span class="pill wait">service account</span>' : ''}</td>
<td>${esc(u.email_address ?? '—')}</td><td>${esc(u.mobile_phone ?? '—')}</td><td>${u.is_employee ? 'Yes' : 'No'}</td>
<td>${esc(u.employee_id ?? '')}</td><td>${esc(u.work_classification_id ? (classes.get(u.work_classification_id)?.name ?? '') : '')}</td>
<td>${u.is_active ? '<span class="pill ok">Active</span>' : '<span class="pill bad">Inactive</span>'}</td></tr>`,
    )
    .join('');
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  return `<section class="list card"><form class="toolbar" method="get" action="/directory">
<h1>Users <span class="muted" style="font-weight:400;font-size:14px">${all.length}</span></h1>
<input type="hidden" name="company_id" value="${company.id}"><input name="q" placeholder="Search users" value="${esc(term)}" aria-label="Search users">
<label class="check"><input type="checkbox" name="inactive" value="1"${q.inactive ? ' checked' : ''} onchange="this.form.submit()"> Show inactive</label>
<a class="btn btn-primary" href="/directory?company_id=${company.id}&new=1">+ Add User</a></form>
<table><thead><tr><th>Name</th><th>Email</th><th>Cell phone</th><th>Employee</th><th>Employee ID</th><th>Classification</th><th>Status</th></tr></thead><tbody>${body}</tbody></table>
<div class="pager"><span>Page ${pageNo} of ${pages}</span><span>${pageNo > 1 ? `<a href="${link(`&page=${pageNo - 1}`)}">‹ Previous</a>` : ''} ${
    pageNo < pages ? `<a href="${link(`&page=${pageNo + 1}`)}">Next ›</a>` : ''
  }</span></div></section>`;
}

function sideHtml(
  state: SandboxState,
  company: Company,
  user: CompanyUser | undefined,
  q: Record<string, string | undefined>,
) {
  const creating = !user && q.new !== undefined;
  const flash = q.saved
    ? '<div class="flash">Saved. Webhooks for this change are listed below.</div>'
    : q.error
      ? `<div class="flash err">${esc(q.error)}</div>`
      : '';
  if (!user && !creating) {
    return `<aside class="side"><div class="card">${flash}<h2>Edit a user</h2><p class="muted">Pick someone in the list to change their name, cell phone, email, employee flag, employee ID, classification or status. Each change sends the app a Company Users webhook, as Procore does.</p></div>${eventsHtml(state, company, undefined)}</aside>`;
  }
  const u = user;
  const options = [...company.classifications.values()]
    .map(
      (c) =>
        `<option value="${c.id}"${u?.work_classification_id === c.id ? ' selected' : ''}>${esc(c.name)}</option>`,
    )
    .join('');
  const input = (name: keyof CompanyUser, label: string) =>
    `<label class="field"><span>${label}</span><input name="${name}" value="${esc(u?.[name] ?? '')}"></label>`;
  return `<aside class="side"><form class="card" method="post" action="/directory/users${u ? `/${u.id}` : ''}?company_id=${company.id}">
${flash}<h2>${u ? esc(`${u.first_name ?? ''} ${u.last_name}`.trim()) : 'New user'}</h2>
<div class="row">${input('first_name', 'First name')}${input('last_name', 'Last name')}</div>
${input('email_address', 'Email')}${input('mobile_phone', 'Cell phone')}
<div class="row">${input('employee_id', 'Employee ID')}<label class="field"><span>Classification</span><select name="work_classification_id"><option value="">None</option>${options}</select></label></div>
<label class="check"><input type="checkbox" name="is_employee"${(u?.is_employee ?? true) ? ' checked' : ''}> Is employee of ${esc(company.name)}</label>
<label class="check"><input type="checkbox" name="is_active"${(u?.is_active ?? true) ? ' checked' : ''}> Active</label>
<div style="margin-top:12px;display:flex;gap:8px"><button class="btn btn-primary" type="submit">${u ? 'Save' : 'Create'}</button>
<a class="btn" href="/directory?company_id=${company.id}">Cancel</a></div></form>${eventsHtml(state, company, u)}</aside>`;
}

function eventsHtml(state: SandboxState, company: Company, user: CompanyUser | undefined) {
  const deliveries = state.deliveries
    .filter((d) => d.companyId === company.id && (!user || d.resource_id === user.id))
    .slice(-12)
    .reverse();
  const pill = (s: string) =>
    `<span class="pill ${s === 'delivered' ? 'ok' : s === 'discarded' ? 'bad' : 'wait'}">${esc(s)}</span>`;
  const rows = deliveries
    .map((d) => {
      const last = d.attempts.at(-1);
      const detail = last ? (last.error ?? `HTTP ${last.response_status}`) : 'queued';
      return `<div class="ev"><span><b>${esc(d.event_type)}</b> ${esc(d.resource_name)} #${d.resource_id}${d.duplicate ? ' <span class="muted">(duplicate)</span>' : ''}<br><span class="muted">${new Date(d.created_at).toLocaleTimeString('en-US')} · ${d.attempts.length} attempt(s) · ${esc(detail)}</span></span>${pill(d.status)}</div>`;
    })
    .join('');
  const hooks = [...company.hooks.values()].filter((h) => h.status === 'active').length;
  return `<div class="card" style="padding:16px 18px"><h2>Webhooks sent${user ? ' for this user' : ''}</h2>
${rows || `<p class="muted">${hooks === 0 ? 'No active webhook hooks in this company yet: connect the app first.' : 'Nothing sent yet.'}</p>`}
<p class="muted" style="margin-bottom:0">Reload to see delivery status change.</p></div>`;
}
