import type { Express } from 'express';
import type { OperationDoc } from '../openapi.js';
import { registeredRoutes } from './routes.js';

/** Routes the app registers that the operations do not document, and documented ones it lacks. */
export function documentationGaps(app: Express, operations: OperationDoc[]) {
  const registered = new Set(registeredRoutes(app));
  const documented = new Set(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`));
  return {
    undocumented: [...registered].filter((route) => !documented.has(route)),
    notRegistered: [...documented].filter((route) => !registered.has(route)),
  };
}

/** Every documented example that does not pass its own schema, with zod's reasons. */
export function exampleProblems(operations: OperationDoc[]): string[] {
  const problems: string[] = [];
  const check = (where: string, schema: OperationDoc['body'], example: unknown) => {
    if (!schema || example === undefined) return;
    const result = schema.safeParse(example);
    if (!result.success) {
      problems.push(
        `${where}: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      );
    }
  };
  for (const operation of operations) {
    const name = `${operation.method.toUpperCase()} ${operation.path}`;
    check(`${name} request body`, operation.body, operation.example);
    if (operation.example !== undefined && !operation.body)
      problems.push(`${name}: example without body schema`);
    for (const [status, response] of Object.entries(operation.responses)) {
      check(`${name} ${status}`, response.schema, response.example);
    }
  }
  return problems;
}
