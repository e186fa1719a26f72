import { computed, createModel, type ReadonlySignal, signal } from '@preact/signals';
import type { Api } from '../api';
import type { CostCodeList, ProjectList, SendRun, Timesheet, TimesheetPatch, Worker } from '../api-types';
import { type ActionState, asApiError, failed, IDLE, type Remote } from './remote';

export type Project = ProjectList['projects'][number];
export type CostCode = CostCodeList['costCodes'][number];

/** What the cell editor saves: total hours, or in/out with a break; a cost code and notes. */
export type CellDetails = Pick<
  TimesheetPatch,
  'hours' | 'timeIn' | 'timeOut' | 'breakMinutes' | 'costCodeId' | 'notes'
>;

const DAY = 86_400_000;
export const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The Monday (UTC) of the week holding `day`: a foreman's week runs Monday to Sunday. */
export function weekOf(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  const weekday = (new Date(t).getUTCDay() + 6) % 7;
  return isoDay(t - weekday * DAY);
}

export function weekDays(monday: string): string[] {
  const t = Date.parse(`${monday}T00:00:00Z`);
  return Array.from({ length: 7 }, (_, i) => isoDay(t + i * DAY));
}

export interface TimesheetsModel {
  projects: ReadonlySignal<Remote<Project[]>>;
  projectId: ReadonlySignal<string | null>;
  week: ReadonlySignal<string>;
  days: ReadonlySignal<string[]>;
  timesheets: ReadonlySignal<Remote<Timesheet[]>>;
  workers: ReadonlySignal<Remote<Worker[]>>;
  /** Workers shown as rows: those with time this week, plus any added by hand. */
  rows: ReadonlySignal<Worker[]>;
  /** The selected project's cost codes, for the cell editor's picker. */
  costCodes: ReadonlySignal<Remote<CostCode[]>>;
  sends: ReadonlySignal<Remote<SendRun[]>>;
  activeSend: ReadonlySignal<SendRun | null>;
  cellError: ReadonlySignal<string | null>;
  sendState: ReadonlySignal<ActionState>;
  selectProject(id: string): void;
  moveWeek(by: number): void;
  addRow(workerId: string): void;
  saveCell(workerId: string, day: string, text: string): Promise<void>;
  /** Saves a cell from the editor; the error message, or null when it was saved. */
  saveDetails(workerId: string, day: string, details: CellDetails): Promise<string | null>;
  deleteCell(workerId: string, day: string): Promise<string | null>;
  approveWeek(): Promise<void>;
  send(): Promise<void>;
  refresh(): Promise<void>;
  dispose(): void;
}

/**
 * The Timesheets page: a week grid per Procore project (workers × days, hours per cell with its
 * send state), Sync Timesheets, and Timesheet Sync Logs, polled while a send works.
 */
