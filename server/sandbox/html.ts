/** Server-rendered HTML for the sandbox's pages: escaping and the shared Procore-like chrome. */

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export const BASE_CSS = `
*{box-sizing:border-box}
html,body{margin:0;height:100%;font-family:"Inter",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;color:#232628;background:#f4f5f6}
a{color:#1d5cc9;text-decoration:none}a:hover{text-decoration:underline}
.hdr{height:56px;background:#232628;color:#fff;display:flex;align-items:center;gap:16px;padding:0 16px;position:relative;z-index:5}
.logo{font-weight:800;font-size:20px;letter-spacing:-.5px;color:#fff;display:flex;align-items:center;gap:6px}
.logo .mark{width:26px;height:26px;border-radius:5px;background:#ff5200;display:inline-flex;align-items:center;justify-content:center;font-size:15px}
.logo small{font-weight:500;font-size:11px;color:#ff5200;border:1px solid #ff5200;border-radius:3px;padding:1px 5px;margin-left:6px;letter-spacing:.4px}
.hdr .sel{background:#363b3f;border:1px solid #4a5055;border-radius:4px;color:#fff;padding:6px 10px;min-width:210px;font:inherit}
.hdr .lbl{font-size:10px;text-transform:uppercase;color:#aab0b5;letter-spacing:.6px;display:block;margin-bottom:1px}
.hdr .grow{flex:1}
.hdr .btn-dark{background:#363b3f;border:1px solid #4a5055;color:#fff;border-radius:4px;padding:7px 12px;cursor:pointer;font:inherit}
.hdr .btn-dark:hover{background:#464c51}
.avatar{width:32px;height:32px;border-radius:50%;background:#5f6b73;color:#fff;display:inline-flex;align-items:center;justify-content:center;font-weight:600;font-size:12px}
.crumbs{height:40px;background:#fff;border-bottom:1px solid #d6dadc;display:flex;align-items:center;padding:0 20px;gap:8px;color:#6a767c;font-size:13px}
.crumbs b{color:#232628}
@media (max-width:720px){.hdr .sel{min-width:0;max-width:120px}.hdr .logo small,.hdr .avatar{display:none}.hdr .logo{font-size:0;gap:0}.hdr .btn-dark{font-size:12px}.hdr .proj,.logo small{display:none}.hdr{gap:8px;padding:0 8px}.crumbs{padding:0 8px;overflow:hidden;white-space:nowrap}.hdr .btn-dark{white-space:nowrap;padding:6px 8px}}
.menu{position:absolute;top:52px;background:#fff;color:#232628;border-radius:6px;box-shadow:0 8px 24px rgba(0,0,0,.25);padding:8px 0;min-width:260px;display:none;z-index:20}
.menu.open{display:block}
.menu h4{margin:6px 16px;font-size:11px;text-transform:uppercase;color:#6a767c;letter-spacing:.6px}
.menu a{display:block;padding:8px 16px;color:#232628}
.menu a:hover{background:#f0f3f5;text-decoration:none}
.menu a.cur{font-weight:600;border-left:3px solid #ff5200;padding-left:13px}
.card{background:#fff;border:1px solid #d6dadc;border-radius:6px}
.btn{display:inline-block;border:1px solid #c3c9cc;background:#fff;color:#232628;border-radius:4px;padding:8px 14px;cursor:pointer;font:inherit;font-weight:600}
.btn:hover{background:#f0f3f5;text-decoration:none}
.btn-primary{background:#ff5200;border-color:#ff5200;color:#fff}
.btn-primary:hover{background:#e04800}
.pill{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600}
.ok{background:#e3f5e9;color:#1b7a3e}.bad{background:#fde8e8;color:#b42318}.wait{background:#fff4e0;color:#a15c00}.muted{color:#6a767c}
`;

export function page(title: string, css: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${BASE_CSS}${css}</style></head><body>${body}</body></html>`;
}

export function logo(): string {
  return `<span class="logo"><span class="mark">P</span>procore<small>SANDBOX</small></span>`;
}
