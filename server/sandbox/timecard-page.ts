import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { chrome, pickCompany } from './chrome';
import { esc, page } from './html';
import type { SandboxState } from './state';
import { entryView } from './timecards.routes';

const CSS = `
main{padding:20px}.card{overflow:hidden}
.toolbar{display:flex;gap:12px;align-items:center;padding:12px 16px;border-bottom:1px solid #e1e4e6;flex-wrap:wrap}
.toolbar h1{font-size:18px;margin:0;flex:1}.toolbar select,.toolbar input{padding:6px 9px;border:1px solid #c3c9cc;border-radius:4px;font:inherit}
.scroll{overflow-x:auto}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:8px 12px;border-bottom:1px solid #eef0f1;white-space:nowrap}
th{font-size:12px;color:#6a767c;text-transform:uppercase;letter-spacing:.4px;background:#fafbfb}
td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#6a767c}
.tag{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#eef0f1}
.tag.approved{background:#e3f5e9;color:#1b7a3e}
`;

/**
 * Procore's company Timecard tool as a person would look at it: every timecard entry of the
 * company (newest date first), so what the app sent can be seen from Procore's side.
 */
export function registerTimecardPage(app: FastifyInstance, state: SandboxState): void {
  app.get('/timecard', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const company = pickCompany(state, q.company_id);
    if (!company) return reply.code(404).send('No companies');
    const projectId = q.project_id && /^\d+$/.test(q.project_id) ? Number(q.project_id) : undefined;
    const entries = [...company.timecards.values()]
      .filter((e) => projectId === undefined || e.projectId === projectId)
      .sort((a, b) => b.date.localeCompare(a.date) || a.id - b.id)
      .map((e) => ({ ...entryView(state, company, e), work_classification_id: e.work_classification_id }));
    const projects = [...company.projects.values()]
      .map(
        (p) =>
          `<option value="${p.id}"${p.id === projectId ? ' selected' : ''}>${esc(p.name)}${p.timecards_enabled === false ? ' (Timecard off)' : ''}</option>`,
      )
      .join('');
    const rows = entries
      .map(
        (e) => `<tr data-origin-id="${esc(e.origin_id ?? '')}">
  <td>${esc(e.date)}</td><td>${esc(e.party?.name ?? '—')}</td><td>${esc(e.project?.name ?? '—')}</td>
  <td class="num">${esc(e.hours ?? '—')}</td><td>${e.time_in ? `${esc(e.time_in.slice(11, 16))}–${esc(e.time_out?.slice(11, 16) ?? '')}` : '<span class="muted">—</span>'}</td>
  <td>${esc(e.lunch_time ?? '')}</td><td>${e.work_classification_id ? esc(company.classifications.get(e.work_classification_id)?.name ?? e.work_classification_id) : '<span class="muted">—</span>'}</td>
  <td>${e.cost_code ? esc(`${e.cost_code.full_code ?? ''} ${e.cost_code.name ?? ''}`.trim() || e.cost_code.id) : '<span class="muted">—</span>'}</td>
  <td><span class="tag ${esc(e.approval_status)}">${esc(e.approval_status)}</span></td>
  <td>${esc(e.description ?? '')}</td><td class="num muted">${esc(e.origin_id ?? '')}</td></tr>`,
      )
      .join('');
    const body = `<main><div class="card">
  <div class="toolbar"><h1>Timecard</h1>
    <form method="get" action="/timecard"><input type="hidden" name="company_id" value="${company.id}">
      <select name="project_id" aria-label="Project filter" onchange="this.form.submit()"><option value="">All projects</option>${projects}</select></form>
    <span class="muted">${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}</span></div>
  <div class="scroll"><table aria-label="Timecard entries"><thead><tr><th>Date</th><th>Employee</th><th>Project</th><th>Hours</th><th>In–Out</th><th>Lunch</th><th>Classification</th><th>Cost code</th><th>Status</th><th>Description</th><th>Origin ID</th></tr></thead>
  <tbody>${rows || '<tr><td colspan="11" class="muted">No timecard entries yet.</td></tr>'}</tbody></table></div>
</div></main>`;
    return reply
      .type('text/html')
      .send(
        page(
          `Timecard · ${company.name} · Procore`,
          CSS,
          `${chrome(state, company, 'timecard', [company.name, 'Company Tools', 'Timecard'])}${body}`,
        ),
      );
  });

  // Control API: switch a project's Timecard tool (a 403 on demand) or its active flag.
  const projectPatch = z.object({ timecards_enabled: z.boolean(), active: z.boolean() }).partial();
  app.patch<{ Params: { id: string; projectId: string } }>(
    '/_sandbox/companies/:id/projects/:projectId',
    async (request, reply) => {
      const company = state.company(Number(request.params.id));
      const project = company?.projects.get(Number(request.params.projectId));
      const parsed = projectPatch.safeParse(request.body ?? {});
      if (!project) return reply.code(404).send({ error: { code: 'not_found', message: 'No such project' } });
      if (!parsed.success)
        return reply.code(400).send({ error: { code: 'invalid', message: parsed.error.message } });
      Object.assign(project, parsed.data);
      return { ...project, timecards_enabled: project.timecards_enabled !== false };
    },
  );

  app.get<{ Params: { id: string } }>('/_sandbox/companies/:id/timecards', async (request, reply) => {
    const company = state.company(Number(request.params.id));
    if (!company) return reply.code(404).send({ error: { code: 'not_found', message: 'No such company' } });
    // The API's view plus what it does not show (§5.3: no classification on entries).
    return {
      items: [...company.timecards.values()].map((e) => ({
        ...entryView(state, company, e),
        work_classification_id: e.work_classification_id,
      })),
    };
  });
}
