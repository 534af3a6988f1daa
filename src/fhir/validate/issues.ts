/**
 * Validation issues and the error that carries them. FHIR-facing callers get an OperationOutcome
 * (err.outcome); SP Link's own API edge can switch on err.code.
 */
import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { ErrorCode } from '../../errors.js';

export type Issue = OperationOutcomeIssue;

/** An error issue with a readable message at a FHIRPath-like location. */
export function issue(expression: string, text: string, code: Issue['code'] = 'invalid'): Issue {
  return { severity: 'error', code, details: { text }, expression: [expression] };
}

/** One-line description of an issue: "Path: message". */
export function issueText(i: Issue): string {
  const where = i.expression?.[0];
  const text = i.details?.text ?? i.diagnostics ?? i.code;
  return where && !text.startsWith(where) ? `${where}: ${text}` : text;
}

/** Thrown by validateForWrite / validateResourceAgainst when a resource does not conform. */
export class ResourceValidationError extends OperationOutcomeError {
  readonly code: ErrorCode = 'ERR_FHIR_INVALID_RESOURCE';
  constructor(
    outcome: OperationOutcome,
    /** Profile the resource was checked against. */
    readonly profile: string,
    readonly resourceType: string,
  ) {
    super(outcome);
    this.name = 'ResourceValidationError';
    const errors = outcome.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    const shown = errors.slice(0, 5).map(issueText).join('; ');
    const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
    this.message = `${resourceType} does not conform to ${profile}: ${shown}${more}`;
  }

  /** Readable messages of every error issue. */
  get messages(): string[] {
    return this.outcome.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal').map(issueText);
  }
}

export const isResourceValidationError = (e: unknown): e is ResourceValidationError => e instanceof ResourceValidationError;
