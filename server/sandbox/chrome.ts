import { esc, logo } from './html';
import type { Company } from './model';
import type { SandboxState } from './state';

/** The Procore-like global header and breadcrumb shared by the framing and Directory pages. */
export function chrome(
  state: SandboxState,
  company: Company,
  current: 'app' | 'directory' | 'timecard',
  crumbs: string[],
  /** The framed app's outbox page (its alert e-mails in sandbox mode), where the app is framed. */
  outboxUrl?: string,
): string {
  const options = [...state.companies.values()]
    .map((c) => `<option value="${c.id}"${c.id === company.id ? ' selected' : ''}>${esc(c.name)}</option>`)
    .join('');
  const appName = esc(state.settings.appName);
  const q = `company_id=${company.id}`;
  return `<header class="hdr">
  <a href="/?${q}" style="text-decoration:none">${logo()}</a>
  <label><span class="lbl">Company</span>
    <select class="sel" aria-label="Company" onchange="location.href='${current === 'app' ? '/' : `/${current}`}?company_id='+this.value">${options}</select></label>
  <label class="proj"><span class="lbl">Project</span>
    <select class="sel" aria-label="Project" disabled><option>Select a project</option></select></label>
  <span class="grow"></span>
  <span style="position:relative"><button class="btn-dark" type="button" aria-haspopup="true" onclick="toggleMenu('tools')">Company Tools ▾</button>
    <div class="menu" id="menu-tools" style="right:0">
      <h4>Core Tools</h4><a href="#" onclick="return false">Home</a><a href="#" onclick="return false">Documents</a>
      <a href="/directory?${q}"${current === 'directory' ? ' class="cur"' : ''}>Directory</a>
      <h4>Project Management</h4><a href="#" onclick="return false">Timesheets</a><a href="/timecard?${q}"${current === 'timecard' ? ' class="cur"' : ''}>Timecard</a>
      <h4>Company Settings</h4><a href="#" onclick="return false">Admin</a>
    </div></span>
  <span style="position:relative"><button class="btn-dark" type="button" aria-haspopup="true" onclick="toggleMenu('apps')">Apps ▾</button>
    <div class="menu" id="menu-apps" style="right:0">
      <h4>Installed apps</h4><a href="/?${q}"${current === 'app' ? ' class="cur"' : ''}>${appName}</a>
      <h4>App Marketplace</h4><a href="#" onclick="return false">Explore apps</a>${
        outboxUrl
          ? `<h4>Sandbox</h4><a href="${esc(outboxUrl)}" target="_blank" rel="noopener">${appName} e-mail outbox</a>`
          : ''
      }
    </div></span>
  <span class="avatar" title="Sandbox user">DW</span>
</header>
<nav class="crumbs" aria-label="Breadcrumb">${crumbs.map((c, i) => (i === crumbs.length - 1 ? `<b>${esc(c)}</b>` : `${esc(c)} <span>›</span>`)).join(' ')}</nav>
<script>
function toggleMenu(id){document.querySelectorAll('.menu').forEach(function(m){if(m.id!=='menu-'+id)m.classList.remove('open')});document.getElementById('menu-'+id).classList.toggle('open');}
document.addEventListener('click',function(e){if(!e.target.closest('[aria-haspopup]')&&!e.target.closest('.menu'))document.querySelectorAll('.menu').forEach(function(m){m.classList.remove('open')})});
</script>`;
}

/** The company named by `?company_id=`, or the first one. */
export function pickCompany(state: SandboxState, raw: unknown): Company | undefined {
  const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
  return (id !== undefined ? state.company(id) : undefined) ?? state.companies.values().next().value;
}