export const TimesheetsModel = createModel((api: Api): TimesheetsModel => {
  const projects = signal<Remote<Project[]>>({ status: 'loading' });
  const projectId = signal<string | null>(null);
  const week = signal(weekOf(isoDay(Date.now())));
  const timesheets = signal<Remote<Timesheet[]>>({ status: 'loading' });
  const workers = signal<Remote<Worker[]>>({ status: 'loading' });
  const added = signal<string[]>([]);
  const sends = signal<Remote<SendRun[]>>({ status: 'loading' });
  const costCodes = signal<Remote<CostCode[]>>({ status: 'loading' });
  const cellError = signal<string | null>(null);
  const sendState = signal<ActionState>(IDLE);
  const days = computed(() => weekDays(week.value));

  const loadWeek = async () => {
    const project = projectId.peek();
    if (!project) return;
    const d = days.peek();
    try {
      const { timesheets: list } = await api.listTimesheets({ projectId: project, from: d[0]!, to: d[6]! });
      timesheets.value = { status: 'ready', data: list };
    } catch (err) {
      timesheets.value = failed(timesheets.peek(), err);
    }
  };
  const loadCostCodes = async () => {
    const project = projectId.peek();
    if (!project) return;
    costCodes.value = { status: 'loading' };
    try {
      const list = (await api.listCostCodes(project)).costCodes;
      if (projectId.peek() === project) costCodes.value = { status: 'ready', data: list };
    } catch (err) {
      if (projectId.peek() === project) costCodes.value = failed(costCodes.peek(), err);
    }
  };
  const loadWorkers = async () => {
    try {
      const list = await api.listWorkers({ active: 'true', limit: 500 });
      workers.value = { status: 'ready', data: list.workers };
    } catch (err) {
      workers.value = failed(workers.peek(), err);
    }
  };
  const loadSends = async () => {
    try {
      sends.value = { status: 'ready', data: (await api.listSends({ limit: 20 })).runs };
    } catch (err) {
      sends.value = failed(sends.peek(), err);
    }
  };
  const activeSend = computed(() => {
    const s = sends.value;
    return s.status === 'ready'
      ? (s.data.find((r) => r.status === 'queued' || r.status === 'running') ?? null)
      : null;
  });

  // Projects first: in sandbox mode their first read may add the demo crew the workers list shows.
  void (async () => {
    try {
      const list = (await api.listProjects()).projects;
      projects.value = { status: 'ready', data: list };
      if (list[0] && !projectId.peek()) {
        projectId.value = list[0].id;
        await Promise.all([loadWeek(), loadWorkers(), loadCostCodes()]);
      } else {
        if (!list[0]) timesheets.value = { status: 'ready', data: [] };
        await loadWorkers();
      }
    } catch (err) {
      projects.value = failed(projects.peek(), err);
      timesheets.value = { status: 'ready', data: [] };
      await loadWorkers();
    }
  })();
  void loadSends();

  // Poll while a send works (its results land in the grid), otherwise now and then for other tabs.
  let wasActive = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    if (!document.hidden) {
      await loadSends();
      const active = activeSend.peek() !== null;
      if (active || wasActive) await loadWeek();
      wasActive = active;
    }
    timer = setTimeout(tick, activeSend.peek() ? 1_500 : 10_000);
  };
  timer = setTimeout(tick, 1_500);

  const rows = computed(() => {
    const w = workers.value.status === 'ready' ? workers.value.data : [];
    const t = timesheets.value.status === 'ready' ? timesheets.value.data : [];
    const ids = new Set([...t.map((x) => x.workerId), ...added.value]);
    return w.filter((x) => ids.has(x.id)).sort((a, b) => a.lastName.localeCompare(b.lastName));
  });

  const replace = (next: Timesheet | null, removedId?: string) => {
    const current = timesheets.peek();
    if (current.status !== 'ready') return;
    const rest = current.data.filter((x) => x.id !== (next?.id ?? removedId));
    timesheets.value = { status: 'ready', data: next ? [...rest, next] : rest };
  };

  return {
    projects: computed(() => projects.value),
    projectId: computed(() => projectId.value),
    week: computed(() => week.value),
    days,
    timesheets: computed(() => timesheets.value),
    workers: computed(() => workers.value),
    rows,
    sends: computed(() => sends.value),
    costCodes: computed(() => costCodes.value),
    activeSend,
    cellError: computed(() => cellError.value),
    sendState: computed(() => sendState.value),
    selectProject(id) {
      projectId.value = id;
      added.value = [];
      timesheets.value = { status: 'loading' };
      void loadWeek();
      void loadCostCodes();
    },
    moveWeek(by) {
      week.value = isoDay(Date.parse(`${week.peek()}T00:00:00Z`) + by * 7 * DAY);
      timesheets.value = { status: 'loading' };
      void loadWeek();
    },
    addRow(workerId) {
      if (!added.peek().includes(workerId)) added.value = [...added.peek(), workerId];
    },
    async saveCell(workerId, day, text) {
      const project = projectId.peek();
      const current = timesheets.peek();
      if (!project || current.status !== 'ready') return;
      const existing = current.data.find((x) => x.workerId === workerId && x.date === day);
      const trimmed = text.trim().replace(',', '.');
      cellError.value = null;
      try {
        if (trimmed === '') {
          if (existing) {
            await api.deleteTimesheet(existing.id);
            replace(null, existing.id);
          }
          return;
        }
        const hours = Number(trimmed);
        if (!Number.isFinite(hours) || hours <= 0 || hours > 24) {
          cellError.value = `"${text}" is not a number of hours between 0 and 24.`;
          return;
        }
        if (existing) {
          if (Number(existing.hours) === hours) return;
          replace((await api.updateTimesheet(existing.id, { hours })).timesheet);
        } else {
          replace((await api.createTimesheet({ workerId, projectId: project, date: day, hours })).timesheet);
        }
      } catch (err) {
        cellError.value = asApiError(err).message;
      }
    },
    async saveDetails(workerId, day, details) {
      const project = projectId.peek();
      const current = timesheets.peek();
      if (!project || current.status !== 'ready') return 'The week is not loaded yet.';
      const existing = current.data.find((x) => x.workerId === workerId && x.date === day);
      try {
        const saved = existing
          ? await api.updateTimesheet(existing.id, details)
          : await api.createTimesheet({ workerId, projectId: project, date: day, ...details });
        replace(saved.timesheet);
        cellError.value = null;
        return null;
      } catch (err) {
        return asApiError(err).message;
      }
    },
    async deleteCell(workerId, day) {
      const current = timesheets.peek();
      if (current.status !== 'ready') return null;
      const existing = current.data.find((x) => x.workerId === workerId && x.date === day);
      if (!existing) return null;
      try {
        await api.deleteTimesheet(existing.id);
        replace(null, existing.id);
        return null;
      } catch (err) {
        return asApiError(err).message;
      }
    },
    async approveWeek() {
      const current = timesheets.peek();
      if (current.status !== 'ready') return;
      cellError.value = null;
      try {
        for (const t of current.data.filter((x) => x.approval === 'pending')) {
          replace((await api.updateTimesheet(t.id, { approval: 'approved' })).timesheet);
        }
      } catch (err) {
        cellError.value = asApiError(err).message;
      }
    },
    async send() {
      const project = projectId.peek();
      if (!project) return;
      const d = days.peek();
      sendState.value = { status: 'busy' };
      try {
        await api.sendTimesheets({ projectId: project, from: d[0]!, to: d[6]! });
        // The send may end before the next poll sees it running: reload the week when it does.
        wasActive = true;
        sendState.value = IDLE;
        await loadSends();
        await loadWeek();
      } catch (err) {
        sendState.value = { status: 'error', message: asApiError(err).message };
      }
    },
    async refresh() {
      await Promise.all([loadSends(), loadWeek()]);
    },
    dispose() {
      clearTimeout(timer);
    },
  };
});
