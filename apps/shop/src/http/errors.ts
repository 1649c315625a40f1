/** The API's error bodies: always JSON, and for invalid input naming the offending field. */
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)',
    message: issue.message,
  }));
}

/** 400 naming the first bad field (and listing all of them). */
export function sendInvalid(reply: FastifyReply, what: string, error: z.ZodError): FastifyReply {
  const issues = fieldIssues(error);
  const first = issues[0] ?? { field: '(body)', message: 'invalid' };
  return reply.code(400).send({
    error: `Invalid ${what}: ${first.field}: ${first.message}`,
    field: first.field,
    issues,
  });
}

export function sendError(reply: FastifyReply, status: number, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).send({ error: message, ...extra });
}
