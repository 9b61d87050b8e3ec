import type { VerifyReport } from '../../../src-preload/api'

/** The verification report as Markdown: pasted into a ticket or a release note as it is. */
export function reportToMarkdown(report: VerifyReport, at: Date = new Date()): string {
  const passed = report.checks.filter((c) => c.ok).length
  const lines = [
    `# Verification of ${report.slug} ${report.version}`,
    '',
    `${report.ok ? '**All checks passed**' : '**Some checks failed**'}: ${passed} of ${report.checks.length}, ${at.toISOString()}`,
    '',
    ...report.checks.map((c) => `- ${c.ok ? '✓' : '✗'} **${c.title}** — ${c.detail.replace(/\s+/g, ' ')} _(${c.ms} ms)_`),
    ''
  ]
  return lines.join('\n')
}

/** The verification report as JSON, in the same shape as `wprm verify --json`. */
export function reportToJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`
}

/** A file name for a saved report: slug, version and kind, safe on every OS. */
export function reportFileName(report: VerifyReport, extension: 'md' | 'json'): string {
  return `${report.slug}-${report.version}-verification.${extension}`
}
