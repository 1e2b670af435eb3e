// `ses-bounce explain CODE...`: what an SMTP enhanced status code means and what to do about it.

import { type CodeExplanation, explainCode } from '../domain/registry.ts';
import { type CliIo, EXIT, parseCommandLine, UsageError, writeText } from './command.ts';

export const usage = `Usage: ses-bounce explain [--json] CODE...

Explains SMTP enhanced status codes (RFC 3463 class.subject.detail, e.g. 5.1.1, 4.2.2, 5.7.26): title,
meaning, class, typical causes, what to do, and where the popular bounce-code guide got it wrong.
Codes outside the IANA registry are explained from known provider meanings (Microsoft 365 5.7.5xx-7xx,
4.7.650, ...) or from their class and subject.

Options:
  --json       one JSON object per code per line
  -h, --help   show this help

Exit status: 0 all codes well formed; 1 some argument was not a code (it is still reported); 2 usage error.`;

const WIDTH = 100;
const LABEL = 12;

function wrap(text: string, indent: number): string {
  const words = text.split(/\s+/).filter((word) => word.length > 0);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    if (current.length > 0 && indent + current.length + 1 + word.length > WIDTH) {
      lines.push(current);
      current = word;
    } else {
      current = current.length === 0 ? word : `${current} ${word}`;
    }
  }
  lines.push(current);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function field(label: string, text: string, hanging = 0): string {
  return `  ${label.padEnd(LABEL)}${wrap(text, LABEL + 2 + hanging)}\n`;
}

function list(label: string, items: readonly string[]): string {
  return items.map((item, index) => field(index === 0 ? label : '', `- ${item}`, 2)).join('');
}

export function formatExplanation(explanation: CodeExplanation): string {
  let text = `${explanation.code ?? explanation.input}  ${explanation.title}\n`;
  text += field('Meaning', explanation.meaning);
  if (explanation.class !== null) {
    text += field('Class', `${explanation.class}: ${explanation.classTitle}. ${explanation.classMeaning}`);
  }
  if (explanation.subject !== null) {
    text += field(
      'Subject',
      `${explanation.subject}: ${explanation.subjectTitle ?? 'not defined by the registry'}`,
    );
  }
  if (explanation.registryCode !== null) {
    text += field(
      'Registry',
      `${explanation.registryCode}, ${explanation.rfc}; basic reply ${explanation.basicReply}; usable as ${explanation.usableAs}`,
    );
  }
  if (explanation.provider !== null) {
    text += field('Provider', `${explanation.provider.provider} (source: ${explanation.provider.source})`);
  }
  if (explanation.classNote !== null) text += field('Note', explanation.classNote);
  text += list('Causes', explanation.typicalCauses);
  text += field('What to do', explanation.whatToDo);
  if (explanation.guideCorrection !== null) text += field('Guide fix', explanation.guideCorrection);
  text += list('Notes', explanation.notes);
  return text;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args);
  if (values.help === true) {
    await writeText(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('give at least one code, e.g. ses-bounce explain 5.1.1');

  const explanations = positionals.map((code) => explainCode(code));
  const output =
    values.json === true
      ? explanations.map((explanation) => `${JSON.stringify(explanation)}\n`).join('')
      : explanations.map(formatExplanation).join('\n');
  await writeText(io.stdout, output);
  return explanations.every((explanation) => explanation.code !== null) ? EXIT.ok : EXIT.inputErrors;
}

function parseOptions(args: string[]) {
  return parseCommandLine({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
