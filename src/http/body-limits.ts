import express, { type RequestHandler } from 'express';
import { SpLinkError } from '../errors.js';

/**
 * The one reader of request bodies for every surface of SP Link, and the limits each surface accepts. A body over
 * its limit is refused with 413 (`ERR_PAYLOAD_TOO_LARGE`) before it is buffered; a JSON body nested deeper than
 * MAX_JSON_DEPTH with 400 (`ERR_JSON_TOO_DEEP`) before any handler walks it. Each surface's error handler turns
 * these into its own answer shape through `toApiError` (src/http/api-error.ts).
 */
export const BODY_LIMITS = {
  /** GP app API (`/app/api`): a referral form is a few kilobytes. */
  gpApi: '64kb',
  /** Workspace forms (`/workspace`): notes and plans, at most 200 fields. */
  workspaceForm: '64kb',
  /** The public referral forms (`/refer`): a person's answers, the longest 1,500 characters. */
  publicForm: '16kb',
  /** Sign-in forms (sandbox identity provider, rate-limited pages). */
  signInForm: '4kb',
  /** Rest-hook notifications (`/reconcile/webhook/:endpointId`): a Task or a notification Bundle. */
  webhook: '1mb',
  /** Sandbox FHIR servers: transactions with demo data. */
  fhir: '10mb',
  /** Token requests at a hosted record's token endpoint: a client assertion and scopes. */
  tokenForm: '16kb',
  /** Sandbox FHIR `_search` posted as a form. */
  fhirSearchForm: '1mb',
} as const;

/** The most fields a workspace form may post. */
export const WORKSPACE_FORM_FIELDS = 200;

/**
 * Request bodies nested deeper than any real FHIR resource or form (a deep Questionnaire is ~20 levels): refused
 * before any handler walks them, so a 3,000-deep body cannot exhaust the stack somewhere further in (a recursive
 * validator, JSON.stringify).
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests objects or arrays deeper than `max` (iterative: never recurses itself). */
export function nestedDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

const refuseDeepJson: RequestHandler = (req, _res, next) => {
  // JSON.parse itself is iterative; what reads the value afterwards may not be.
  if (req.body !== null && typeof req.body === 'object' && nestedDeeperThan(req.body)) {
    next(new SpLinkError('ERR_JSON_TOO_DEEP', { message: `The request nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels.` }));
    return;
  }
  next();
};

/** Reads a JSON body of the given content types up to `limit`, then refuses one nested too deeply. */
export function jsonBody(limit: string, type: string | string[] = 'application/json'): RequestHandler[] {
  return [express.json({ limit, type }), refuseDeepJson];
}

/** Reads a flat `application/x-www-form-urlencoded` body (no nested keys) up to `limit` and `parameterLimit` fields. */
export function formBody(limit: string, parameterLimit = 100): RequestHandler {
  return express.urlencoded({ extended: false, limit, parameterLimit });
}
