import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/db/connect';
import { createProcoreClient } from '../../../server/procore/client';
import { ProcoreSchemaError } from '../../../server/procore/errors';
import { testConfig } from '../../helpers/config';
import { freshDatabase } from '../../helpers/db';

/**
 * Responses the sandbox never sends, from a tiny stub: an unknown field, a wrong type in a used
 * field, a body that is not JSON, ids past 2^53, a Link header that loops.
 */
function user(i: number) {
  return {
    id: 1000 + i,
    first_name: 'Test',
    last_name: `Worker ${i}`,
    email_address: `w${i}@example.com`,
    mobile_phone: '+13125550100',
    is_employee: true,
    employee_id: `E${i}`,
    is_active: true,
    work_classification_id: null,
    updated_at: '2026-11-01T10:00:00Z',
  };
}

describe('responses that do not fit', () => {
  let stub: FastifyInstance;
  let handle: DatabaseHandle;
  let mode = 'normal';
  let url = '';

  beforeAll(async () => {
    handle = await freshDatabase('pglite');
    stub = Fastify();
    stub.get('/rest/v1.3/companies/1/users', async (request, reply) => {
      const q = request.query as { page?: string; per_page?: string };
      const page = Number(q.page ?? 1);
      const perPage = Number(q.per_page ?? 100);
      const total = 150;
      const items = Array.from(
        { length: Math.max(0, Math.min(perPage, total - (page - 1) * perPage)) },
        (_, k) => user((page - 1) * perPage + k),
      );
      if (mode === 'extra')
        for (const item of items) Object.assign(item, { shiny_new_field: { nested: [1, 2] } });
      if (mode === 'wrong' && page === 2) Object.assign(items[3]!, { is_employee: 'yes' });
      reply.header('Total', String(total)).header('Per-Page', String(perPage));
      const next = mode === 'loop' ? 1 : page + 1;
      if (page * perPage < total || mode === 'loop') {
        reply.header(
          'Link',
          `<${url}/rest/v1.3/companies/1/users?page=${next}&per_page=${perPage}>; rel="next"`,
        );
      }
      if (mode === 'html') return reply.type('text/html').send('<html>Maintenance</html>');
      if (mode === 'bigid') {
        return reply
          .type('application/json')
          .send(`[{"id":9007199254740993${JSON.stringify(user(0)).slice(10)}]`);
      }
      return items;
    });
    stub.get('/rest/v1.0/companies/1/users/inactive', async (_request, reply) =>
      reply.type('application/json').send('{"users": []}'),
    );
    await stub.listen({ port: 0, host: '127.0.0.1' });
    const address = stub.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await stub?.close();
    await handle?.close();
  });

  const session = () =>
    createProcoreClient({
      config: testConfig({ PROCORE_API_URL: url, PROCORE_LOGIN_URL: url }),
      db: handle.db,
    })
      .withAccessToken('stub-token')
      .forCompany('1');

  it('reads every page of a well-formed list', async () => {
    mode = 'normal';
    const all = await session().listCompanyUsers({ perPage: 100 }).toArray();
    expect(all).toHaveLength(150);
  });

  it('ignores an unknown extra field: the used fields are the same', async () => {
    mode = 'normal';
    const plain = await session().listCompanyUsers({ perPage: 100 }).toArray();
    mode = 'extra';
    const extra = await session().listCompanyUsers({ perPage: 100 }).toArray();
    const used = (u: (typeof plain)[number]) => ({ ...u, shiny_new_field: undefined });
    expect(extra.map(used)).toEqual(plain.map(used));
    expect(extra[0]).toHaveProperty('shiny_new_field');
  });

  it('names the field when a used field has the wrong type', async () => {
    mode = 'wrong';
    const error = await session()
      .listCompanyUsers({ perPage: 100 })
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcoreSchemaError);
    expect((error as ProcoreSchemaError).field).toBe('users[103].is_employee');
    expect((error as Error).message).toContain('users[103].is_employee: expected boolean');
    expect((error as ProcoreSchemaError).path).toBe('/rest/v1.3/companies/1/users');
  });

  it('refuses a list that is not a list, and a body that is not JSON', async () => {
    await expect(session().listInactiveCompanyUsers().toArray()).rejects.toThrow(
      /inactive users: expected a list/,
    );
    mode = 'html';
    await expect(session().listCompanyUsers().toArray()).rejects.toBeInstanceOf(ProcoreSchemaError);
  });

  it('keeps an id above 2^53 exact', async () => {
    mode = 'bigid';
    const [first] = await session().listCompanyUsers({ perPage: 1000 }).toArray();
    expect(first?.id).toBe('9007199254740993');
  });

  it('stops on a Link header that loops instead of reading forever', async () => {
    mode = 'loop';
    await expect(session().listCompanyUsers({ perPage: 100 }).toArray()).rejects.toThrow(/loops back/);
  });
});
