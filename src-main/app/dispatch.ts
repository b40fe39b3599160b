import { ZodError } from 'zod';
import { REQUEST_NAMES, type RequestName } from '@shared/api/channels';
import {
  requests,
  WorkbenchError,
  type ParsedParams,
  type Reply,
  type Result,
  type WorkbenchErrorShape,
} from '@shared/api/contract';

export type Handlers = { [N in RequestName]: (params: ParsedParams<N>) => Result<N> | Promise<Result<N>> };

function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && (REQUEST_NAMES as readonly string[]).includes(name);
}

function zodIssues(error: ZodError): NonNullable<WorkbenchErrorShape['issues']> {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(params)', message: issue.message }));
}

/** Turns anything thrown by a handler into the error shape of the contract. */
export function toErrorShape(err: unknown): WorkbenchErrorShape {
  if (err instanceof WorkbenchError) return { code: err.code, message: err.message, issues: err.issues };
  const code = (err as { code?: unknown })?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return {
      code: 'storage',
      message: 'The disk holding the data directory is full. Free some space and try again; nothing was recorded.',
    };
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return { code: 'storage', message: `The run store could not be written (${code}): ${(err as Error).message}` };
  }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/**
 * The single entry point of every request, whatever its transport: checks the name,
 * validates params against the contract, runs the handler and wraps the outcome.
 * Never throws: a transport only has to send the reply back.
 */
export function createDispatcher(handlers: Handlers) {
  return async function dispatch(name: unknown, params: unknown): Promise<Reply<RequestName>> {
    if (!isRequestName(name)) {
      return { ok: false, error: { code: 'unknown_request', message: `Unknown request: ${String(name)}` } };
    }
    const parsed = requests[name].params.safeParse(params ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: { code: 'invalid_params', message: `Invalid parameters for ${name}`, issues: zodIssues(parsed.error) },
      };
    }
    try {
      const handler = handlers[name] as (p: unknown) => unknown;
      const result = await handler(parsed.data);
      return { ok: true, result } as Reply<RequestName>;
    } catch (err) {
      return { ok: false, error: toErrorShape(err) };
    }
  };
}
export type Dispatch = ReturnType<typeof createDispatcher>;
