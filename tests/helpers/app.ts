import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from '../../server/app';
import type { Config } from '../../server/config';
import { testConfig } from './config';

/** Builds the app for `inject` (never listening); close it in teardown. */
export function buildTestApp(deps: AppDeps, config: Config = testConfig()): Promise<FastifyInstance> {
  return buildApp(config, { logger: false, ...deps });
}
