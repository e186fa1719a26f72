import type { AlertCode } from './alerts.schemas';
import type { MailMessage } from './mailer';

/** The two e-mails of a problem: when it started, and when it cleared. Plain text. */
const CLEARED: Record<AlertCode, string> = {
  disconnected: 'Worker Sync is connected again.',
  auto_sync_failed: 'A later sync worked.',
  auto_send_failed: 'A later timesheet send worked.',
  webhooks_failing: 'Changes from Procore are being applied again.',
  webhook_missing: "Worker Sync's webhook is set up in Procore again.",
  review_waiting: 'The review was confirmed or cancelled.',
};

export interface Problem {
  code: string;
  title: string;
  detail: string;
  started_at: Date;
  resolved_at: Date | null;
}

function when(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const unquote = (title: string) => title.replace(/\.$/, '');

function footer(companyName: string): string {
  return [
    `To see more, open Worker Sync in Procore: ${companyName} › Company Tools › Apps › Worker Sync.`,
    '',
    '--',
    `You get this because you signed in to Worker Sync as a company admin of ${companyName}.`,
    'Worker Sync writes once when a problem starts and once when it clears.',
  ].join('\n');
}

export function problemStarted(companyName: string, problem: Problem, to: string[]): MailMessage {
  return {
    to,
    subject: `Worker Sync · ${companyName}: ${unquote(problem.title)}`,
    text: [
      `${problem.title}`,
      '',
      problem.detail,
      '',
      `Noticed at ${when(problem.started_at)}.`,
      '',
      footer(companyName),
    ].join('\n'),
  };
}

export function problemCleared(companyName: string, problem: Problem, to: string[]): MailMessage {
  const cleared = CLEARED[problem.code as AlertCode] ?? 'It has cleared.';
  return {
    to,
    subject: `Resolved · Worker Sync · ${companyName}: ${unquote(problem.title)}`,
    text: [
      `Resolved: ${problem.title}`,
      '',
      `${cleared} Nothing more to do.`,
      '',
      `Started ${when(problem.started_at)}, cleared ${when(problem.resolved_at ?? problem.started_at)}.`,
      '',
      footer(companyName),
    ].join('\n'),
  };
}
