// `npm test` runs the Vitest projects of vitest.config.ts, and only the files they include: a test file outside
// every project would never run, one inside two would run twice. Each must belong to exactly one.
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_PROJECTS } from '../../vitest.config.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The globs these projects use (`**` across folders, `*` within a name) as a regular expression. */
function globPattern(glob: string): RegExp {
  const source = glob
    .split('**/')
    .map((part) =>
      part
        .split('*')
        .map((text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('(?:[^/]+/)*');
  return new RegExp(`^${source}$`);
}

function projectsOf(file: string): string[] {
  return Object.entries(TEST_PROJECTS)
    .filter(([, globs]) => {
      const excluded = 'exclude' in globs ? globs.exclude : [];
      return (
        globs.include.some((glob) => globPattern(glob).test(file)) &&
        !excluded.some((glob) => globPattern(glob).test(file))
      );
    })
    .map(([name]) => name);
}

describe('test projects', () => {
  it('place every test file in exactly one project', async () => {
    // Prepare
    const entries = await readdir(join(ROOT, 'test'), { recursive: true, withFileTypes: true });
    const files = entries
      .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
      .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'));

    // Act
    const misplaced = files.flatMap((file) => {
      const projects = projectsOf(file);
      return projects.length === 1 ? [] : [`${file}: ${projects.join(', ') || 'no project'}`];
    });

    // Assess
    expect(files.length).toBeGreaterThan(50);
    expect(misplaced).toEqual([]);
  });

  it('read the globs as Vitest does', () => {
    expect(projectsOf('test/integration/load-burst.test.ts')).toEqual(['load']);
    expect(projectsOf('test/integration/local-start.test.ts')).toEqual(['integration']);
    expect(projectsOf('test/unit/deeper/x.test.ts')).toEqual(['unit']);
    expect(projectsOf('test/elsewhere.test.ts')).toEqual([]);
  });
});
