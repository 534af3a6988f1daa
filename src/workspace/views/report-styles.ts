/** Styles of the report pages and their charts (NHS.UK colours: blue bars, dark grey whiskers and text). */
export const REPORT_CSS = `
.sp-filter-row{display:flex;flex-wrap:wrap;gap:0 24px}
.sp-filter{min-width:12rem}
.sp-table-scroll{overflow-x:auto}
.sp-table-scroll:focus{outline:4px solid #ffeb3b;outline-offset:0}
.sp-hidden{color:#4c6272}
.sp-total th,.sp-total td{font-weight:600}
`;

export const CHART_CSS = `
.sp-chart{margin:0 0 16px}
.sp-chart svg{max-width:100%;height:auto;font-family:inherit}
.sp-chart__bar{fill:#005eb8}
.sp-chart__whisker,.sp-chart__zero{stroke:#212b32;stroke-width:2}
.sp-chart__label,.sp-chart__value,.sp-chart__scale{fill:#212b32;font-size:14px}
.sp-chart__scale{fill:#4c6272;font-size:12px}
`;
