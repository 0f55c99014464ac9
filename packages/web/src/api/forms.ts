import type { FormInstance } from 'antd';
import type { z } from 'zod';
import { ApiError } from './client.ts';

/**
 * Validates form values with the shared zod schema (the same one the server uses) and shows each
 * problem under its field. Returns the parsed value, or undefined when a field is wrong.
 */
export const validateWith = <S extends z.ZodType>(
  form: FormInstance,
  schema: S,
  values: unknown,
): z.output<S> | undefined => {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  showIssues(
    form,
    result.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
  );
  return undefined;
};

/** Puts field issues (from zod or from the server's error body) under the form's fields. */
export const showIssues = (
  form: FormInstance,
  issues: Array<{ field: string; message: string }>,
) => {
  const byField = new Map<string, string[]>();
  for (const issue of issues) {
    const list = byField.get(issue.field) ?? [];
    list.push(issue.message);
    byField.set(issue.field, list);
  }
  form.setFields(
    [...byField].map(([field, errors]) => ({
      name: field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
      errors,
    })),
  );
};

/** Shows a server error's field issues on the form; returns the message for a toast. */
export const handleFormError = (form: FormInstance, error: unknown): string => {
  if (error instanceof ApiError && error.issues.length > 0) showIssues(form, error.issues);
  return error instanceof Error ? error.message : String(error);
};
