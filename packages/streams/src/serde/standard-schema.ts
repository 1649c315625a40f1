/**
 * The Standard Schema v1 interface (https://standardschema.dev), declared here so that validation works with zod,
 * valibot, arktype, ... without depending on any of them.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** Older zod releases (before 3.24) have no `~standard` property but do have `safeParse`. */
export interface SafeParseSchema<Output> {
  safeParse(value: unknown): { success: true; data: Output } | { success: false; error: { message: string } };
}

export type JsonSchema<T> = StandardSchemaV1<unknown, T> | SafeParseSchema<T>;

export type ValidationOutcome<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates synchronously: deserializers cannot await, so an async validator is reported as a failure. */
export function validateSync<T>(schema: JsonSchema<T>, value: unknown): ValidationOutcome<T> {
  if ('~standard' in schema) {
    const result = schema['~standard'].validate(value);
    if (result instanceof Promise) {
      // Swallow the eventual rejection: the caller already gets an error for the async use.
      result.catch(() => undefined);
      return { ok: false, message: 'schema validation is asynchronous; only synchronous schemas are supported' };
    }
    if (result.issues !== undefined) return { ok: false, message: formatIssues(result.issues) };
    return { ok: true, value: result.value };
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: parsed.error.message };
}

function formatIssues(issues: ReadonlyArray<StandardSchemaIssue>): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}
