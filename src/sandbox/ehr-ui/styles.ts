/** Layout rules nhsuk-frontend has no component for: the GP-system look (wide two-column record, banner, iframe). */
export const SANDBOX_CSS = `
.sbx-wide{max-width:1400px;margin:0 auto;padding:0 16px}
.sbx-header .nhsuk-header__service{display:flex;gap:1rem;align-items:center}
.sbx-header .nhsuk-header__service-name{color:#fff;font-weight:600}
.sbx-sandbox-tag{margin-left:.5rem}
.sbx-toolbar{display:flex;gap:1rem;align-items:flex-end;flex-wrap:wrap;margin-bottom:1rem}
.sbx-toolbar .nhsuk-form-group,.sbx-toolbar .nhsuk-button{margin-bottom:0}
.sbx-columns{display:grid;grid-template-columns:minmax(420px,1fr) 1.6fr;gap:1.5rem;align-items:start}
@media (max-width:1000px){.sbx-columns{grid-template-columns:1fr}}
.sbx-panel{background:#fff;border:1px solid #d8dde0;padding:1rem;min-width:0;overflow-x:auto}
.sbx-table{font-size:1rem}
.sbx-table th,.sbx-table td{padding:.4rem .5rem}
.sbx-nowrap{white-space:nowrap}
.sbx-selected{background:#fff9c4}
.sbx-banner{background:#005eb8;color:#fff;padding:.75rem 1rem;margin:-1rem -1rem 1rem}
.sbx-banner__name{color:#fff;margin-bottom:.25rem}
.sbx-banner__facts{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;margin:0}
.sbx-banner__facts div{display:flex;gap:.4rem}
.sbx-banner__facts dt{font-weight:600}
.sbx-banner__facts dd{margin:0}
.sbx-launch{display:flex;gap:.75rem 1rem;flex-wrap:wrap;align-items:center;margin-bottom:1rem}
.sbx-launch .nhsuk-button{margin:0}
.sbx-inline{display:inline;margin:0}
.sbx-app iframe{width:100%;height:780px;border:2px solid #005eb8;background:#fff}
.sbx-safeguarding{border-left:8px solid #d5281b;margin-top:0}
.sbx-safeguarding .nhsuk-list{margin-bottom:.5rem}
.sbx-pre{white-space:pre-line}
.sbx-users{display:grid;gap:1rem}
.sbx-user{display:flex;justify-content:space-between;align-items:center;gap:1rem;border:1px solid #d8dde0;padding:.75rem 1rem;background:#fff}
.sbx-user p{margin:0}
.sbx-user .nhsuk-button{margin:0}
.sbx-message h4{font-size:1.125rem;margin:0 0 .25rem}
.sbx-message h5{font-size:1rem;margin:.75rem 0 .25rem}
.sbx-message p,.sbx-message ul{font-size:1rem;margin:0 0 .25rem}
.sbx-message ul{padding-left:1.25rem;list-style:disc}
`;
