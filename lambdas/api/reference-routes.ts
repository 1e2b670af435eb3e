// Routes that read no table: code explanations (the registry) and classification of a posted bounce.
import * as z from 'zod';
import {
  BLAMES,
  type BounceInput,
  CATEGORIES,
  type Classification,
  VERDICTS,
} from '../domain/classification.ts';
import type { CodeExplanation } from '../domain/registry.ts';
import { SMTP_COMMANDS } from '../domain/rules/index.ts';
import { jsonResponse } from './http.ts';
import { defineRoute, type Route } from './router.ts';

/** The registry's explanation, as the API promises it (the registry may add fields; they pass through). */
const codeExplanationSchema = z
  .looseObject({
    code: z.string().nullable(),
    input: z.string(),
    title: z.string(),
    meaning: z.string(),
    class: z.number().nullable(),
    subject: z.number().nullable(),
    detail: z.number().nullable(),
    classTitle: z.string().nullable(),
    classMeaning: z.string().nullable(),
    subjectTitle: z.string().nullable(),
    registryCode: z.string().nullable(),
    rfc: z.string().nullable(),
    basicReply: z.string().nullable(),
    usableAs: z.unknown(),
    known: z.boolean().meta({ description: 'In the IANA registry' }),
    source: z.string().meta({ description: 'registry | provider | subject | class | malformed' }),
    classNote: z.string().nullable(),
    typicalCauses: z.array(z.string()),
    whatToDo: z.string(),
    guideCorrection: z.string().nullable(),
    provider: z.unknown(),
    notes: z.array(z.string()),
  })
  .meta({ id: 'CodeExplanation' });

const classificationSchema = z
  .object({
    verdict: z.enum(VERDICTS),
    category: z.enum(CATEGORIES),
    blame: z.enum(BLAMES),
    suppress: z.boolean(),
    code: z.string().nullable(),
    codeTitle: z.string().nullable(),
    evidence: z.string(),
  })
  .meta({ id: 'Classification' });

const text = (max: number) => z.string().max(max).nullable().optional();

/** The fields of which POST /classify needs at least one that is not blank. */
const CLASSIFY_INPUTS = ['status', 'diagnosticCode', 'bounceType', 'bounceSubType', 'action'] as const;

/** A case-insensitive JSON Schema pattern of one word (JSON Schema patterns take no flags). */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
}

const classifyBodySchema = z
  .strictObject({
    status: text(32).meta({ description: 'Enhanced status code from the DSN, e.g. 5.1.1' }),
    diagnosticCode: text(10_000).meta({ description: 'The DSN Diagnostic-Code / SMTP reply text' }),
    bounceType: text(64).meta({ description: 'SES bounceType (Permanent, Transient, Undetermined)' }),
    bounceSubType: text(64).meta({ description: 'SES bounceSubType (General, NoEmail, MailboxFull, ...)' }),
    action: text(64).meta({ description: 'DSN Action (failed, delayed, ...)' }),
    smtpCommand: text(8)
      .refine((value) => value == null || Object.hasOwn(SMTP_COMMANDS, value.trim().toUpperCase()), {
        message: `must be one of ${Object.keys(SMTP_COMMANDS).join(', ')} (any case)`,
      })
      .meta({
        description:
          'The SMTP command the reply answered (CONN, HELO, EHLO, MAIL, RCPT, DATA, QUIT; any case); otherwise the phase is read from the text',
        anyOf: [
          {
            type: 'string',
            maxLength: 8,
            pattern: `^\\s*(?:${Object.keys(SMTP_COMMANDS).map(anyCase).join('|')})\\s*$`,
          },
          { type: 'null' },
        ],
      }),
  })
  .refine((body) => CLASSIFY_INPUTS.some((name) => (body[name] ?? '').trim() !== ''), {
    message: 'give at least one of status, diagnosticCode, bounceType, bounceSubType or action (as the CLI)',
    path: [],
  })
  .meta({
    description: 'At least one of status, diagnosticCode, bounceType, bounceSubType or action, not blank',
    anyOf: CLASSIFY_INPUTS.map((name) => ({
      required: [name],
      properties: { [name]: { type: 'string', pattern: '\\S' } },
    })),
  });

const codeParamSchema = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^[245]\.\d{1,3}\.\d{1,3}$/, 'must be an enhanced status code like 5.1.1')
    .meta({ description: 'Enhanced status code (RFC 3463), e.g. 5.1.1' }),
});

export interface ReferenceDeps {
  explainCode(code: string): CodeExplanation;
  classifyBounce(input: BounceInput): Classification;
}

export function referenceRoutes(deps: ReferenceDeps): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/codes/{code}',
      operationId: 'explainCode',
      summary: 'Explain an enhanced status code from the IANA registry (and common provider usage)',
      description: 'A well-formed code missing from the registry answers 200 with `known: false`.',
      cost: '0 read units (no table access)',
      params: codeParamSchema,
      responses: { 200: { description: 'The explanation', schema: codeExplanationSchema } },
      async handle({ params }) {
        return jsonResponse(200, deps.explainCode(params.code));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/classify',
      operationId: 'classify',
      summary:
        'Classify a bounce from its status code, diagnostic text and SES labels (same output as the CLI)',
      cost: '0 read units (no table access)',
      body: classifyBodySchema,
      responses: { 200: { description: 'The classification', schema: classificationSchema } },
      async handle({ body }) {
        const input: BounceInput = {
          status: body.status ?? null,
          diagnosticCode: body.diagnosticCode ?? null,
          bounceType: body.bounceType ?? null,
          bounceSubType: body.bounceSubType ?? null,
          action: body.action ?? null,
          smtpCommand: body.smtpCommand ?? null,
        };
        return jsonResponse(200, deps.classifyBounce(input));
      },
    }),
  ];
}
