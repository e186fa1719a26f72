import type { FastifyInstance } from 'fastify';
import type { DirectoryService } from './directory.service';
import type { SeedOptions } from './seed';
import type { SettingsPatch } from './settings';
import type { SandboxState } from './state';
import type { WebhookDispatcher } from './webhook-dispatcher';

/** The sandbox's moving parts, for tests that want to look inside. */
export interface SandboxHandle {
  app: FastifyInstance;
  state: SandboxState;
  directory: DirectoryService;
  dispatcher: WebhookDispatcher;
  /** Replaces all data (and settings, faults, logs) with a fresh seed. */
  reset(seed?: SeedOptions, settings?: SettingsPatch): void;
}
